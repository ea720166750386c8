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


def broker_status() -> ComponentStatus:
    # Lazy: only the readiness probe talks to Redis directly.
    import redis

    try:
        client = redis.Redis.from_url(settings.CELERY_BROKER_URL, socket_connect_timeout=0.5, socket_timeout=0.5)
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
