"""/livez, /readyz, /metrics and /tls/ask: served for any host before tenant routing (ProbeMiddleware).

Liveness does no I/O at all; readiness needs the database and the broker within a short timeout.
The broker is pointed at a closed port to prove a broker outage fails readiness but not liveness.
"""

from __future__ import annotations

import socket
import time

import pytest

pytestmark = pytest.mark.django_db


def _closed_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def dead_broker(settings):
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{_closed_port()}/0"


@pytest.mark.parametrize("host", ["shoreline.localhost", "alpha.shoreline.localhost", "10.42.0.7:8000"])
def test_livez_answers_on_any_host_without_io(host, dead_broker, client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/livez", HTTP_HOST=host)
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response["Cache-Control"] == "no-store"


def test_readyz_is_200_when_database_and_broker_answer(client):
    response = client.get("/readyz", HTTP_HOST="10.42.0.7:8000")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": {"ok": True, "detail": "ok"},
                               "broker": {"ok": True, "detail": "ok"}}


def test_readyz_is_503_fast_when_the_broker_is_down(client, dead_broker, settings):
    settings.SHORELINE_READINESS_TIMEOUT = 0.5
    started = time.monotonic()
    response = client.get("/readyz")
    assert time.monotonic() - started < 3
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": {"ok": True, "detail": "ok"},
                               "broker": {"ok": False, "detail": "ConnectionError"}}
    # ...while the process is alive and says so
    assert client.get("/livez").status_code == 200


def test_readyz_is_503_when_the_database_is_unreachable(client, tmp_path):
    from django.db import connection

    saved = dict(connection.settings_dict)
    connection.settings_dict.update({"HOST": str(tmp_path), "PORT": ""})  # no server socket there
    try:
        response = client.get("/readyz")
    finally:
        connection.settings_dict.clear()
        connection.settings_dict.update(saved)
    assert response.status_code == 503
    assert response.json()["database"] == {"ok": False, "detail": "OperationalError"}
    assert response.json()["broker"] == {"ok": True, "detail": "ok"}


def test_probes_are_get_only(client):
    assert client.post("/livez").status_code == 405
    assert client.post("/readyz").status_code == 405


# --- /metrics ---------------------------------------------------------------------------------------


def test_metrics_need_the_token_when_one_is_set(client, settings):
    settings.SHORELINE_METRICS_TOKEN = "scrape-token-0123456789"
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 401
    response = client.get("/metrics", HTTP_AUTHORIZATION="Bearer scrape-token-0123456789")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=0.0.4")


def test_metrics_without_a_token_are_loopback_only(client, settings):
    settings.SHORELINE_METRICS_TOKEN = None
    assert client.get("/metrics", REMOTE_ADDR="10.0.0.9").status_code == 403
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 200


def test_metrics_count_requests_and_report_queues_and_worker_heartbeats(client, http, client_alpha):
    from controlplane.core.metrics import worker_heartbeat_write

    http("alpha").get("/login/")
    worker_heartbeat_write("probe-worker@test")
    text = client.get("/metrics").content.decode()
    assert 'shoreline_http_requests_total{method="GET",route="login/",status="200"}' in text
    assert 'shoreline_http_request_duration_seconds_bucket{le="0.025",route="login/"}' in text
    assert "shoreline_broker_up 1.0" in text
    for queue in ("interactive", "knowledge", "analytics", "notifications"):
        assert f'shoreline_celery_queue_depth{{queue="{queue}"}}' in text
    assert 'shoreline_worker_heartbeat_age_seconds{worker="probe-worker@test"}' in text
    assert "shoreline_workers_alive" in text


def test_metrics_still_answer_when_the_broker_is_down(client, dead_broker):
    text = client.get("/metrics").content.decode()
    assert "shoreline_broker_up 0.0" in text


def test_outbox_backlog_hook(client):
    from controlplane.core import metrics

    metrics.register_outbox("test-outbox", lambda: 7)
    try:
        text = client.get("/metrics").content.decode()
    finally:
        metrics._OUTBOXES.pop("test-outbox")
    assert 'shoreline_outbox_backlog{outbox="test-outbox"} 7.0' in text


# --- request id and structured context ------------------------------------------------------------


def test_request_id_is_echoed_or_made(http):
    given = http(None).get("/login/", HTTP_X_REQUEST_ID="req-123.abc")
    assert given["X-Request-ID"] == "req-123.abc"
    made = http(None).get("/login/", HTTP_X_REQUEST_ID="bad id with spaces")
    assert len(made["X-Request-ID"]) == 32
    assert made["X-Request-ID"] != "bad id with spaces"


def test_access_log_line_carries_request_id_client_route_and_timing(http, client_alpha, caplog):
    import logging

    with caplog.at_level(logging.INFO, logger="shoreline.request"):
        http("alpha").get("/login/", HTTP_X_REQUEST_ID="req-log-1")
    lines = [r.msg for r in caplog.records if r.name == "shoreline.request" and isinstance(r.msg, dict)]
    assert lines, "no structured access line"
    line = lines[-1]
    assert {k: line[k] for k in ("event", "request_id", "client", "route", "status", "method")} == {
        "event": "request", "request_id": "req-log-1", "client": "alpha", "route": "login/", "status": 200,
        "method": "GET"}
    assert line["duration_ms"] >= 0


# --- /tls/ask --------------------------------------------------------------------------------------


def test_tls_ask_answers_only_for_domains_we_serve(client, client_alpha, settings):
    from controlplane.clients.models import Domain

    Domain.objects.create(domain="chat.alpha-restaurant.example", tenant=client_alpha, is_primary=False)
    ask = lambda d: client.get("/tls/ask", {"domain": d}, HTTP_HOST="web:8000").status_code  # noqa: E731
    assert ask("chat.alpha-restaurant.example") == 200
    assert ask("CHAT.alpha-restaurant.example.") == 200
    assert ask(settings.SHORELINE_DOMAIN) == 200
    assert ask(f"alpha.{settings.SHORELINE_DOMAIN}") == 200
    assert ask("evil.example") == 404
    assert ask(f"nobody.{settings.SHORELINE_DOMAIN}") == 404
    assert client.get("/tls/ask").status_code == 400
