"""Failed logins and lockouts go to the audit log (SEC-9)."""

from __future__ import annotations

from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver

from controlplane.audit.services import audit_record


@receiver(user_login_failed)
def audit_login_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
    audit_record(
        action="auth.login_failed",
        actor_email=str(credentials.get("username", ""))[:254],
        request=request,
    )


@receiver(user_logged_in)
def audit_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    audit_record(action="auth.login", actor=user, target=user, request=request)


@receiver(user_locked_out)
def audit_lockout(sender: Any, request: Any = None, username: str | None = None, **kwargs: Any) -> None:
    audit_record(
        action="auth.lockout", actor_email=(username or "")[:254], request=request
    )
