"""Role checks for agency views. Every portal view carries one (SEC-7)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from controlplane.accounts.models import AGENCY_ROLES, Role

View = Callable[..., HttpResponse]


def _require(roles: frozenset[str]) -> Callable[[View], View]:
    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            tenant = getattr(request, "tenant", None)
            if request.user.role not in roles or tenant is None or tenant.schema_name != "public":
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapped.required_roles = roles  # type: ignore[attr-defined]
        return wrapped

    return decorator


agency_required = _require(frozenset(AGENCY_ROLES))
admin_required = _require(frozenset({Role.PLATFORM_ADMIN}))
