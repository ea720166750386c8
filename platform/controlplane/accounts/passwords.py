"""SEC-4 password rules that depend on who the password is for."""

from __future__ import annotations

import secrets
import string
from typing import Any

from django.contrib.auth.hashers import PBKDF2PasswordHasher, get_hasher, make_password
from django.core.exceptions import ValidationError

AGENCY_MIN_LENGTH = 15
CLIENT_MIN_LENGTH = 12
_ALPHABET = string.ascii_letters + string.digits + "-_.!@#"


def generate_one_time_password(length: int = 20) -> str:
    """Readable enough to type once, long enough for every role's minimum."""
    while True:
        candidate = "".join(secrets.choice(_ALPHABET) for _ in range(length))
        if any(c.isdigit() for c in candidate) and any(c.isalpha() for c in candidate):
            return candidate


# A generated password carries ~121 bits of entropy (20 symbols from 67), so key stretching adds
# nothing an attacker holding the hash could notice; a full-strength PBKDF2 (1.5M rounds, ~0.7 s
# of CPU) would be most of the cost of provisioning a client. Django itself closes the gap:
# the first correct login re-hashes at full strength (must_update), and a wrong password runs
# the missing rounds (harden_runtime), so response times do not reveal a never-used account.
GENERATED_PASSWORD_ITERATIONS = 10_000


def one_time_password_hash(password: str) -> str:
    """The stored hash of a password from generate_one_time_password() (never of a chosen one)."""
    hasher = get_hasher("default")
    if isinstance(hasher, PBKDF2PasswordHasher) and hasher.iterations > GENERATED_PASSWORD_ITERATIONS:
        return hasher.encode(password, hasher.salt(), iterations=GENERATED_PASSWORD_ITERATIONS)
    return make_password(password)


def _min_length_for(user: Any) -> int:
    role = getattr(user, "role", None)
    return AGENCY_MIN_LENGTH if role in ("platform_admin", "staff") else CLIENT_MIN_LENGTH


class RoleMinimumLengthValidator:
    """At least 15 characters for admins and staff, 12 for client users."""

    def validate(self, password: str, user: Any = None) -> None:
        minimum = _min_length_for(user)
        if len(password) < minimum:
            raise ValidationError(
                f"This password is too short. It must contain at least {minimum} characters.",
                code="password_too_short",
                params={"min_length": minimum},
            )

    def get_help_text(self) -> str:
        return (
            f"Your password must contain at least {AGENCY_MIN_LENGTH} characters for agency accounts "
            f"and {CLIENT_MIN_LENGTH} for client accounts."
        )


class NotCurrentPasswordValidator:
    """The generated (or current) password cannot be kept as the new one."""

    def validate(self, password: str, user: Any = None) -> None:
        if user is not None and getattr(user, "pk", None) and user.has_usable_password():
            if user.check_password(password):
                raise ValidationError(
                    "Choose a new password: it cannot be the one you were given or are using now.",
                    code="password_reused",
                )

    def get_help_text(self) -> str:
        return "Your new password cannot be your current or generated password."
