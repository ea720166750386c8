"""Cross-client daily figures in the public schema, so the portal ranks and lists clients
without opening every client's schema. Each client's rollup job keeps its own rows current."""

from django.db import models


class ClientDailyRollup(models.Model):
    client = models.ForeignKey("clients.Client", on_delete=models.CASCADE, related_name="daily_rollups")
    day = models.DateField()  # in the client's time zone
    messages = models.PositiveIntegerField(default=0)
    bot_replies = models.PositiveIntegerField(default=0)
    fallback_replies = models.PositiveIntegerField(default=0)
    sessions = models.PositiveIntegerField(default=0)
    conversations = models.PositiveIntegerField(default=0)
    leads = models.PositiveIntegerField(default=0)
    hot_leads = models.PositiveIntegerField(default=0)
    booking_clicks = models.PositiveIntegerField(default=0)
    lead_value_cents = models.PositiveBigIntegerField(default=0)
    widget_loads = models.PositiveIntegerField(default=0)  # AX-5: "no widget load in 7 days"
    # AX-8: {"gpt-4o-mini": {"replies": 12, "input_tokens": 9000, "output_tokens": 1500}, …} for the
    # bot replies of that day that called a model (tenants.analytics.metrics.model_usage_rows).
    model_usage = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["client_id", "day"]
        constraints = [models.UniqueConstraint(fields=["client", "day"], name="unique_client_daily_rollup")]
        indexes = [models.Index(fields=["day"])]

    def __str__(self) -> str:
        return f"client {self.client_id} on {self.day}"


class ClientReviewCount(models.Model):
    """ADM-1: how many review items each client has open, so the portal lists every client without
    opening every schema. Moved here from the former review_queue app, table unchanged; the review
    app's services adjust it after each commit (controlplane.rollups.services.review_count_*)."""

    client = models.OneToOneField("clients.Client", on_delete=models.CASCADE, related_name="review_count")
    open_count = models.PositiveIntegerField(default=0)
    # {"unknown_question": 2, "crisis": 1, ...}: open items per kind (kinds at zero are dropped)
    open_by_kind = models.JSONField(default=dict)
    latest_open_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "review_queue_clientreviewcount"
        ordering = ["-open_count", "client__name"]

    def __str__(self) -> str:
        return f"{self.client_id}: {self.open_count} open"


class ReviewQueueEntry(models.Model):
    """ADM-1: one row per OPEN review item of any client, so the agency's single triage list is one
    paginated query on the public schema, however many clients there are (docs/decisions/0031-cross-client-triage-index.md).

    The review app's services write it after their transaction commits (open → insert, close → delete,
    assign → owner); the conversation context shown in the list (summary, tags, intent, lead score) is
    copied here when the item opens and refreshed when the conversation is summarised or scored. It is
    an index of the client's rows, never the source of truth: `review_counts_recount` rebuilds it.
    """

    client = models.ForeignKey("clients.Client", on_delete=models.CASCADE, related_name="review_entries")
    item_id = models.BigIntegerField()  # the ReviewItem's id in the client's schema
    conversation_id = models.UUIDField()
    bot_id = models.BigIntegerField(null=True, blank=True)
    kind = models.CharField(max_length=20)
    priority = models.PositiveSmallIntegerField()  # 0 crisis, 1 handoff, 2 thumbs down, 3 unknown, 4 fallback
    question = models.CharField(max_length=500, blank=True)
    # Items with the same group key in one client are one row of the list ("asked 7 times").
    group_key = models.CharField(max_length=300)
    created_at = models.DateTimeField()
    owner = models.ForeignKey("accounts.User", on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="review_entries")
    summary = models.TextField(blank=True)
    tags = models.JSONField(default=list, blank=True)
    intent = models.CharField(max_length=24, blank=True)
    lead_score = models.CharField(max_length=4, blank=True)

    class Meta:
        ordering = ["priority", "created_at"]
        constraints = [models.UniqueConstraint(fields=["client", "item_id"], name="unique_review_entry")]
        indexes = [models.Index(fields=["priority", "created_at"]),
                   models.Index(fields=["client", "conversation_id"]),
                   models.Index(fields=["owner"])]

    def __str__(self) -> str:
        return f"{self.kind} item {self.item_id} of client {self.client_id}"


class ApprovalQueueEntry(models.Model):
    """BOT-4: one row per change of any client waiting for an admin (a knowledge draft, an FAQ draft or
    a submitted bot configuration), so the agency's single "Waiting for approval" list is one query
    on the public schema however many clients there are (docs/decisions/0035-cross-client-approvals-index.md).

    Written after the client's transaction commits by tenants.knowledge.approval_index (signals on the
    three draft models); an index, never the truth: `approval_entries_replace` rebuilds a client's rows.
    """

    class Kind(models.TextChoices):
        FAQ = "faq", "FAQ"
        ARTICLE = "article", "Article"
        DOCUMENT = "document", "Document"
        WEBSITE = "website", "Website"
        RECRAWL = "recrawl", "Website update"
        CONFIG = "config", "Bot settings"

    client = models.ForeignKey("clients.Client", on_delete=models.CASCADE, related_name="approval_entries")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    object_id = models.BigIntegerField()  # the draft's (or config version's) id in the client's schema
    bot_id = models.BigIntegerField()
    version_number = models.PositiveIntegerField(null=True, blank=True)  # config versions: their URL key
    title = models.CharField(max_length=300, blank=True)
    created_by = models.CharField(max_length=254, blank=True)
    # True when the draft changes something live (an edit), False for something new.
    changes_live = models.BooleanField(default=False)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["client", "kind", "object_id"], name="unique_approval_entry")]
        indexes = [models.Index(fields=["created_at"]), models.Index(fields=["client", "bot_id"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id} of client {self.client_id}"
