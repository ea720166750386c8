from django.db import models


class Lead(models.Model):
    """One lead per conversation; later turns enrich it (ADM-5, ADM-6, ADM-8)."""

    class Score(models.TextChoices):
        HOT = "hot", "Hot"
        WARM = "warm", "Warm"
        COLD = "cold", "Cold"

    conversation = models.OneToOneField("conversations.Conversation", on_delete=models.CASCADE,
                                        related_name="lead")
    visitor = models.ForeignKey("conversations.Visitor", on_delete=models.CASCADE, related_name="leads")
    name = models.CharField(max_length=120, blank=True)
    phone = models.CharField(max_length=32, blank=True)  # E.164 when parseable
    email = models.EmailField(blank=True)
    lead_type = models.CharField(max_length=24, default="other")
    score = models.CharField(max_length=4, choices=Score.choices, default=Score.COLD, db_index=True)
    score_reasons = models.JSONField(default=list)
    created_at = models.DateTimeField(db_index=True)
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.score} lead {self.pk} ({self.lead_type})"
