"""Entry point of every agency portal page that touches one client's data.

Order matters: the role check first (anonymous → login, client users and wrong roles → 403),
then the client (unknown slug → 404), then the client's schema, entered for the whole view.
Every id in the URL is therefore looked up in that client's schema only: another client's id
can never reach another client's rows.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django_tenants.utils import tenant_context

from controlplane.accounts.decorators import admin_required, agency_required
from controlplane.clients.selectors import client_get


def client_portal_view(*, admin: bool = False) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    role_check = admin_required if admin else agency_required

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @role_check
        @wraps(view)
        def wrapped(request: HttpRequest, slug: str, *args: Any, **kwargs: Any) -> HttpResponse:
            client = client_get(slug=slug)
            if client is None:
                raise Http404("No such client.")
            with tenant_context(client):
                return view(request, client, *args, **kwargs)

        return wrapped

    return decorator


def get_or_404(queryset: Any, **lookup: Any) -> Any:
    found = queryset.filter(**lookup).first()
    if found is None:
        raise Http404
    return found
