"""The Celery app. Tasks carry the schema they were queued from (tenant-schemas-celery)."""

from typing import Any

from celery.signals import worker_process_init, worker_ready
from tenant_schemas_celery.app import CeleryApp

from config.env import settings_module
from config.heap import freeze_startup_heap

settings_module()

app = CeleryApp("shoreline")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_ready.connect
@worker_process_init.connect
def _freeze_startup_heap(**kwargs: Any) -> None:
    """Tasks are loaded: keep full garbage collections off the long-lived heap (config/heap.py)."""
    freeze_startup_heap()


def _connect_observability() -> None:
    """Request id and client travel in task headers; task lines are logged and counted."""
    from controlplane.core.observability import connect_celery_signals

    connect_celery_signals()


_connect_observability()


@worker_ready.connect
def _start_heartbeat(sender: Any = None, **kwargs: Any) -> None:
    """Each worker writes `shoreline:worker-heartbeat:<name>` = now to the broker every few seconds.

    /metrics reports the age per worker (shoreline_worker_heartbeat_age_seconds) and how many are
    alive; /readyz does not depend on it, so a worker outage never takes web pods out of service.
    """
    import threading

    import structlog
    from django.conf import settings

    from controlplane.core.metrics import worker_heartbeat_write

    name = getattr(sender, "hostname", None) or "worker"
    interval = settings.SHORELINE_WORKER_HEARTBEAT_SECONDS
    log = structlog.get_logger("shoreline.worker")

    def beat() -> None:
        stop = threading.Event()
        while not stop.wait(interval):
            try:
                worker_heartbeat_write(name)
            except Exception as error:  # noqa: BLE001 — the broker may be briefly away
                log.warning("heartbeat not written", error=type(error).__name__)

    try:
        worker_heartbeat_write(name)
    except Exception as error:  # noqa: BLE001
        log.warning("heartbeat not written", error=type(error).__name__)
    threading.Thread(target=beat, name="shoreline-heartbeat", daemon=True).start()
