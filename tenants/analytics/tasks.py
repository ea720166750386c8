"""Beat entries run in public and fan out one ClientTask per client; each runs in that client's schema."""

from __future__ import annotations

from celery import shared_task

from controlplane.clients.models import Client
from controlplane.core import tenancy
from controlplane.core.fanout import fan_out, for_each_schema
from controlplane.core.tasks import ClientTask
from tenants.analytics.forecast import forecast_refresh
from tenants.analytics.questions import question_vectors_update
from tenants.analytics.services import analytics_rollups_update


def _current_client() -> Client:
    return Client.objects.get(schema_name=tenancy.schema_name())


@shared_task(name="tenants.analytics.rollups_dispatch")
def rollups_dispatch() -> int:
    """Beat, public schema: one rollups_batch message per batch of clients (controlplane.core.fanout)."""
    return fan_out(rollups_batch_task)


@shared_task(name="tenants.analytics.rollups_batch", acks_late=True)
def rollups_batch_task(schemas: list[str]) -> dict[str, object]:
    return for_each_schema(schemas, lambda: rollups_refresh_task.run(), what="tenants.analytics.rollups")


@shared_task(base=ClientTask, name="tenants.analytics.rollups_refresh", acks_late=True,
             autoretry_for=(Exception,), retry_backoff=True, max_retries=3)
def rollups_refresh_task(full: bool = False) -> int:
    """Idempotent: a retry recomputes the same window from the raw rows and gets the same numbers."""

    return analytics_rollups_update(client=_current_client(), full=full)


@shared_task(name="tenants.analytics.insights_dispatch")
def insights_dispatch() -> int:
    return fan_out(insights_batch_task)


@shared_task(name="tenants.analytics.insights_batch", acks_late=True)
def insights_batch_task(schemas: list[str]) -> dict[str, object]:
    return for_each_schema(schemas, lambda: insights_refresh_task.run(), what="tenants.analytics.insights")


@shared_task(base=ClientTask, name="tenants.analytics.insights_refresh", acks_late=True)
def insights_refresh_task() -> dict[str, object]:

    embedded = question_vectors_update()
    forecast = forecast_refresh(tz_name=_current_client().timezone)
    return {"questions_embedded": embedded, "forecast": forecast.get("status")}
