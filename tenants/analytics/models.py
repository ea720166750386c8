from django.db import models


class Event(models.Model):
    """Append-only facts every metric is computed from (see docs/metrics.md)."""

    class Kind(models.TextChoices):
        WIDGET_LOAD = "widget_load", "Widget loaded"
        SESSION_START = "session_start", "Session started"
        MESSAGE = "message", "Bot replied"
        LEAD_CAPTURED = "lead_captured", "Lead captured"
        BOOKING_CLICK = "booking_click", "Booking link clicked"
        FALLBACK = "fallback", "Fallback reply"
        CRISIS = "crisis", "Crisis detected"
        FEEDBACK = "feedback", "Answer feedback"
        HANDOFF = "handoff", "Handoff requested"

    kind = models.CharField(max_length=16, choices=Kind.choices)
    occurred_at = models.DateTimeField()
    bot_id = models.PositiveBigIntegerField()
    visitor_id = models.BigIntegerField(null=True, blank=True)
    conversation_id = models.UUIDField(null=True, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        indexes = [models.Index(fields=["kind", "occurred_at"]), models.Index(fields=["occurred_at"])]
