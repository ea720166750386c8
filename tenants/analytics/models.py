"""What the analytics pages read: rollups of the event log and conversations, insights, lead values.

The event log itself (`Event`) belongs to tenants.conversations, which writes it (docs/decisions/0016).
"""

from django.contrib.postgres.fields import ArrayField
from django.db import models


class RollupCounts(models.Model):
    """The additive counts both rollup grains share. Each column is one rule of tenants/analytics/metrics.py."""

    messages = models.PositiveIntegerField(default=0)  # AN-1
    bot_replies = models.PositiveIntegerField(default=0)  # AN-6 denominator
    fallback_replies = models.PositiveIntegerField(default=0)  # AN-6 numerator
    sessions = models.PositiveIntegerField(default=0)  # AN-4 denominator
    returning_sessions = models.PositiveIntegerField(default=0)  # AN-4
    engaged_sessions = models.PositiveIntegerField(default=0)  # VAL-1 engagement: visits with a visitor message
    conversations = models.PositiveIntegerField(default=0)  # VAL-4 lead rate denominator
    conversations_over = models.PositiveIntegerField(default=0)  # AN-5 denominator
    conversations_completed = models.PositiveIntegerField(default=0)  # AN-5 numerator
    leads = models.PositiveIntegerField(default=0)  # AN-2
    hot_leads = models.PositiveIntegerField(default=0)  # AN-8
    booking_clicks = models.PositiveIntegerField(default=0)  # AN-3
    # AN-7: counts of bot replies per server-time bucket (edges in metrics.RESPONSE_MS_EDGES).
    server_ms_histogram = ArrayField(models.PositiveIntegerField(), default=list, blank=True)
    model_ms_histogram = ArrayField(models.PositiveIntegerField(), default=list, blank=True)

    class Meta:
        abstract = True


class HourlyRollup(RollupCounts):
    """One row per UTC hour that had any activity; the heatmap and business hours read these."""

    hour = models.DateTimeField(unique=True)

    class Meta:
        ordering = ["hour"]

    def __str__(self) -> str:
        return f"rollup {self.hour:%Y-%m-%d %H}:00 UTC"


class DailyRollup(RollupCounts):
    """One row per day in the client's time zone (the zone at the time of computing)."""

    day = models.DateField(unique=True)
    sentiment_positive = models.PositiveIntegerField(default=0)
    sentiment_neutral = models.PositiveIntegerField(default=0)
    sentiment_negative = models.PositiveIntegerField(default=0)
    leads_by_type = models.JSONField(default=dict, blank=True)
    tags = models.JSONField(default=dict, blank=True)
    widget_loads = models.PositiveIntegerField(default=0)
    crisis_conversations = models.PositiveIntegerField(default=0)
    feedback_up = models.PositiveIntegerField(default=0)
    feedback_down = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["day"]

    def __str__(self) -> str:
        return f"rollup {self.day}"


class RollupState(models.Model):
    """Singleton: how far the rollups are known to be current (and in which time zone)."""

    computed_through = models.DateTimeField(null=True, blank=True)
    timezone = models.CharField(max_length=64, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"rollups through {self.computed_through}"


class QuestionVector(models.Model):
    """VAL-2: one embedded visitor question, filled by the insights task for grouping similar wordings."""

    message_id = models.BigIntegerField(unique=True)
    created_at = models.DateTimeField(db_index=True)
    text = models.CharField(max_length=300)
    vector = models.BinaryField()  # float32, L2-normalised

    def __str__(self) -> str:
        return self.text


class LeadValue(models.Model):
    """VAL-8: the admin-set average sale value for one lead type; Client.avg_sale_value_cents otherwise."""

    lead_type = models.CharField(max_length=24, unique=True)
    value_cents = models.PositiveIntegerField()

    def __str__(self) -> str:
        return f"{self.lead_type}: {self.value_cents / 100:.2f}"


class Snapshot(models.Model):
    """Results of slow jobs the pages read as they are (the lead forecast, PRM-2)."""

    kind = models.CharField(max_length=32, unique=True)
    computed_at = models.DateTimeField()
    payload = models.JSONField(default=dict)

    def __str__(self) -> str:
        return self.kind
