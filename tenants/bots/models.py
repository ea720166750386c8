from django.db import models


class BotStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    PAUSED = "paused", "Paused"
    OVER_LIMIT = "over_limit", "Over limit"
    NEEDS_UPDATE = "needs_update", "Needs update"


class Bot(models.Model):
    name = models.CharField(max_length=120)
    status = models.CharField(max_length=16, choices=BotStatus.choices, default=BotStatus.ACTIVE)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name
