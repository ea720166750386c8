"""Structured logs with a request id, client, route and timing; the same context inside Celery tasks.

The request middleware binds `request_id` (the caller's X-Request-ID when it is sane, else a new
one), `client` (the client slug on a client host, else "public") and, once resolved, `route` into
structlog's context variables: every log line of the request carries them, JSON in production. The
id goes back in the X-Request-ID response header, and into the headers of every Celery task the
request queues, where the worker binds it again (task_prerun) so a task's logs join its request's.
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable
from typing import Any

import structlog
from django.http import HttpRequest, HttpResponse

from controlplane.core import metrics

log = structlog.get_logger("shoreline.request")
task_log = structlog.get_logger("shoreline.task")
_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
REQUEST_ID_HEADER = "shoreline_request_id"
CLIENT_HEADER = "shoreline_client"


def _request_id(request: HttpRequest) -> str:
    given = request.headers.get("X-Request-ID", "")
    return given if _SAFE_ID.match(given) else uuid.uuid4().hex


def _client_slug(request: HttpRequest) -> str:
    tenant = getattr(request, "tenant", None)
    return getattr(tenant, "slug", None) or "public"


class RequestContextMiddleware:
    """After TenantMainMiddleware (so the client is known): context, one access line, metrics."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        structlog.contextvars.clear_contextvars()
        request_id = _request_id(request)
        structlog.contextvars.bind_contextvars(request_id=request_id, client=_client_slug(request))
        started = time.perf_counter()
        try:
            response = self.get_response(request)
        except Exception:
            log.exception("request failed", method=request.method, path=request.path)
            raise
        finally:
            duration = time.perf_counter() - started
        match = getattr(request, "resolver_match", None)
        route = (match.route or match.view_name) if match else "<unmatched>"
        metrics.HTTP_REQUESTS.labels(request.method, route, str(response.status_code)).inc()
        metrics.HTTP_SECONDS.labels(route).observe(duration)
        if route.startswith("widget/v1/"):
            metrics.WIDGET_SECONDS.labels(route.removeprefix("widget/v1/")).observe(duration)
        log.info("request", method=request.method, path=request.path, route=route,
                 status=response.status_code, duration_ms=round(duration * 1000, 1))
        response["X-Request-ID"] = request_id
        structlog.contextvars.clear_contextvars()
        return response


# --- Celery: carry the context in task headers ---------------------------------------------------

def on_before_task_publish(headers: dict[str, Any] | None = None, **kwargs: Any) -> None:
    if headers is None:
        return
    context = structlog.contextvars.get_contextvars()
    if "request_id" in context:
        headers.setdefault(REQUEST_ID_HEADER, context["request_id"])
    if "client" in context:
        headers.setdefault(CLIENT_HEADER, context["client"])


def on_task_prerun(task: Any = None, task_id: str | None = None, **kwargs: Any) -> None:
    from django.db import connection

    request = getattr(task, "request", None)
    request_id = getattr(request, REQUEST_ID_HEADER, None) or uuid.uuid4().hex
    client = getattr(request, CLIENT_HEADER, None) or getattr(connection, "schema_name", None) or "public"
    structlog.contextvars.clear_contextvars()
    structlog.contextvars.bind_contextvars(request_id=request_id, client=client, task=getattr(task, "name", None),
                                           task_id=task_id)
    if request is not None:
        request.shoreline_started = time.perf_counter()
    task_log.info("task started")


def on_task_postrun(task: Any = None, state: str | None = None, **kwargs: Any) -> None:
    started = getattr(getattr(task, "request", None), "shoreline_started", None)
    duration_ms = round((time.perf_counter() - started) * 1000, 1) if started else None
    metrics.TASKS.labels(getattr(task, "name", "?"), state or "?").inc()
    task_log.info("task finished", state=state, duration_ms=duration_ms)
    structlog.contextvars.clear_contextvars()


def on_task_failure(sender: Any = None, exception: BaseException | None = None, **kwargs: Any) -> None:
    task_log.error("task failed", error=type(exception).__name__ if exception else None, exc_info=exception)


def connect_celery_signals() -> None:
    from celery.signals import before_task_publish, task_failure, task_postrun, task_prerun

    before_task_publish.connect(on_before_task_publish, weak=False)
    task_prerun.connect(on_task_prerun, weak=False)
    task_postrun.connect(on_task_postrun, weak=False)
    task_failure.connect(on_task_failure, weak=False)
