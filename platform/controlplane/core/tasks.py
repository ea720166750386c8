"""Celery base classes and platform-wide tasks."""

from __future__ import annotations

from typing import Any

from celery import shared_task
from django.core.cache import cache
from django.utils import timezone
from tenant_schemas_celery.task import TenantTask

from controlplane.core import tenancy


class MissingClientSchema(RuntimeError):
    """A client task was run without the client's schema: it fails closed."""


class ClientTask(TenantTask):
    """Base for every task that touches a client's schema.

    tenant-schemas-celery carries the schema it was queued from in the message
    headers and switches to it in the worker. A task queued from the public schema
    (or with the header stripped) refuses to run rather than touch the wrong data.
    """

    abstract = True

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if tenancy.schema_name() in (None, "", "public"):
            raise MissingClientSchema(f"Task {self.name} needs a client schema and was given none.")
        return super().__call__(*args, **kwargs)


@shared_task(name="controlplane.core.tasks.worker_heartbeat")
def worker_heartbeat() -> str:
    """Scheduled by beat; proves the beat → broker → worker path end to end."""

    now = timezone.now().isoformat()
    cache.set("platform:worker-heartbeat", now, timeout=300)
    return now


@shared_task(name="controlplane.core.tasks.ping")
def ping() -> str:
    return "pong"


@shared_task(name="controlplane.core.outbox_sweep")
def outbox_sweep_task() -> int:
    """Send jobs that were saved while the broker was down (controlplane.core.enqueue)."""
    from controlplane.core.enqueue import outbox_sweep

    return outbox_sweep()
