"""Writes of the notification settings: recipients, quiet hours, digest, SMS consent, webhook endpoints.

The outbox itself (emit, plan, send, sweep) is in outbox.py; `notification_emit` is re-exported here
so callers have one import.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time
from typing import Any

from django.db import transaction
from django.utils import timezone

from controlplane.audit.services import audit_record
from controlplane.clients.models import Client
from controlplane.notifications.models import (
    PERSON_KINDS,
    WEBHOOK_KINDS,
    NotificationSettings,
    Recipient,
    WebhookEndpoint,
)
from controlplane.notifications.outbox import delivery_replay, notification_emit, notifications_emit
from controlplane.notifications.webhooks import outbound_url_check, webhook_secret_new

__all__ = ["delivery_replay", "notification_emit", "notifications_emit", "notification_settings_update", "recipient_create",
           "recipient_delete", "sms_inbound_keyword", "webhook_endpoint_create", "webhook_endpoint_delete",
           "weekly_digest_set"]

STOP_WORDS = frozenset({"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT"})
START_WORDS = frozenset({"START", "UNSTOP", "YES", "OPTIN"})


def notification_settings_get(*, client: Client) -> NotificationSettings:
    found, _ = NotificationSettings.objects.get_or_create(client=client)
    return found


def notification_settings_update(*, client: Client, quiet_start: time | None, quiet_end: time | None,
                                 actor: Any = None, request: Any = None) -> NotificationSettings:
    with transaction.atomic():
        found = notification_settings_get(client=client)
        found.quiet_start, found.quiet_end = quiet_start, quiet_end
        found.save(update_fields=["quiet_start", "quiet_end", "updated_at"])
        audit_record(action="notifications.quiet_hours", actor=actor, client_slug=client.slug, request=request,
                     data={"start": str(quiet_start or ""), "end": str(quiet_end or "")})
    return found


def weekly_digest_set(*, client: Client, enabled: bool, actor: Any = None, request: Any = None) -> NotificationSettings:
    """The client's owner (or an admin) turns the weekly summary email on or off."""
    with transaction.atomic():
        found = notification_settings_get(client=client)
        found.weekly_digest = enabled
        found.weekly_digest_changed_by = getattr(actor, "email", "")[:254]
        found.save(update_fields=["weekly_digest", "weekly_digest_changed_by", "updated_at"])
        audit_record(action="notifications.weekly_digest", actor=actor, client_slug=client.slug, request=request,
                     data={"enabled": enabled})
    return found


def recipient_create(*, client: Client, name: str, email: str = "", phone: str = "", sms_kinds: list[str],
                     email_kinds: list[str], weekly_summary: bool = False, sms_opt_in_note: str = "",
                     actor: Any = None, request: Any = None) -> Recipient:
    """A person to alert. SMS needs a recorded opt-in (`sms_opt_in_note`: how they agreed)."""
    person = Recipient(
        client=client, name=name, email=email, phone=phone,
        sms_kinds=[k for k in sms_kinds if k in PERSON_KINDS], email_kinds=[k for k in email_kinds if k in PERSON_KINDS],
        weekly_summary=weekly_summary, sms_opt_in_note=sms_opt_in_note[:200],
        sms_opt_in_at=timezone.now() if phone and sms_opt_in_note else None,
    )
    with transaction.atomic():
        person.save()
        audit_record(action="notifications.recipient_add", actor=actor, client_slug=client.slug, request=request,
                     target=person, data={"sms": bool(person.sms_kinds), "email": bool(person.email_kinds)})
    return person


def recipient_delete(*, client: Client, recipient_id: int, actor: Any = None, request: Any = None) -> bool:
    with transaction.atomic():
        deleted, _ = Recipient.objects.filter(client=client, pk=recipient_id).delete()
        if deleted:
            audit_record(action="notifications.recipient_remove", actor=actor, client_slug=client.slug, request=request,
                         target_type="notifications.recipient", target_id=recipient_id)
    return bool(deleted)


def sms_inbound_keyword(*, phone: str, body: str) -> str | None:
    """Twilio forwards replies to our number: STOP stops every SMS to that phone, START resumes.
    Returns "stopped" / "started", or None for any other text."""
    word = body.strip().upper()
    now = timezone.now()
    if word in STOP_WORDS:
        Recipient.objects.filter(phone=phone, sms_stopped_at__isnull=True).update(sms_stopped_at=now)
        return "stopped"
    if word in START_WORDS:
        Recipient.objects.filter(phone=phone).update(sms_stopped_at=None, sms_opt_in_at=now,
                                                     sms_opt_in_note="Texted START")
        return "started"
    return None


@dataclass(frozen=True)
class CreatedEndpoint:
    endpoint: WebhookEndpoint
    secret: str  # shown to the admin once, never again


def webhook_endpoint_create(*, client: Client, url: str, kinds: list[str], actor: Any = None,
                            request: Any = None) -> CreatedEndpoint:
    """Raises UnsafeWebhookUrl when the URL is not a public http(s) address."""
    outbound_url_check(url)
    secret = webhook_secret_new()
    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.create(client=client, url=url, secret=secret,
                                                  kinds=[k for k in kinds if k in WEBHOOK_KINDS])
        audit_record(action="notifications.webhook_add", actor=actor, client_slug=client.slug, request=request,
                     target=endpoint, data={"kinds": endpoint.kinds})
    return CreatedEndpoint(endpoint=endpoint, secret=secret)


def webhook_endpoint_delete(*, client: Client, endpoint_id: int, actor: Any = None, request: Any = None) -> bool:
    with transaction.atomic():
        updated = WebhookEndpoint.objects.filter(client=client, pk=endpoint_id, active=True).update(active=False)
        if updated:
            audit_record(action="notifications.webhook_remove", actor=actor, client_slug=client.slug, request=request,
                         target_type="notifications.webhookendpoint", target_id=endpoint_id)
    return bool(updated)
