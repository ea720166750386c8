"""ADM-1/ADM-2: the Needs Review item — what the bot could not handle well. The review app owns it:
model, services (open, dismiss, resolve, to-FAQ), selectors and the agency's pages."""

from django.db import models


class ReviewItem(models.Model):
    """ADM-1/ADM-2: what the bot could not handle well, for the agency to close the loop on."""

    class Kind(models.TextChoices):
        UNKNOWN_QUESTION = "unknown_question", "Unknown question"
        FALLBACK = "fallback", "Fallback"
        CRISIS = "crisis", "Crisis"
        THUMBS_DOWN = "thumbs_down", "Thumbs down"
        HANDOFF = "handoff", "Handoff request"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        RESOLVED = "resolved", "Resolved"
        DISMISSED = "dismissed", "Dismissed"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True)
    conversation = models.ForeignKey("conversations.Conversation", on_delete=models.CASCADE, related_name="review_items")
    message = models.ForeignKey("conversations.Message", on_delete=models.SET_NULL, null=True, blank=True)
    question = models.TextField(blank=True)
    reason = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.CharField(max_length=254, blank=True)
    # ADM-1: the agency user who owns the item (an id in the public schema's users table; no FK across schemas)
    assigned_to_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        # Moved from the conversations app without moving data (migrations: SeparateDatabaseAndState).
        db_table = "conversations_reviewitem"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.kind} ({self.status})"
