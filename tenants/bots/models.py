from django.db import models


class BotStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    PAUSED = "paused", "Paused"
    OVER_LIMIT = "over_limit", "Over limit"
    NEEDS_UPDATE = "needs_update", "Needs update"


class Bot(models.Model):
    name = models.CharField(max_length=120)
    status = models.CharField(max_length=16, choices=BotStatus.choices, default=BotStatus.ACTIVE)
    published_version = models.ForeignKey("BotConfigVersion", on_delete=models.SET_NULL, null=True, blank=True,
                                          related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class BotConfigVersion(models.Model):
    """KB-5/BOT-4: every change is a new version; only approved versions are ever published."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted for approval"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"

    bot = models.ForeignKey(Bot, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    config = models.JSONField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    note = models.CharField(max_length=300, blank=True)
    created_by = models.CharField(max_length=254, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.CharField(max_length=254, blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_comment = models.TextField(blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    # BOT-5: the draft changed business info, so the knowledge must be rebuilt before it is approved.
    requires_rebuild = models.BooleanField(default=False)
    # BEY-5: the regression run done at submit: [{"case_id", "name", "passed", "failures", "reply", ...}]
    test_results = models.JSONField(default=list, blank=True)
    override_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["bot", "number"], name="unique_bot_version_number")]

    def __str__(self) -> str:
        return f"bot {self.bot_id} v{self.number} ({self.status})"


class BotTestCase(models.Model):
    """BEY-5: a saved test conversation; every submitted version must pass it (or be overridden)."""

    bot = models.ForeignKey(Bot, on_delete=models.CASCADE, related_name="test_cases")
    name = models.CharField(max_length=120)
    question = models.TextField(max_length=1000)
    expect_not_fallback = models.BooleanField(default=True)
    expect_contains = models.CharField(max_length=200, blank=True)
    expect_crisis = models.BooleanField(null=True, blank=True)  # None: either is fine
    created_by = models.CharField(max_length=254, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

