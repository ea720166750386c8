"""Broker down: a portal action answers fast with a clear message, the row is saved, the job waits in
the outbox, and the sweep sends it once the broker is back (a real Valkey, a real dead port)."""

from __future__ import annotations

import json
import time
import uuid

import pytest
import redis
from django.conf import settings as django_settings
from django.test import Client as DjangoClient

from config.celery import app
from controlplane.accounts.models import User
from controlplane.core.enqueue import BROKER_DOWN_MESSAGE, outbox_sweep
from controlplane.core.models import PendingTask
from tenants.knowledge.models import WebsiteSource
from tests.conftest import STAFF_EMAIL, host_for
from tests.integration.bots.support import flash_messages, in_client, primary_bot

DEAD_BROKER = "redis://127.0.0.1:1/0"


def _point_broker_at(url: str) -> None:
    app.conf.broker_url = url
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def dead_broker():
    original = app.conf.broker_url
    _point_broker_at(DEAD_BROKER)
    yield
    _point_broker_at(original)


@pytest.fixture
def alpha(committed):
    from controlplane.clients.models import Client

    return Client.objects.get(slug="alpha")


@pytest.fixture
def committed(django_db_setup, django_db_blocker):
    """Autocommit, as in production: on_commit callbacks run when the view saves, so the view knows at
    once whether the broker took the job. (A django_db test would hold them in its transaction, and a
    transaction=True test would flush the session seed.) Only rows made here are removed afterwards."""
    with django_db_blocker.unblock():
        yield
        PendingTask.objects.all().delete()


def _staff_browser() -> DjangoClient:
    """Signed in without the login form (which would audit): a session for the public host."""
    from controlplane.accounts.middleware import SESSION_HOST_KEY

    browser = DjangoClient(HTTP_HOST=host_for(None))
    browser.force_login(User.objects.get(email=STAFF_EMAIL), backend="django.contrib.auth.backends.ModelBackend")
    session = browser.session
    session[SESSION_HOST_KEY] = "public"
    session.save()
    return browser


def test_portal_action_with_the_broker_down_is_fast_clear_and_retried(dead_broker, alpha):
    with in_client(alpha):
        bot = primary_bot()
        site = WebsiteSource.objects.create(bot_id=bot.pk, start_url=f"https://gym-{uuid.uuid4()}.invalid/")
    try:
        browser = _staff_browser()
        detail = f"/portal/clients/alpha/knowledge/{bot.pk}/websites/{site.pk}/"
        warm = browser.get(detail)  # warm: templates, URL tree
        assert warm.status_code == 200, warm.get("Location")
        started = time.monotonic()
        response = browser.post(detail + "crawl/")
        elapsed = time.monotonic() - started
        assert response.status_code == 302
        assert elapsed < 2.0, f"the request waited {elapsed:.1f} s on a dead broker"
        assert flash_messages(browser.get(detail)) == [BROKER_DOWN_MESSAGE]
        pending = PendingTask.objects.get()
        assert (pending.task_name, pending.args, pending.schema_name) == (
            "tenants.knowledge.website_refresh", [site.pk, "manual", False], alpha.schema_name)

        # Still down: the sweep keeps it and counts the attempt, quickly.
        started = time.monotonic()
        assert outbox_sweep() == 0
        assert time.monotonic() - started < 2.0
        assert PendingTask.objects.get().attempts == 1

        # Broker back: the sweep sends it, with the client's schema, and the outbox empties.
        _point_broker_at(django_settings.CELERY_BROKER_URL)
        assert outbox_sweep() == 1
        assert not PendingTask.objects.exists()
        assert _take_queued(alpha.schema_name, [site.pk, "manual", False])
    finally:
        with in_client(alpha):
            WebsiteSource.objects.filter(pk=site.pk).delete()


def test_broker_up_sends_immediately(alpha):
    with in_client(alpha):
        bot = primary_bot()
        site = WebsiteSource.objects.create(bot_id=bot.pk, start_url=f"https://pool-{uuid.uuid4()}.invalid/")
    try:
        browser = _staff_browser()
        detail = f"/portal/clients/alpha/knowledge/{bot.pk}/websites/{site.pk}/"
        assert browser.post(detail + "crawl/").status_code == 302
        assert flash_messages(browser.get(detail)) == ["Crawl queued. Refresh this page to see what changed. Changed pages wait for an admin's approval before visitors see them."]
        assert not PendingTask.objects.exists()
        assert _take_queued(alpha.schema_name, [site.pk, "manual", False])
    finally:
        with in_client(alpha):
            WebsiteSource.objects.filter(pk=site.pk).delete()


def test_document_upload_with_the_broker_down_is_kept_queued_and_swept_later(dead_broker, alpha):
    """An upload is stored before it is queued: with the broker down the person is told, the file waits
    as a queued upload, and the outbox sends the worker job once the broker is back."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tenants.knowledge.models import DocumentUpload

    name = f"hours-{uuid.uuid4().hex[:8]}.txt"
    with in_client(alpha):
        bot = primary_bot()
    try:
        browser = _staff_browser()
        home = f"/portal/clients/alpha/knowledge/{bot.pk}/"
        response = browser.post(home + "documents/upload/",
                                {"file": SimpleUploadedFile(name, b"Open every day from nine to five, all year.")})
        assert response.status_code == 302
        assert flash_messages(browser.get(home)) == [BROKER_DOWN_MESSAGE]
        with in_client(alpha):
            upload = DocumentUpload.objects.get(file_name=name)
            assert upload.status == "queued"
        pending = PendingTask.objects.get()
        assert (pending.task_name, pending.args, pending.schema_name) == (
            "tenants.knowledge.process_upload", [upload.pk], alpha.schema_name)
        _point_broker_at(django_settings.CELERY_BROKER_URL)
        assert outbox_sweep() == 1
        assert _take_queued(alpha.schema_name, [upload.pk], task="tenants.knowledge.process_upload")
    finally:
        with in_client(alpha):
            DocumentUpload.objects.filter(file_name=name).delete()


def _take_queued(schema: str, args: list[object], task: str = "tenants.knowledge.website_refresh") -> int:
    """Remove (and count) our messages of `task` from the real queue, so no worker picks them up."""
    import base64

    queue = redis.Redis.from_url(django_settings.CELERY_BROKER_URL)
    taken = 0
    # Crawls are routed to the knowledge queue (CELERY_TASK_ROUTES).
    for raw in queue.lrange("knowledge", 0, -1):
        message = json.loads(raw)
        headers = message["headers"]
        body = json.loads(base64.b64decode(message["body"]))
        if (headers.get("task"), headers.get("_schema_name"), body[0]) == (task, schema, args):
            taken += queue.lrem("knowledge", 1, raw)
    return taken


@pytest.mark.django_db  # (also makes pytest-django create the test database when this file runs alone)
def test_the_outbox_is_swept_every_minute(settings):
    assert settings.CELERY_BEAT_SCHEDULE["outbox-sweep"] == {"task": "controlplane.core.outbox_sweep",
                                                            "schedule": 60.0}
    assert settings.CELERY_TASK_PUBLISH_RETRY is False
    assert PendingTask.objects.count() == 0
