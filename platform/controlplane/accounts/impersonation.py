"""AX-9: an admin views a client's dashboard as the client sees it — audited, bannered, read-only.

The portal (public host) signs a short-lived ticket; the client host redeems it once
and opens a separate, host-only session for the admin. Cookies never cross hosts.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.core import signing
from django.core.cache import cache
from django_tenants.utils import schema_context

from controlplane.audit.services import audit_record
from controlplane.clients.models import Client

_SALT = "shoreline.impersonation"
TICKET_MAX_AGE_SECONDS = 60


class ImpersonationError(Exception):
    pass


def impersonation_ticket_issue(*, admin: Any, client: Client, request: Any = None) -> str:
    if not admin.is_platform_admin:
        raise ImpersonationError("Only platform admins may view a client's dashboard as the client.")
    nonce = secrets.token_urlsafe(16)
    audit_record(action="impersonation.started", actor=admin, target=client, client_slug=client.slug,
                 request=request)
    return signing.dumps({"admin": admin.pk, "schema": client.schema_name, "nonce": nonce}, salt=_SALT)


def impersonation_ticket_redeem(*, ticket: str, schema_name: str) -> dict[str, Any]:
    try:
        payload: dict[str, Any] = signing.loads(ticket, salt=_SALT, max_age=TICKET_MAX_AGE_SECONDS)
    except signing.BadSignature as error:
        raise ImpersonationError("This impersonation link is invalid or has expired.") from error
    if payload.get("schema") != schema_name:
        raise ImpersonationError("This impersonation link is for another client.")
    # One use only: the nonce is burnt in the shared (public-keyed) cache.
    with schema_context("public"):
        if not cache.add(f"impersonation-nonce:{payload['nonce']}", 1, timeout=TICKET_MAX_AGE_SECONDS * 2):
            raise ImpersonationError("This impersonation link has already been used.")
    return payload
