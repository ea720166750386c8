"""Every time is shown in the zone of the client it belongs to, and pages name the zone.

- On a client's host: that client's zone (templates, forms, exports).
- On the agency portal, pages about one client (/portal/clients/<slug>/…, /portal/review/<slug>/…):
  that client's zone too, so an admin reads the same clock as the client.
- Cross-client portal pages (lists, audit, errors, metrics): UTC, labelled "UTC".
The shell's `brand.zone` (frontend/context_processors.py) names the active zone for the templates.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from controlplane.clients.models import Client

_CLIENT_PORTAL_PATH = re.compile(r"^/portal/(?:clients|review)/(?P<slug>[a-z0-9][-a-z0-9_]*)/")


def _zone(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name) if name else None
    except (ZoneInfoNotFoundError, ValueError):
        return None


def _portal_client_zone_name(request: HttpRequest) -> str:
    """The zone of the one client an agency portal page is about ("" on cross-client pages)."""
    match = _CLIENT_PORTAL_PATH.match(request.path_info)
    user = getattr(request, "user", None)
    if match is None or user is None or not user.is_authenticated:
        return ""
    return Client.objects.filter(slug=match["slug"]).values_list("timezone", flat=True).first() or ""


class ClientTimeZoneMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        tenant = getattr(request, "tenant", None)
        on_client_host = tenant is not None and tenant.schema_name != "public"
        name = getattr(tenant, "timezone", "") if on_client_host else _portal_client_zone_name(request)
        zone = _zone(name)
        if zone is None:
            timezone.deactivate()
            return self.get_response(request)
        timezone.activate(zone)
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
