"""Visitors, their sessions and conversations, and every message."""

import uuid

from django.contrib.postgres.fields import ArrayField
from django.db import models


class Visitor(models.Model):
    """WID-6: an anonymous visitor, identified by the id the widget keeps in localStorage."""

    visitor_key = models.CharField(max_length=64, unique=True)
    first_seen_at = models.DateTimeField()
    last_seen_at = models.DateTimeField()
    session_count = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return self.visitor_key

    @property
    def is_returning(self) -> bool:
        return self.session_count > 1


class VisitorSession(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    visitor = models.ForeignKey(Visitor, on_delete=models.CASCADE, related_name="sessions")
    # Visitor history stays when a bot would be deleted (PROTECT, docs/decisions/0026-bot-foreign-keys.md); a client has
    # a handful of bots, so an index on the column would not be selective.
    bot = models.ForeignKey("bots.Bot", on_delete=models.PROTECT, db_column="bot_id", db_index=False,
                            related_name="visitor_sessions")
    started_at = models.DateTimeField(db_index=True)
    origin = models.CharField(max_length=255, blank=True)
    page_url = models.CharField(max_length=2000, blank=True)
    is_returning = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"session {self.pk} of visitor {self.visitor_id}"


class Conversation(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "Open"
        ENDED = "ended", "Ended"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    visitor = models.ForeignKey(Visitor, on_delete=models.CASCADE, related_name="conversations")
    session = models.ForeignKey(VisitorSession, on_delete=models.SET_NULL, null=True, blank=True)
    # Visitor history stays when a bot would be deleted (PROTECT, docs/decisions/0026-bot-foreign-keys.md); a client has
    # a handful of bots, so an index on the column would not be selective.
    bot = models.ForeignKey("bots.Bot", on_delete=models.PROTECT, db_column="bot_id", db_index=False,
                            related_name="conversations")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    started_at = models.DateTimeField(db_index=True)
    last_message_at = models.DateTimeField(db_index=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    message_count = models.PositiveIntegerField(default=0)
    lead_type = models.CharField(max_length=24, blank=True)
    sentiment = models.CharField(max_length=8, blank=True)
    crisis_level = models.CharField(max_length=8, default="none")
    asked_for_contact = models.BooleanField(default=False)
    handoff_requested_at = models.DateTimeField(null=True, blank=True)
    # BEY-1 live handoff: while a person holds the conversation the bot stays quiet.
    held_by_email = models.CharField(max_length=254, blank=True)
    held_by_name = models.CharField(max_length=60, blank=True)  # the first name the visitor sees
    held_at = models.DateTimeField(null=True, blank=True)
    handoff_closed_at = models.DateTimeField(null=True, blank=True)
    summary = models.TextField(blank=True)
    tags = ArrayField(models.CharField(max_length=40), default=list, blank=True)
    # When a summary task was last queued for it: the sweep re-queues a lost one, not one still waiting.
    summary_queued_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-last_message_at"]
        indexes = [models.Index(fields=["status", "last_message_at"])]

    def __str__(self) -> str:
        return f"conversation {self.pk} ({self.status})"


class Message(models.Model):
    class Role(models.TextChoices):
        VISITOR = "visitor", "Visitor"
        BOT = "bot", "Bot"
        STAFF = "staff", "Team member"  # BEY-1: a person's reply from the portal

    class Feedback(models.TextChoices):
        UP = "up", "Helpful"
        DOWN = "down", "Not helpful"

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="messages")
    role = models.CharField(max_length=8, choices=Role.choices)
    text = models.TextField()
    created_at = models.DateTimeField(db_index=True)
    # Bot replies only
    answered_by = models.CharField(max_length=16, blank=True)
    is_fallback = models.BooleanField(default=False)
    citations = models.JSONField(default=list, blank=True)
    server_ms = models.FloatField(null=True, blank=True)
    model_ms = models.FloatField(null=True, blank=True)
    input_tokens = models.PositiveIntegerField(default=0)
    output_tokens = models.PositiveIntegerField(default=0)
    model_name = models.CharField(max_length=64, blank=True)
    feedback = models.CharField(max_length=4, choices=Feedback.choices, blank=True)
    author_name = models.CharField(max_length=60, blank=True)  # staff replies: the first name shown
    # Visitor messages only: what detect found
    lead_type = models.CharField(max_length=24, blank=True)
    sentiment = models.CharField(max_length=8, blank=True)
    crisis_level = models.CharField(max_length=8, blank=True)
    buying_intent = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["conversation", "created_at"])]

    def __str__(self) -> str:
        return f"{self.role}: {self.text[:60]}"


class Event(models.Model):
    """Append-only facts every metric is computed from (see docs/metrics.md). Written by this app's
    services as things happen in the widget; tenants.analytics reads them into rollups."""

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
    # Visitor history stays when a bot would be deleted (PROTECT, docs/decisions/0026-bot-foreign-keys.md); a client has
    # a handful of bots, so an index on the column would not be selective.
    bot = models.ForeignKey("bots.Bot", on_delete=models.PROTECT, db_column="bot_id", db_index=False,
                            related_name="events")
    visitor_id = models.BigIntegerField(null=True, blank=True)
    conversation_id = models.UUIDField(null=True, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        # The table kept its name when the model moved here from analytics (docs/decisions/0016).
        db_table = "analytics_event"
        indexes = [models.Index(fields=["kind", "occurred_at"]), models.Index(fields=["occurred_at"]),
                   models.Index(fields=["conversation_id"])]

    def __str__(self) -> str:
        return f"{self.kind} at {self.occurred_at:%Y-%m-%d %H:%M}"



# The review item moved to tenants.review (docs/decisions/0014-review-in-one-app.md). This alias keeps
# `from tenants.conversations.models import ReviewItem` working for existing callers and tests; new
# code imports tenants.review.models. It is the same class (app label "review"), not a second model.
from tenants.review.models import ReviewItem  # noqa: E402

__all__ = ["Conversation", "Event", "Message", "ReviewItem", "Visitor", "VisitorSession"]
