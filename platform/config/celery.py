"""The Celery app. Tasks carry the schema they were queued from (tenant-schemas-celery)."""

import os

from tenant_schemas_celery.app import CeleryApp

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")  # noqa: SIM112

app = CeleryApp("shoreline")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
