"""Hooks that feed the error log: Django's request-exception signal and Celery's task-failure signal.

These are framework hooks (there is no service call to make instead); the business writes stay explicit.
"""

from __future__ import annotations

import sys
from typing import Any

from django.core.signals import got_request_exception
from django.db import connection

from controlplane.errorlog.models import ErrorKind
from controlplane.errorlog.services import error_record, exception_detail


def client_slug_of_schema() -> str:
    """The client whose schema this connection is in ('' in the public schema)."""
    schema = getattr(connection, "schema_name", "public") or "public"
    tenant = getattr(connection, "tenant", None)
    return "" if schema == "public" else getattr(tenant, "slug", "") or schema.removeprefix("c_")


def request_exception_record(sender: Any, request: Any = None, **_: Any) -> None:
    error = sys.exc_info()[1]
    if error is None:
        return
    match = getattr(request, "resolver_match", None)
    where = (match.view_name if match else "") or getattr(request, "path", "?")
    tenant = getattr(request, "tenant", None)
    slug = "" if tenant is None or tenant.schema_name == "public" else tenant.slug
    error_record(kind=ErrorKind.SERVER, where=f"{where}:{type(error).__name__}", client_slug=slug,
                 title=f"{type(error).__name__} in {where}: {str(error)[:160]}", detail=exception_detail(error),
                 status_code=500, context={"path": getattr(request, "path", ""), "method": getattr(request, "method", "")})


def task_failure_record(sender: Any = None, task_id: str = "", exception: BaseException | None = None,
                        **_: Any) -> None:
    name = getattr(sender, "name", "") or "unknown task"
    kind_name = type(exception).__name__ if exception else "Error"
    error_record(kind=ErrorKind.TASK, where=f"{name}:{kind_name}", client_slug=client_slug_of_schema(),
                 title=f"{kind_name} in {name}: {str(exception)[:160]}",
                 detail=exception_detail(exception) if exception else "", context={"task": name, "task_id": task_id})


def connect() -> None:
    # Lazy: importing Celery's signals at module import would load Celery in every process that imports
    # this module (manage.py check included); connect() runs once, from AppConfig.ready().
    from celery.signals import task_failure

    got_request_exception.connect(request_exception_record, dispatch_uid="errorlog.request")
    task_failure.connect(task_failure_record, dispatch_uid="errorlog.task", weak=False)
