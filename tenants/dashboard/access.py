"""Client dashboard access: a member of this client (or an impersonating admin) only."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from controlplane.accounts.middleware import SESSION_IMPERSONATION_KEY


def client_member_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        tenant = getattr(request, "tenant", None)
        if tenant is None or tenant.schema_name == "public":
            raise PermissionDenied
        # HostMembershipMiddleware already logged out anyone not allowed on this host;
        # this check stands on its own so a view never depends on middleware order.
        if not (request.session.get(SESSION_IMPERSONATION_KEY) or
                request.user.memberships.filter(client_id=tenant.pk).exists()):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    wrapped.required_roles = frozenset({"client"})  # type: ignore[attr-defined]
    return wrapped
