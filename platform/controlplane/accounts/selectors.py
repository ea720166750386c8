from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from controlplane.accounts.models import AGENCY_ROLES, Membership, User


def user_may_use_host(*, user: Any, tenant: Any) -> bool:
    """Agency accounts belong to the public host; client users to their own client's host only."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if tenant is None or tenant.schema_name == "public":
        return user.role in AGENCY_ROLES
    return Membership.objects.filter(user=user, client_id=tenant.pk).exists()


def agency_user_list() -> QuerySet[User]:
    return User.objects.filter(role__in=list(AGENCY_ROLES))


def client_user_list(*, client: Any) -> QuerySet[User]:
    return User.objects.filter(memberships__client=client)


def user_directory(*, role: str = "") -> QuerySet[User]:
    """Every account for the admin's user list, with its clients prefetched (one query each)."""
    users = User.objects.prefetch_related("memberships__client").order_by("role", "email")
    return users.filter(role=role) if role else users


def user_get(*, user_id: int) -> User | None:
    return User.objects.filter(pk=user_id).first()
