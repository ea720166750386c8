import re
from typing import Any

from django.http import HttpRequest
from django.utils import timezone

from controlplane.accounts.middleware import SESSION_IMPERSONATION_KEY
from controlplane.clients.branding import agency_brand, logo_url
from frontend.templatetags.shoreline_ui import ink_for
from tenants.analytics.labels import zone_label

DEFAULT_ACCENT = "#0ea5b7"
_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")


def shell(request: HttpRequest) -> dict[str, Any]:
    """What every shell needs: which host we are on, the client's brand, impersonation state."""
    tenant = getattr(request, "tenant", None)
    on_client_host = tenant is not None and tenant.schema_name != "public"
    session = getattr(request, "session", None)
    agency = agency_brand()
    accent = tenant.accent_color if tenant is not None and on_client_host else agency.accent_color
    # The accent lands in a style attribute: accept only a plain #rrggbb value.
    if not isinstance(accent, str) or not _HEX.match(accent):
        accent = DEFAULT_ACCENT
    return {
        "on_client_host": on_client_host,
        "brand": {
            "name": tenant.name if tenant is not None and on_client_host else agency.name,
            "accent": accent,
            "ink": ink_for(accent),
            # UX-2: the client's logo on its host (else its initials), the agency's on the portal.
            "logo_url": logo_url(getattr(tenant, "logo_name", "") if on_client_host else agency.logo_name),
            # Every time on a client host is in the client's zone (ClientTimeZoneMiddleware); pages say which.
            "zone": zone_label(timezone.get_current_timezone()),
        },
        # White label: who the product says it is ("Powered by" is "" when the agency hides it).
        "agency": {"name": agency.name, "support_email": agency.support_email, "website": agency.website,
                   "powered_by": agency.powered_by, "logo_url": logo_url(agency.logo_name)},
        "impersonation": session.get(SESSION_IMPERSONATION_KEY) if session is not None else None,
    }
