from celery import shared_task


@shared_task(name="controlplane.audit.checkpoint")
def audit_checkpoint_task() -> int:
    """Anchor the audit chain head outside the database (see audit_checkpoint)."""
    from controlplane.audit.services import audit_checkpoint

    line = audit_checkpoint()
    return int(line["id"]) if line else 0
