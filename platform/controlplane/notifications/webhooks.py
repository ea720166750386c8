"""BEY-2: signing outgoing webhooks, and the check that a client's URL is a public http(s) address.

Signature header (the same scheme as Stripe's, so receivers can reuse familiar code):

    Shoreline-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, f"{t}.{body}")>
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets
import socket
from urllib.parse import urlsplit

from django.conf import settings

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


def outbound_url_check(url: str) -> None:
    """Refuse anything but a public http(s) URL (no private, loopback, link-local or reserved address).

    Local stand-in for the platform's outbound-fetch guard (being written in issue 12): swap the body
    for that guard at merge. Called when the URL is saved and again before every delivery, because
    DNS can change between the two.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise UnsafeWebhookUrl("The address must start with http:// or https://.")
    host = parts.hostname
    if not host:
        raise UnsafeWebhookUrl("The address has no host name.")
    if parts.username or parts.password:
        raise UnsafeWebhookUrl("The address must not contain a user name or password.")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as error:
        raise UnsafeWebhookUrl("The port number is not valid.") from error
    if f"{host}:{port}" in settings.NOTIFICATIONS_WEBHOOK_ALLOWED_PRIVATE_HOSTS:
        return
    try:
        infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError) as error:
        raise UnsafeWebhookUrl(f"The host name {host} could not be found.") from error
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if not address.is_global or address.is_multicast:
            raise UnsafeWebhookUrl(f"{host} points to a private or reserved address; use a public URL.")
