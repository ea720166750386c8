"""GET /healthz on the public host: database, broker and worker status; 503 when one is down.

The healthy case (200) needs a real worker and lives in test_celery_worker.py, which starts one.
"""

from __future__ import annotations

import socket

import pytest

pytestmark = pytest.mark.django_db


def _closed_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_no_worker_means_503(http):
    response = http(None).get("/healthz")
    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    assert "no-cache" in response["Cache-Control"]
    assert response.json() == {
        "status": "degraded",
        "database": {"ok": True, "detail": "ok"},
        "broker": {"ok": True, "detail": "ok"},
        "worker": {"ok": False, "detail": "no worker answered"},
    }


def test_broker_down_means_503(http, settings):
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{_closed_port()}/0"
    response = http(None).get("/healthz")
    assert response.status_code == 503
    assert response.json() == {
        "status": "degraded",
        "database": {"ok": True, "detail": "ok"},
        "broker": {"ok": False, "detail": "ConnectionError"},
        "worker": {"ok": False, "detail": "broker down"},
    }


def test_healthz_is_not_mounted_on_client_hosts(http, client_alpha):
    assert http("alpha").get("/healthz").status_code == 404


def test_healthz_is_get_only(http):
    assert http(None).post("/healthz").status_code == 405
