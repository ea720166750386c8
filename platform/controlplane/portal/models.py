"""AX-3: which items of a client's weekly maintenance checklist the agency has ticked off.

The checklist itself is computed from the data each time (tenants.dashboard.checklist); only the
ticks are stored, one row per client, ISO week and item, so next week starts unticked.
"""

from django.conf import settings
from django.db import models


class ChecklistTick(models.Model):
    client = models.ForeignKey("clients.Client", on_delete=models.CASCADE, related_name="checklist_ticks")
    week = models.CharField(max_length=8)  # ISO week, e.g. "2026-W49"
    item = models.CharField(max_length=40)
    ticked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    ticked_at = models.DateTimeField()

    class Meta:
        ordering = ["client_id", "week", "item"]
        constraints = [models.UniqueConstraint(fields=["client", "week", "item"], name="unique_checklist_tick")]

    def __str__(self) -> str:
        return f"{self.item} ({self.week})"
