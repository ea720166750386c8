"""AX-6: what went wrong, grouped. Public schema: the agency reads it across clients.

A group is one kind of failure in one place (same kind, client and fingerprint); events are its
most recent occurrences (older ones are pruned; the group keeps the total count).
"""

from django.db import models


class ErrorKind(models.TextChoices):
    SERVER = "server", "Server error"
    TASK = "task", "Background job"
    MODEL = "model", "AI model call"
    CRAWL = "crawl", "Website crawl"


class ErrorGroup(models.Model):
    kind = models.CharField(max_length=16, choices=ErrorKind.choices)
    client_slug = models.CharField(max_length=40, blank=True, db_index=True)
    fingerprint = models.CharField(max_length=64)  # sha256 of kind, client and where/what
    title = models.CharField(max_length=300)
    status_code = models.PositiveIntegerField(null=True, blank=True)
    count = models.PositiveIntegerField(default=0)
    first_seen = models.DateTimeField()
    last_seen = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-last_seen"]
        constraints = [models.UniqueConstraint(fields=["fingerprint"], name="unique_error_fingerprint")]

    def __str__(self) -> str:
        return self.title


class ErrorEvent(models.Model):
    group = models.ForeignKey(ErrorGroup, on_delete=models.CASCADE, related_name="events")
    occurred_at = models.DateTimeField(db_index=True)
    detail = models.TextField(blank=True)  # message and the end of the traceback; never secrets or bodies
    context = models.JSONField(default=dict, blank=True)  # path, task name, model name …

    class Meta:
        ordering = ["-occurred_at"]

    def __str__(self) -> str:
        return f"{self.group_id} at {self.occurred_at}"
