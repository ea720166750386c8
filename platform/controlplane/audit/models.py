from django.db import models


class AuditLog(models.Model):
    """SEC-9: append-only (a row trigger rejects UPDATE and DELETE) and hash-chained.

    TRUNCATE is not blocked (test teardown flushes tables with it), and the chain alone cannot
    tell a truncated log, or one missing its newest rows, from a shorter intact one.

    Rows are written only by controlplane.audit.services.audit_record.
    """

    created_at = models.DateTimeField()
    actor_email = models.CharField(max_length=254, blank=True)
    actor_role = models.CharField(max_length=16, blank=True)
    action = models.CharField(max_length=64, db_index=True)
    client_slug = models.CharField(max_length=40, blank=True, db_index=True)
    target_type = models.CharField(max_length=64, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    data = models.JSONField(default=dict)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.action}"
