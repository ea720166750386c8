from django.db import models


class PendingTask(models.Model):
    """A background job that could not reach the broker when it was queued (the outbox).

    Lives in the public schema and names the client schema it belongs to; the sweep (beat, every
    minute) sends it again until the broker takes it.
    """

    created_at = models.DateTimeField(auto_now_add=True)
    task_name = models.CharField(max_length=200)
    args = models.JSONField(default=list)
    kwargs = models.JSONField(default=dict)
    schema_name = models.CharField(max_length=63, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"pending {self.task_name} ({self.schema_name or 'public'})"
