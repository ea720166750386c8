from __future__ import annotations

from typing import Any

import requests
from django.conf import settings
from django.db.models import QuerySet

from controlplane.clients.models import Client
from controlplane.notifications.models import Delivery, NotificationSettings, Recipient, WebhookEndpoint


def notification_settings_for(*, client: Client) -> NotificationSettings:
    return NotificationSettings.objects.filter(client=client).first() or NotificationSettings(client=client)


def recipient_list(*, client: Client) -> QuerySet[Recipient]:
    return Recipient.objects.filter(client=client)


def webhook_endpoint_list(*, client: Client) -> QuerySet[WebhookEndpoint]:
    return WebhookEndpoint.objects.filter(client=client, active=True)


def delivery_log(*, client: Client, limit: int = 200) -> list[Delivery]:
    """The client's deliveries, newest first; webhook rows carry their endpoint's URL for display."""
    rows = list(Delivery.objects.filter(client=client).select_related("event")[:limit])
    urls = dict(WebhookEndpoint.objects.filter(client=client).values_list("pk", "url"))
    for row in rows:
        row.shown_recipient = urls.get(int(row.recipient), "removed endpoint") if row.channel == "webhook" else (
            row.recipient)
    return rows


def fake_outbox_contents() -> dict[str, Any]:
    """What the local fakes received (the demo's "Sent messages" page). Real providers: nothing to show."""
    sources = {"sms": settings.TWILIO_API_BASE, "email": settings.SENDGRID_API_HOST,
               "webhooks": settings.NOTIFICATIONS_DEMO_RECEIVER_URL}
    found: dict[str, Any] = {}
    for key, base in sources.items():
        if not base or not base.startswith(("http://127.0.0.1", "http://localhost")):
            found[key] = None
            continue
        try:
            response = requests.get(base.rstrip("/") + "/_fake/received", timeout=2)
            found[key] = list(reversed(response.json()["received"]))
        except (requests.RequestException, ValueError, KeyError):
            found[key] = "unreachable"
    return found
