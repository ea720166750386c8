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


# --- Strength and breached passwords (admins and staff) ------------------------------------------
AGENCY_MIN_STRENGTH = 3  # zxcvbn score 0–4: 3 = "safely unguessable", ~10^8+ guesses offline
_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s", "!": "i"})


def _is_agency(user: Any) -> bool:
    return getattr(user, "role", None) in ("platform_admin", "staff")


def _user_inputs(user: Any) -> list[str]:
    values = [getattr(user, name, "") or "" for name in ("email", "first_name", "last_name", "name")]
    email = getattr(user, "email", "") or ""
    values += email.replace("@", ".").split(".")
    return [v for v in values if v] + ["shoreline"]


class PasswordStrengthValidator:
    """zxcvbn's estimate (dictionaries, keyboard walks, repeats, dates, l33t) for admins and staff."""

    def validate(self, password: str, user: Any = None) -> None:
        if not _is_agency(user):
            return
        from zxcvbn import zxcvbn

        result = zxcvbn(password[:100], user_inputs=_user_inputs(user))
        if result["score"] >= AGENCY_MIN_STRENGTH:
            return
        feedback = result.get("feedback") or {}
        reason = (feedback.get("warning") or "").rstrip(".")
        hint = " ".join(feedback.get("suggestions") or []) or "Use four or more unrelated words."
        explanation = f" ({reason})" if reason else ""
        raise ValidationError(f"This password is too easy to guess{explanation}. {hint}",
                              code="password_too_weak")

    def get_help_text(self) -> str:
        return "Agency passwords must be hard to guess: avoid words repeated, keyboard rows and names."


def _breached_list() -> frozenset[str]:
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"])


class BreachedPasswordValidator:
    """Refuses passwords from the leaked-password corpus that ships inside the zxcvbn package (the
    30,000 most common passwords of public breaches), checked offline, also behind simple disguises:
    capitals, l33t digits, trailing digits/symbols and a word typed twice."""

    _cache: frozenset[str] | None = None

    def _breached(self) -> frozenset[str]:
        if BreachedPasswordValidator._cache is None:
            BreachedPasswordValidator._cache = _breached_list()
        return BreachedPasswordValidator._cache

    def validate(self, password: str, user: Any = None) -> None:
        if not _is_agency(user):
            return
        lowered = password.lower().strip()
        candidates = {lowered, lowered.translate(_LEET), lowered.rstrip("0123456789!?.#*"),
                      lowered.translate(_LEET).rstrip("0123456789!?.#*")}
        for candidate in list(candidates):
            half = len(candidate) // 2
            if len(candidate) % 2 == 0 and candidate[:half] == candidate[half:]:
                candidates.add(candidate[:half])
        if any(c and c in self._breached() for c in candidates):
            raise ValidationError("This password appears in lists of passwords leaked in data breaches, "
                                  "which attackers try first. Choose a different one.", code="password_breached")

    def get_help_text(self) -> str:
        return "Your password cannot be one that has appeared in known data breaches."
