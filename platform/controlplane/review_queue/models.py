"""ADM-1: how many review items each client has open, kept in public so the portal can list
every client without opening every schema. The tenant's review services keep it current."""

from django.db import models


class ClientReviewCount(models.Model):
    client = models.OneToOneField("clients.Client", on_delete=models.CASCADE, related_name="review_count")
    open_count = models.PositiveIntegerField(default=0)
    # {"unknown_question": 2, "crisis": 1, ...}: open items per kind
    open_by_kind = models.JSONField(default=dict)
    latest_open_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-open_count", "client__name"]

    def __str__(self) -> str:
        return f"{self.client_id}: {self.open_count} open"

