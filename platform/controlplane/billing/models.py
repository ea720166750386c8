from django.db import models


class OveragePolicy(models.TextChoices):
    PAUSE = "pause", "Pause the bot at the quota"
    SOFT_LIMIT = "soft_limit", "Keep answering, bill overage"


class Plan(models.Model):
    key = models.SlugField(max_length=32, unique=True)
    name = models.CharField(max_length=64)
    monthly_price_cents = models.PositiveIntegerField()
    monthly_message_quota = models.PositiveIntegerField()
    overage_policy = models.CharField(max_length=16, choices=OveragePolicy.choices)
    overage_cents_per_100_messages = models.PositiveIntegerField(default=0)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "key"]

    def __str__(self) -> str:
        return self.name

    @property
    def monthly_price(self) -> str:
        return f"${self.monthly_price_cents / 100:,.0f}"
