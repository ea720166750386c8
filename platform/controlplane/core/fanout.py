"""Periodic per-client work in batches: 5,000 clients cost ceil(5000 / batch) messages, not 5,000.

A beat entry runs a dispatcher in the public schema. The dispatcher lists client schemas and queues
one *batch* task per SHORELINE_FANOUT_BATCH_SIZE of them (250 by default: 20 messages for 5,000
clients). The batch task walks its schemas one after the other inside each schema
(`for_each_schema`); one client's failure is logged and counted and does not stop the others.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import structlog
from django.conf import settings

from controlplane.core import metrics

log = structlog.get_logger("shoreline.fanout")


def client_schemas() -> list[str]:
    from controlplane.clients.models import Client

    return list(Client.objects.exclude(schema_name="public").order_by("pk").values_list("schema_name", flat=True))


def batches(items: list[str], size: int | None = None) -> list[list[str]]:
    size = size or settings.SHORELINE_FANOUT_BATCH_SIZE
    return [items[i:i + size] for i in range(0, len(items), size)]


def fan_out(task: Any, schemas: list[str] | None = None, *, batch_size: int | None = None,
            queue: str | None = None) -> int:
    """Queue `task(batch)` once per batch of client schemas; returns how many clients were covered."""
    schemas = client_schemas() if schemas is None else schemas
    options: dict[str, Any] = {"queue": queue} if queue else {}
    parts = batches(schemas, batch_size)
    for part in parts:
        task.apply_async(args=[part], **options)
    log.info("fan-out queued", task=task.name, clients=len(schemas), messages=len(parts))
    return len(schemas)


def for_each_schema(schemas: Iterable[str], work: Callable[[], Any], *, what: str) -> dict[str, Any]:
    """Run `work()` inside each client schema; a failing client is logged and skipped."""
    from django_tenants.utils import schema_context

    results: dict[str, Any] = {}
    for schema in schemas:
        if schema == "public":
            continue
        try:
            with schema_context(schema):
                results[schema] = work()
        except Exception as error:  # noqa: BLE001 — one client must not stop the batch
            metrics.TASKS.labels(what, "client-failed").inc()
            log.exception("per-client work failed", work=what, schema=schema, error=type(error).__name__)
            results[schema] = None
    return results
