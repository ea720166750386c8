from django.db.models import QuerySet

from controlplane.audit.models import AuditLog


def audit_log_list(*, action: str = "", client_slug: str = "") -> QuerySet[AuditLog]:
    qs = AuditLog.objects.all()
    if action:
        qs = qs.filter(action__startswith=action)
    if client_slug:
        qs = qs.filter(client_slug=client_slug)
    return qs
