"""Liveness of the pieces the platform cannot work without."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import connection


@dataclass(frozen=True)
class ComponentStatus:
    ok: bool
    detail: str


def database_status() -> ComponentStatus:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:  # noqa: BLE001 — any failure means "down"
        return ComponentStatus(False, type(error).__name__)
    return ComponentStatus(True, "ok")


def database_status_fresh(timeout: float) -> ComponentStatus:
    """Readiness: a new connection (never the request's), bounded by `timeout` for connect and query.

    libpq rounds connect_timeout up to 2 s; the query itself is held to `timeout` by statement_timeout.
    """
    import math

    import psycopg

    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    params.pop("prepare_threshold", None)
    params.pop("server_side_binding", None)
    params["connect_timeout"] = max(2, math.ceil(timeout))
    params["options"] = f"-c statement_timeout={int(timeout * 1000)}"
    try:
        with psycopg.connect(**params, autocommit=True) as conn:
            conn.execute("SELECT 1").fetchone()
    except Exception as error:  # noqa: BLE001 — any failure means "not ready"
        return ComponentStatus(False, type(error).__name__)
    return ComponentStatus(True, "ok")


def broker_status(timeout: float = 0.5) -> ComponentStatus:
    import redis

    try:
        client = redis.Redis.from_url(settings.CELERY_BROKER_URL, socket_connect_timeout=timeout,
                                      socket_timeout=timeout)
        client.ping()
    except Exception as error:  # noqa: BLE001
        return ComponentStatus(False, type(error).__name__)
    return ComponentStatus(True, "ok")


def worker_status(timeout: float = 1.0) -> ComponentStatus:
    # Cycle: config (the composition root) imports controlplane; controlplane never imports config at import time.
    from config.celery import app

    try:
        # limit=1: return at the first answer instead of always waiting out the timeout to count
        # every worker — a healthy probe would otherwise hold a web thread for the full second.
        replies = app.control.ping(timeout=timeout, limit=1)
    except Exception as error:  # noqa: BLE001
        return ComponentStatus(False, type(error).__name__)
    if not replies:
        return ComponentStatus(False, "no worker answered")
    return ComponentStatus(True, "ok")
