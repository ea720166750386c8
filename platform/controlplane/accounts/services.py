"""Writes for users and memberships. Every one that matters is audited."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

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
    """Remove an account for good (its audit entries keep the email); refuses to lock the agency out."""
    _refuse_lockout(user=user, actor=actor)
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


class UserChangeRefused(Exception):
    """A deactivation or deletion that would lock the agency out; the sentence says why."""


def _refuse_lockout(*, user: User, actor: Any) -> None:
    if actor is not None and user.pk == getattr(actor, "pk", None):
        raise UserChangeRefused("You cannot deactivate or delete your own account.")
    if user.role == Role.PLATFORM_ADMIN and not User.objects.filter(
            role=Role.PLATFORM_ADMIN, is_active=True).exclude(pk=user.pk).exists():
        raise UserChangeRefused("This is the last active platform admin; add another admin first.")


def user_deactivate(*, user: User, actor: Any, request: Any = None) -> None:
    """Offboard without losing history: the account can no longer sign in and its sessions end at once."""
    _refuse_lockout(user=user, actor=actor)
    with transaction.atomic():
        user.is_active = False
        user.save(update_fields=["is_active"])
        _sessions_end(user=user)
        audit_record(action="user.deactivated", actor=actor, target=user, client_slug=_first_client_slug(user),
                     data={"email": user.email, "role": user.role}, request=request)


def user_reactivate(*, user: User, actor: Any, request: Any = None) -> None:
    with transaction.atomic():
        user.is_active = True
        user.save(update_fields=["is_active"])
        audit_record(action="user.reactivated", actor=actor, target=user, client_slug=_first_client_slug(user),
                     data={"email": user.email, "role": user.role}, request=request)


def _first_client_slug(user: User) -> str:
    return user.memberships.values_list("client__slug", flat=True).first() or ""


def _sessions_end(*, user: User) -> None:
    """Delete the user's database sessions (Django's authentication already refuses inactive users)."""
    key = str(user.pk)
    stale = [s.session_key for s in Session.objects.filter(expire_date__gt=timezone.now()).iterator()
             if s.get_decoded().get("_auth_user_id") == key]
    Session.objects.filter(session_key__in=stale).delete()
