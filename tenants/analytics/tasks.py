"""Beat entries run in public and fan out one ClientTask per client; each runs in that client's schema."""

from __future__ import annotations

from celery import shared_task
from django.db import connection
from django_tenants.utils import tenant_context

from controlplane.clients.models import Client
from controlplane.core.tasks import ClientTask
from tenants.analytics.forecast import forecast_refresh
from tenants.analytics.questions import question_vectors_update
from tenants.analytics.services import analytics_rollups_update


def _current_client() -> Client:
    return Client.objects.get(schema_name=connection.schema_name)


def _clients() -> list[Client]:
    return list(Client.objects.exclude(schema_name="public").order_by("pk"))


@shared_task(name="tenants.analytics.rollups_dispatch")
def rollups_dispatch() -> int:
    clients = _clients()
    for client in clients:
        with tenant_context(client):
            rollups_refresh_task.delay()
    return len(clients)


@shared_task(base=ClientTask, name="tenants.analytics.rollups_refresh", acks_late=True,
             autoretry_for=(Exception,), retry_backoff=True, max_retries=3)
def rollups_refresh_task(full: bool = False) -> int:
    """Idempotent: a retry recomputes the same window from the raw rows and gets the same numbers."""

    return analytics_rollups_update(client=_current_client(), full=full)


@shared_task(name="tenants.analytics.insights_dispatch")
def insights_dispatch() -> int:
    clients = _clients()
    for client in clients:
        with tenant_context(client):
            insights_refresh_task.delay()
    return len(clients)


@shared_task(base=ClientTask, name="tenants.analytics.insights_refresh", acks_late=True)
def insights_refresh_task() -> dict[str, object]:

    embedded = question_vectors_update()
    forecast = forecast_refresh(tz_name=_current_client().timezone)
    return {"questions_embedded": embedded, "forecast": forecast.get("status")}
