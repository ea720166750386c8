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
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["client_id", "day"]
        constraints = [models.UniqueConstraint(fields=["client", "day"], name="unique_client_daily_rollup")]
        indexes = [models.Index(fields=["day"])]

    def __str__(self) -> str:
        return f"client {self.client_id} on {self.day}"
