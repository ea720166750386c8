"""Writes for users and memberships. Every one that matters is audited."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from controlplane.accounts.models import Membership, Role, User
from controlplane.accounts.passwords import generate_one_time_password, one_time_password_hash
from controlplane.audit.services import audit_record


@dataclass(frozen=True)
class CreatedUser:
    user: User
    one_time_password: str


def user_create(
    *,
    email: str,
    role: str,
    actor: Any = None,
    full_name: str = "",
    client: Any = None,
    membership_role: str = Membership.MemberRole.OWNER,
    request: Any = None,
) -> CreatedUser:
    """Create an account with a generated one-time password that must be changed (SEC-5)."""
    email = User.objects.normalize_email(email.strip()).lower()
    if role not in Role.values:
        raise ValidationError(f"Unknown role {role!r}.")
    if role == Role.CLIENT and client is None:
        raise ValidationError("A client user must belong to a client.")
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError(f"An account with the email {email} already exists.")
    password = generate_one_time_password()
    with transaction.atomic():
        user = User(email=email, role=role, full_name=full_name, must_change_password=True,
                    password=one_time_password_hash(password))
        user.save()
        if client is not None:
            Membership.objects.create(user=user, client=client, role=membership_role)
        audit_record(
            action="user.created",
            actor=actor,
            target=user,
            client_slug=getattr(client, "slug", ""),
            data={"email": email, "role": role},
            request=request,
        )
    return CreatedUser(user=user, one_time_password=password)


def user_delete(*, user: User, actor: Any, request: Any = None) -> None:
    with transaction.atomic():
        slugs = list(user.memberships.values_list("client__slug", flat=True))
        audit_record(
            action="user.deleted",
            actor=actor,
            target=user,
            client_slug=slugs[0] if slugs else "",
            data={"email": user.email, "role": user.role},
            request=request,
        )
        user.delete()


def user_set_password(*, user: User, new_password: str, request: Any = None) -> None:
    """Change a password under the full validator set; clears the forced-change flag."""
    validate_password(new_password, user)
    with transaction.atomic():
        user.set_password(new_password)
        user.must_change_password = False
        user.save(update_fields=["password", "must_change_password"])
        audit_record(action="user.password_changed", actor=user, target=user, request=request)
