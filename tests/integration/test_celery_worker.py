"""A real `celery -A config worker` against the embedded Valkey and this run's test database.

How the data gets to the worker, and why this module is not `django_db(transaction=True)`:

* The worker is another process with its own connection, so it sees only committed rows.
  A plain `db` test keeps everything in one uncommitted transaction (the worker would not see
  what the test wrote, and the test would not see what the worker wrote).
* A `transaction=True` test flushes (TRUNCATEs) every table when it ends. That would delete
  the session-seeded public tenant, admin, staff and clients `alpha`/`bravo` — and the audit
  log — under every test that runs after it.
* So these tests take no per-test database fixture. They unblock the database themselves
  (`django_db_blocker.unblock()`, autocommit), rely only on the committed session seed, and
  delete exactly the rows the worker wrote for them afterwards (one bot per test, tagged with
  a unique name). Nothing else is written: the probe task does not audit.

The worker imports this module (`-I tests.integration.test_celery_worker`) to register the
probe task, and consumes a queue of its own, so tasks other code enqueues (e.g. knowledge
seeding at provisioning) or another test run sharing the Valkey database never reach it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from celery import shared_task
from django.db import connection
from django_tenants.utils import schema_context, tenant_context

from controlplane.core.tasks import ClientTask, MissingClientSchema
from controlplane.errorlog.models import ErrorGroup

pytestmark = pytest.mark.worker

REPO_ROOT = Path(__file__).resolve().parents[2]
QUEUE = f"shoreline-test-{os.getpid()}"
WORKER_NAME = f"pytest-{os.getpid()}@localhost"
START_TIMEOUT = 120.0


@shared_task(base=ClientTask, name="tests.worker.write_marker_bot")
def write_marker_bot(marker: str) -> dict[str, object]:
    """Writes a bot named `marker` into the schema the task runs in, and reports where that was."""
    from tenants.bots.services import bot_create

    bot = bot_create(name=marker)
    return {"schema": connection.schema_name, "bot_id": bot.pk, "pid": os.getpid()}


@shared_task(name="tests.worker.log_context")
def log_context() -> dict[str, object]:
    """The structured-log context the worker bound for this task (request id, client, task)."""
    import structlog

    return dict(structlog.contextvars.get_contextvars())


def _database_url() -> str:
    """The database this test run really uses (test_shoreline_<pid>), for the worker process."""
    db = connection.settings_dict
    auth = quote(db["USER"], safe="") + (f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else "")
    host = db["HOST"]
    if host.startswith("/"):  # unix socket directory (the embedded server)
        return f"postgresql://{auth}@/{db['NAME']}?host={quote(host, safe='/')}"
    port = f":{db['PORT']}" if db["PORT"] else ""
    return f"postgresql://{auth}@{host}{port}/{db['NAME']}"


@pytest.fixture(scope="module")
def worker(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[subprocess.Popen[bytes]]:
    from config.celery import app

    with django_db_blocker.unblock():
        database_url = _database_url()
    env = dict(os.environ)
    env.update({
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "PYTHONPATH": os.pathsep.join(["platform", "."]),
        "DATABASE_URL": database_url,
        "PYTHONUNBUFFERED": "1",
    })
    log_path = tmp_path_factory.mktemp("worker") / "worker.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool", "solo", "-Q", QUEUE,
             "--hostname", WORKER_NAME, "--without-mingle", "--without-gossip", "--loglevel", "INFO",
             "-I", "tests.integration.test_celery_worker"],
            cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while not app.control.ping(destination=[WORKER_NAME], timeout=0.5):
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the worker did not answer a ping (exit code {process.poll()}):\n"
                            f"{log_path.read_text(errors='replace')[-4000:]}")
        yield process
    finally:
        # Always stop it: warm shutdown first, then kill; it holds a connection to the test database.
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture
def committed_db(django_db_blocker) -> Iterator[None]:
    with django_db_blocker.unblock():
        yield
        connection.set_schema_to_public()


def _marker_bots(schema: str, marker: str) -> list[int]:
    from tenants.bots.models import Bot

    with schema_context(schema):
        return list(Bot.objects.filter(name=marker).values_list("pk", flat=True))


def _delete_marker_bots(marker: str) -> None:
    from tenants.bots.models import Bot

    for schema in ("c_alpha", "c_bravo"):
        with schema_context(schema):
            Bot.objects.filter(name=marker).delete()


def test_worker_runs_a_client_task_in_the_schema_it_was_queued_from(worker, committed_db):
    from controlplane.clients.models import Client

    marker = f"worker-probe-{uuid.uuid4().hex[:8]}"
    try:
        with tenant_context(Client.objects.get(slug="alpha")):
            result = write_marker_bot.apply_async(args=[marker], queue=QUEUE)
        outcome = result.get(timeout=30)
        assert outcome["schema"] == "c_alpha"
        assert outcome["pid"] == worker.pid  # it really ran in the worker process, not eagerly here
        # committed by the worker into alpha's schema, and only there
        assert _marker_bots("c_alpha", marker) == [outcome["bot_id"]]
        assert _marker_bots("c_bravo", marker) == []
    finally:
        _delete_marker_bots(marker)
    assert _marker_bots("c_alpha", marker) == []


def test_worker_refuses_a_client_task_queued_from_the_public_schema(worker, committed_db):
    marker = f"worker-probe-{uuid.uuid4().hex[:8]}"
    try:
        assert connection.schema_name == "public"
        result = write_marker_bot.apply_async(args=[marker], queue=QUEUE)
        with pytest.raises(MissingClientSchema, match="needs a client schema and was given none"):
            result.get(timeout=30)
        assert result.state == "FAILURE"
        assert _marker_bots("c_alpha", marker) == []
        assert _marker_bots("c_bravo", marker) == []
        # AX-6: the failure reached the agency's error log, written by the worker itself (Celery sends
        # task_failure just after it stores the result, so give the worker a moment).
        logged = ErrorGroup.objects.filter(kind="task", title__startswith="MissingClientSchema in tests.worker")
        deadline = time.monotonic() + 10
        while not logged.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        group = logged.get()
        assert group.client_slug == ""
        assert group.events.filter(context__task_id=result.id).count() == 1
        assert "needs a client schema and was given none" in group.events.get(context__task_id=result.id).detail
    finally:
        _delete_marker_bots(marker)
        ErrorGroup.objects.filter(kind="task", title__startswith="MissingClientSchema in tests.worker").delete()


def test_healthz_is_200_with_a_live_worker(worker, committed_db, http):
    started = time.monotonic()
    response = http(None).get("/healthz")
    elapsed = time.monotonic() - started
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": {"ok": True, "detail": "ok"},
        "broker": {"ok": True, "detail": "ok"},
        "worker": {"ok": True, "detail": "ok"},
    }
    # answered at the first pong, not after the full 1 s ping timeout
    assert elapsed < 0.9


def test_the_request_id_and_client_travel_into_the_task(worker, committed_db):
    import structlog

    from controlplane.clients.models import Client

    structlog.contextvars.bind_contextvars(request_id="req-into-task-1", client="alpha")
    try:
        with tenant_context(Client.objects.get(slug="alpha")):
            context = log_context.apply_async(queue=QUEUE).get(timeout=30)
    finally:
        structlog.contextvars.clear_contextvars()
    assert context["request_id"] == "req-into-task-1"
    assert context["client"] == "alpha"
    assert context["task"] == "tests.worker.log_context"


def test_the_worker_writes_its_heartbeat_to_the_broker(worker, committed_db, client):
    import redis
    from django.conf import settings

    from controlplane.core.metrics import WORKER_HEARTBEAT_PREFIX

    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    stamp = broker.get(f"{WORKER_HEARTBEAT_PREFIX}{WORKER_NAME}")
    assert stamp is not None
    assert time.time() - float(stamp) < 30
    text = client.get("/metrics").content.decode()
    assert f'shoreline_worker_heartbeat_age_seconds{{worker="{WORKER_NAME}"}}' in text
