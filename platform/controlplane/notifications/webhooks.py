"""BEY-2: signing outgoing webhooks, and the check that a client's URL is a public http(s) address.

Signature header (the same scheme as Stripe's, so receivers can reuse familiar code):

    Shoreline-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, f"{t}.{body}")>
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from django.conf import settings

from controlplane.core.outbound import OutboundRefused, resolve

SIGNATURE_HEADER = "Shoreline-Signature"
EVENT_ID_HEADER = "Shoreline-Event-Id"
EVENT_TYPE_HEADER = "Shoreline-Event-Type"


class UnsafeWebhookUrl(ValueError):
    """The URL is not a public http(s) address; the message says why, in words a person can act on."""


def webhook_secret_new() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def webhook_signature(*, secret: str, timestamp: int, body: bytes) -> str:
    signed = f"{timestamp}.".encode() + body
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def webhook_allowed_private_hosts() -> frozenset[str]:
    return frozenset(settings.NOTIFICATIONS_WEBHOOK_ALLOWED_PRIVATE_HOSTS)


def outbound_url_check(url: str) -> None:
    """Refuse anything but a public http(s) URL, with the platform's one outbound-fetch guard
    (controlplane.core.outbound: private, loopback, link-local, reserved and our own hosts refused).
    Called when the URL is saved and again by the delivery itself, which connects to the checked address.
    """
    try:
        resolve(url, extra_allowed=webhook_allowed_private_hosts())
    except OutboundRefused as refused:
        raise UnsafeWebhookUrl(str(refused)) from refused
