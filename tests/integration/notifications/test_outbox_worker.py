"""The outbox against a real Celery worker that dies: nothing is lost and nothing is sent twice.

Like tests/integration/test_celery_worker.py, this module works on committed rows (the worker is
another process) and deletes exactly what it wrote. The worker consumes a queue of its own
(SHORELINE_NOTIFICATIONS_QUEUE) and sends SMS to a fake Twilio served by this process.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection, transaction
from django_tenants.utils import tenant_context

from controlplane.notifications.models import Delivery, DeliveryStatus, EventKind, OutboxEvent, Recipient
from controlplane.notifications.outbox import outbox_sweep
from controlplane.notifications.services import notification_emit, recipient_create
from ops.fake_sendgrid import FakeSendGrid
from ops.fake_twilio import FakeTwilio
from tests.integration.test_celery_worker import _database_url

pytestmark = pytest.mark.worker

REPO_ROOT = Path(__file__).resolve().parents[3]
QUEUE = f"shoreline-notify-test-{os.getpid()}"
FROM_NUMBER = "+15550100999"


class SlowTwilio(FakeTwilio):
    """Records the request, then takes `delay_s` to answer (time to kill the worker mid-call)."""

    delay_s = 0.0

    def answer(self, method: str, path: str, headers: dict[str, str], body: bytes) -> Any:
        result = super().answer(method, path, headers, body)
        time.sleep(self.delay_s)
        return result


@pytest.fixture
def fake(django_db_setup: Any, settings: Any) -> Iterator[SlowTwilio]:
    settings.NOTIFICATIONS_QUEUE = QUEUE  # what this process queues goes to the test worker too
    with SlowTwilio().running() as server:
        yield server


@pytest.fixture
def mail(django_db_setup: Any) -> Iterator[FakeSendGrid]:
    with FakeSendGrid().running() as server:
        yield server


@pytest.fixture
def start_worker(django_db_setup: Any, django_db_blocker: Any, fake: SlowTwilio, mail: FakeSendGrid,
                 tmp_path: Path) -> Iterator[Callable[[str], subprocess.Popen[bytes]]]:
    from config.celery import app

    with django_db_blocker.unblock():
        database_url = _database_url()
    started: list[subprocess.Popen[bytes]] = []

    def start(name: str) -> subprocess.Popen[bytes]:
        env = dict(os.environ)
        env.update({"DJANGO_SETTINGS_MODULE": "config.settings.test", "PYTHONPATH": os.pathsep.join(["platform", "."]),
                    "DATABASE_URL": database_url, "PYTHONUNBUFFERED": "1", "SHORELINE_NOTIFICATIONS_QUEUE": QUEUE,
                    "TWILIO_ACCOUNT_SID": fake.account_sid, "TWILIO_AUTH_TOKEN": fake.auth_token,
                    "TWILIO_FROM_NUMBER": FROM_NUMBER, "TWILIO_API_BASE": fake.base_url,
                    "SENDGRID_API_KEY": mail.api_key, "SENDGRID_API_HOST": mail.base_url})
        hostname = f"{name}-{os.getpid()}@localhost"
        log_path = tmp_path / f"{name}.log"
        with log_path.open("wb") as log:
            process = subprocess.Popen(  # noqa: S603
                [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool", "solo", "-Q", QUEUE,
                 "--hostname", hostname, "--without-mingle", "--without-gossip", "--loglevel", "INFO"],
                cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        started.append(process)
        deadline = time.monotonic() + 150  # a loaded 2-core machine can take a while to import
        while not app.control.ping(destination=[hostname], timeout=0.5):
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"worker {name} did not start:\n{log_path.read_text(errors='replace')[-3000:]}")
        return process

    try:
        yield start
    finally:
        for process in started:
            if process.poll() is None:
                process.kill()
                process.wait()
        with app.connection_for_write() as conn:
            conn.default_channel.queue_purge(QUEUE)


@pytest.fixture
def committed(django_db_blocker: Any, client_alpha_committed: Any) -> Iterator[dict[str, Any]]:
    """A recipient of alpha's hot-lead SMS, and the cleanup of every row this test commits."""
    marker = uuid.uuid4().hex[:8]
    with django_db_blocker.unblock():
        person = recipient_create(client=client_alpha_committed, name=f"Owner {marker}", phone="+15550002222",
                                  sms_kinds=[EventKind.LEAD_HOT], email_kinds=[], sms_opt_in_note="Signed the form")
        try:
            yield {"client": client_alpha_committed, "marker": marker}
        finally:
            connection.set_schema_to_public()
            OutboxEvent.objects.filter(dedupe_key__startswith=f"test-worker:{marker}").delete()
            Recipient.objects.filter(pk=person.pk).delete()


@pytest.fixture
def client_alpha_committed(django_db_setup: Any, django_db_blocker: Any) -> Any:
    from controlplane.clients.models import Client

    with django_db_blocker.unblock():
        return Client.objects.get(slug="alpha")


def _emit(client: Any, key: str) -> OutboxEvent:
    """A change and its event, committed together (as the conversation service does)."""
    with tenant_context(client), transaction.atomic():
        return notification_emit(client_id=client.pk, kind=EventKind.LEAD_HOT, dedupe_key=key,
                                 payload={"lead": {"name": key[-6:], "score": "hot", "lead_type_label": "Pricing"},
                                          "link": "http://alpha.shoreline.localhost:8000/conversations/x/"})


def _wait_for(condition: Callable[[], bool], timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return condition()


def _purge() -> None:
    from config.celery import app

    with app.connection_for_write() as conn:
        conn.default_channel.queue_purge(QUEUE)


def _past_grace():  # type: ignore[no-untyped-def]
    from datetime import timedelta

    from django.utils import timezone

    from controlplane.notifications.outbox import SWEEP_GRACE

    return timezone.now() + SWEEP_GRACE + timedelta(seconds=1)


def test_worker_killed_between_commit_and_send_delivers_exactly_once(start_worker, fake, committed, django_db_blocker):
    client, marker = committed["client"], committed["marker"]
    with django_db_blocker.unblock():
        start_worker("first").kill()  # the worker dies (SIGKILL) before anything is sent
        # 1. Committed while no worker runs: its planning task waits in the broker.
        queued = _emit(client, f"test-worker:{marker}:queued")
        # 2. Committed, then the broker loses the message (as if it died with it).
        _purge()
        lost = _emit(client, f"test-worker:{marker}:lost")
        _purge()
        queued_again = _emit(client, f"test-worker:{marker}:queued-2")
        assert fake.messages() == []
        assert not Delivery.objects.filter(event__in=[queued, lost, queued_again]).exists()

        start_worker("second")  # consumes queued-2's message; the others only the sweep recovers
        # The sweep leaves fresh work to the tasks already queued; past its grace it recovers what was lost.
        outbox_sweep(now=_past_grace())  # queues planning for all three (queued-2 perhaps a second time) …
        outbox_sweep(now=_past_grace())  # … and again: duplicates of every task are harmless
        events = [queued, lost, queued_again]
        assert _wait_for(lambda: Delivery.objects.filter(event__in=events, status=DeliveryStatus.SENT).count() == 3)
        outbox_sweep(now=_past_grace())
        time.sleep(2)  # give any duplicate task time to (not) send
        bodies = sorted(m["body"] for m in fake.messages())
        assert len(bodies) == 3
        assert [b.split(": ")[1].split(" ·")[0] for b in bodies] == sorted(e.dedupe_key[-6:] for e in events)
        assert {m["to"] for m in fake.messages()} == {"+15550002222"}
        for event in events:
            delivery = Delivery.objects.get(event=event)
            assert delivery.attempts == 1
            assert delivery.provider_id.startswith("SM")


def test_worker_killed_during_the_provider_call_never_sends_twice(start_worker, fake, committed, django_db_blocker):
    client, marker = committed["client"], committed["marker"]
    fake.delay_s = 30.0
    with django_db_blocker.unblock():
        worker = start_worker("calling")
        event = _emit(client, f"test-worker:{marker}:mid-call")
        assert _wait_for(lambda: len(fake.messages()) == 1)  # Twilio has it; the worker waits for the answer
        worker.send_signal(signal.SIGKILL)
        worker.wait()
        delivery = Delivery.objects.get(event=event)
        assert delivery.status == DeliveryStatus.SENDING
        assert delivery.attempts == 1

        fake.delay_s = 0.0
        start_worker("after")
        outbox_sweep(now=_past_grace())
        time.sleep(3)
        assert len(fake.messages()) == 1  # not sent again
        # Later the sweep gives up on it visibly instead of risking a duplicate.
        from datetime import timedelta

        from django.utils import timezone

        assert outbox_sweep(now=timezone.now() + timedelta(minutes=11))["stuck"] >= 1
        delivery.refresh_from_db()
        assert delivery.status == DeliveryStatus.FAILED
        assert delivery.provider_answer.startswith("Unknown: the sender stopped during the provider call")
        assert len(fake.messages()) == 1


def test_a_quota_crossing_reaches_owner_and_agency_by_email_through_the_worker(
        start_worker, mail, client_alpha_committed, django_db_blocker):
    """The reply that reaches 80 % of the plan commits its usage event; the worker emails it once."""
    from controlplane.billing.metering import current_period, usage_record_reply
    from controlplane.billing.models import UsagePeriod

    client = client_alpha_committed
    with django_db_blocker.unblock():
        near = (client.plan.monthly_message_quota * 4) // 5
        period = current_period()
        before = UsagePeriod.objects.filter(client=client, period=period).first()
        UsagePeriod.objects.update_or_create(client=client, period=period, defaults={"messages": near - 1})
        key = f"{client.schema_name}:usage:{period}:80"
        try:
            start_worker("usage")
            with tenant_context(client), transaction.atomic():
                assert usage_record_reply(client_id=client.pk).crossed == "80"
            event = OutboxEvent.objects.get(dedupe_key=key)
            assert _wait_for(lambda: Delivery.objects.filter(event=event, status=DeliveryStatus.SENT).count() == 2)
            outbox_sweep()
            time.sleep(2)
            assert sorted(m["to"][0] for m in mail.emails()) == ["admin@agency.test", "owner@alpha.test"]
            assert {m["subject"] for m in mail.emails()} == {"Alpha Co has used 80 % of its monthly messages"}
        finally:
            connection.set_schema_to_public()
            OutboxEvent.objects.filter(dedupe_key=key).delete()
            if before is None:
                UsagePeriod.objects.filter(client=client, period=period).delete()
            else:
                before.save()
