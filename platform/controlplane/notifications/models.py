"""The notification layer's tables (public schema): settings, the outbox and one row per delivery.

Why the outbox: an event is written in the same transaction as the change that caused it, so a
crash can never leave a lead without its alert or an alert without its lead. Delivery happens
after commit; the `Delivery` row (unique per event, channel and recipient) is what makes a
retry, a redelivered Celery message or a sweep harmless: it is claimed before the provider call
and a delivery that reached "sending" is never sent again.
"""

from __future__ import annotations

from django.db import models


class EventKind(models.TextChoices):
    LEAD_CREATED = "lead.created", "New lead"
    LEAD_HOT = "lead.hot", "Hot lead"
    LEAD_UPDATED = "lead.updated", "Lead updated"
    CRISIS = "crisis", "Crisis alert"
    HANDOFF_REQUESTED = "handoff.requested", "Visitor asked for a person"
    CONVERSATION_ENDED = "conversation.ended", "Conversation ended"
    WEEKLY_SUMMARY = "weekly.summary", "Weekly summary"
    USAGE_NEAR_LIMIT = "usage.near_limit", "Usage at 80 % of the plan"
    USAGE_LIMIT_REACHED = "usage.limit_reached", "Usage at the plan's limit"
    PAYMENT_FAILED = "billing.payment_failed", "Payment failed"


# Which kinds a person can receive by SMS / email, and which a webhook endpoint can subscribe to.
PERSON_KINDS = (EventKind.LEAD_CREATED, EventKind.LEAD_HOT, EventKind.CRISIS, EventKind.HANDOFF_REQUESTED)
WEBHOOK_KINDS = (EventKind.LEAD_CREATED, EventKind.LEAD_UPDATED, EventKind.HANDOFF_REQUESTED,
                 EventKind.CONVERSATION_ENDED)
# Alerts that go out at once, whatever the quiet hours say.
URGENT_KINDS = (EventKind.CRISIS,)
# Account alerts: by email to the client's owners and to the agency (its active platform admins),
# not to the client's alert recipients; AGENCY_ONLY_KINDS go to the agency alone.
ACCOUNT_KINDS = (EventKind.USAGE_NEAR_LIMIT, EventKind.USAGE_LIMIT_REACHED, EventKind.PAYMENT_FAILED)
AGENCY_ONLY_KINDS = (EventKind.PAYMENT_FAILED,)


class NotificationSettings(models.Model):
    """One row per client: quiet hours (in the client's time zone) and the weekly email digest."""

    client = models.OneToOneField("clients.Client", on_delete=models.CASCADE, related_name="notification_settings")
    quiet_start = models.TimeField(null=True, blank=True)
    quiet_end = models.TimeField(null=True, blank=True)
    weekly_digest = models.BooleanField(default=True)
    weekly_digest_changed_by = models.CharField(max_length=254, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"notification settings of {self.client_id}"


class Recipient(models.Model):
    """A person the client wants alerted, with the events they get by SMS and by email."""

    client = models.ForeignKey("clients.Client", on_delete=models.CASCADE, related_name="notification_recipients")
    name = models.CharField(max_length=120)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=20, blank=True)  # E.164
    sms_kinds = models.JSONField(default=list)
    email_kinds = models.JSONField(default=list)
    weekly_summary = models.BooleanField(default=False)
    # SMS consent: when the admin recorded the person's opt-in, and when they texted STOP.
    sms_opt_in_at = models.DateTimeField(null=True, blank=True)
    sms_opt_in_note = models.CharField(max_length=200, blank=True)
    sms_stopped_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["phone"])]

    def __str__(self) -> str:
        return f"recipient {self.pk} of {self.client_id}"

    @property
    def can_receive_sms(self) -> bool:
        return bool(self.phone and self.sms_opt_in_at and self.sms_stopped_at is None)


class OutboxEvent(models.Model):
    client = models.ForeignKey("clients.Client", on_delete=models.CASCADE, related_name="outbox_events")
    kind = models.CharField(max_length=32, choices=EventKind.choices)
    payload = models.JSONField(default=dict)
    dedupe_key = models.CharField(max_length=200, unique=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    # Set once the deliveries of this event exist; the sweep plans any event still without it.
    planned_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.pk}"


class Channel(models.TextChoices):
    SMS = "sms", "SMS"
    EMAIL = "email", "Email"
    WEBHOOK = "webhook", "Webhook"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Queued"
    SCHEDULED = "scheduled", "Held for quiet hours"
    SENDING = "sending", "Sending"
    RETRYING = "retrying", "Retrying"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"


OPEN_STATUSES = (DeliveryStatus.PENDING, DeliveryStatus.SCHEDULED, DeliveryStatus.RETRYING)


class Delivery(models.Model):
    event = models.ForeignKey(OutboxEvent, on_delete=models.CASCADE, related_name="deliveries")
    client = models.ForeignKey("clients.Client", on_delete=models.CASCADE, related_name="notification_deliveries")
    channel = models.CharField(max_length=8, choices=Channel.choices)
    recipient = models.CharField(max_length=254)  # phone, email, or the webhook endpoint id
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING,
                              db_index=True)
    idempotency_key = models.CharField(max_length=80)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True, db_index=True)
    provider_id = models.CharField(max_length=80, blank=True)
    provider_answer = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["event", "channel", "recipient"],
                                               name="notification_delivery_once")]

    def __str__(self) -> str:
        return f"{self.channel} delivery {self.pk} ({self.status})"


class WebhookEndpoint(models.Model):
    """BEY-2: a client's CRM or automation URL, with its own signing secret."""

    client = models.ForeignKey("clients.Client", on_delete=models.CASCADE, related_name="webhook_endpoints")
    url = models.URLField(max_length=500)
    kinds = models.JSONField(default=list)
    secret = models.CharField(max_length=80)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"webhook {self.pk} of {self.client_id}"


class LiveHandoff(models.Model):
    """BEY-1: one conversation a person should look at (the visitor asked for one, or a crisis), so the
    portal lists open handoffs across every client without opening every schema. The client's
    conversation stays the source of truth; this row is written in the same transaction as it."""

    class Status(models.TextChoices):
        WAITING = "waiting", "Waiting for a person"
        HELD = "held", "A person is replying"
        CLOSED = "closed", "Back with the bot"

    client = models.ForeignKey("clients.Client", on_delete=models.CASCADE, related_name="live_handoffs")
    conversation_id = models.UUIDField()
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.WAITING)
    crisis = models.BooleanField(default=False)
    requested_at = models.DateTimeField()
    last_visitor_at = models.DateTimeField(null=True, blank=True)
    held_by = models.ForeignKey("accounts.User", on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="+")
    held_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["client", "conversation_id"], name="unique_live_handoff")]
        indexes = [models.Index(fields=["status", "requested_at"])]

    def __str__(self) -> str:
        return f"handoff {self.conversation_id} ({self.status})"
