from typing import Any

from django.http import HttpRequest

from controlplane.accounts.middleware import SESSION_IMPERSONATION_KEY


def shell(request: HttpRequest) -> dict[str, Any]:
    """What every shell needs: which host we are on, the client's brand, impersonation state."""
    tenant = getattr(request, "tenant", None)
    on_client_host = tenant is not None and tenant.schema_name != "public"
    session = getattr(request, "session", None)
    return {
        "on_client_host": on_client_host,
        "brand": {
            "name": tenant.name if on_client_host else "Shoreline",
            "accent": tenant.accent_color if on_client_host else "#0ea5b7",
        },
        "impersonation": session.get(SESSION_IMPERSONATION_KEY) if session is not None else None,
    }
