"""The Celery app. Tasks carry the schema they were queued from (tenant-schemas-celery)."""

import gc
import os
from typing import Any

from celery.signals import worker_process_init, worker_ready
from tenant_schemas_celery.app import CeleryApp

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")  # noqa: SIM112

app = CeleryApp("shoreline")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_ready.connect
@worker_process_init.connect
def _freeze_startup_heap(**kwargs: Any) -> None:
    """Tasks are loaded: keep full garbage collections off the long-lived heap (see config/wsgi.py)."""
    gc.collect()
    gc.freeze()
