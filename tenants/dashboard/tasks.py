"""CXI-6: the weekly summary email. Beat runs the dispatch every 15 minutes; each client's email goes
out on Monday from 08:00 in its own time zone, once (the outbox dedupes by week)."""

from __future__ import annotations

from celery import shared_task
from django_tenants.utils import tenant_context

from controlplane.clients.models import Client
from controlplane.core.tasks import ClientTask
from tenants.dashboard.weekly_summary import weekly_summary_due


@shared_task(name="tenants.dashboard.weekly_summary_dispatch")
def weekly_summary_dispatch() -> int:
    queued = 0
    for client in Client.objects.exclude(schema_name="public").order_by("pk"):
        if weekly_summary_due(client=client):
            with tenant_context(client):
                weekly_summary_send.delay()
            queued += 1
    return queued


@shared_task(base=ClientTask, name="tenants.dashboard.weekly_summary_send", acks_late=True)
def weekly_summary_send() -> bool:
    from tenants.dashboard.weekly_summary import weekly_summary_send_if_due

    return weekly_summary_send_if_due()
