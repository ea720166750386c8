"""The outbox in one process: emit → plan → send through the real SDKs to the local fakes."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context

from controlplane.notifications.models import Delivery, DeliveryStatus, EventKind, OutboxEvent
from controlplane.notifications.outbox import delivery_send, outbox_event_plan, outbox_sweep, quiet_hours_end
from controlplane.notifications.services import (
    notification_emit,
    notification_settings_update,
    recipient_create,
)

pytestmark = pytest.mark.django_db

HOT_PAYLOAD = {"lead": {"id": 7, "name": "Dana", "email": "dana@private.example", "phone": "+15557654321",
                        "score": "hot", "lead_type": "appointment", "lead_type_label": "Appointment",
                        "summary": "Asked: “table for 8 on Friday?”"},
               "link": "http://alpha.shoreline.localhost:8000/conversations/abc/"}


def _owner(client, **kwargs):
    defaults = {"name": "Owner", "email": "owner@alpha.test", "phone": "+15550001111",
                "sms_kinds": [EventKind.LEAD_HOT, EventKind.CRISIS, EventKind.HANDOFF_REQUESTED],
                "email_kinds": [EventKind.LEAD_HOT, EventKind.CRISIS], "sms_opt_in_note": "Signed the form"}
    return recipient_create(client=client, **{**defaults, **kwargs})


def _emit_and_send(client, kind=EventKind.LEAD_HOT, key="k1", payload=None):
    event = notification_emit(client_id=client.pk, kind=kind, payload=payload or HOT_PAYLOAD,
                              dedupe_key=f"test:{kind}:{key}")
    sent = [delivery_send(delivery_id=d) for d in outbox_event_plan(event_id=event.pk)]
    return event, sent


def test_hot_lead_goes_by_sms_and_email_once_with_no_contact_details(client_alpha, fake_twilio, fake_sendgrid):
    _owner(client_alpha)
    event, sent = _emit_and_send(client_alpha)
    assert sorted(sent) == ["sent", "sent"]
    [sms] = fake_twilio.messages()
    assert sms["to"] == "+15550001111"
    assert sms["from"] == "+15550100999"
    assert sms["body"] == ("Alpha Co hot lead: Dana · Hot lead · Appointment. Asked: “table for 8 on Friday?” "
                           "http://alpha.shoreline.localhost:8000/conversations/abc/")
    assert "dana@private.example" not in sms["body"]
    assert "7654321" not in sms["body"]
    [mail] = fake_sendgrid.emails()
    assert mail["to"] == ["owner@alpha.test"]
    assert mail["subject"] == "Hot lead for Alpha Co"
    assert "Open the conversation" in mail["html"]
    assert "Dana" in mail["text"]
    rows = {d.channel: d for d in Delivery.objects.filter(event=event)}
    assert rows["sms"].provider_id == sms["sid"]
    assert rows["sms"].provider_answer == "accepted, status queued"
    assert rows["sms"].idempotency_key == sms["idempotency_key"]
    assert rows["email"].provider_id == mail["message_id"]
    # Planning, sending and emitting again change nothing: still one SMS and one email.
    assert notification_emit(client_id=client_alpha.pk, kind=EventKind.LEAD_HOT, payload=HOT_PAYLOAD,
                             dedupe_key=f"test:{EventKind.LEAD_HOT}:k1").pk == event.pk
    assert [delivery_send(delivery_id=d) for d in outbox_event_plan(event_id=event.pk)] == []
    assert [delivery_send(delivery_id=d.pk) for d in rows.values()] == ["skipped", "skipped"]
    outbox_sweep()
    assert len(fake_twilio.messages()) == 1
    assert len(fake_sendgrid.emails()) == 1


def test_provider_outage_retries_with_backoff_then_sends(client_alpha, fake_twilio):
    _owner(client_alpha, email_kinds=[])
    fake_twilio.fail_next = [503]
    event, sent = _emit_and_send(client_alpha)
    assert sent == ["retrying"]
    delivery = Delivery.objects.get(event=event)
    assert delivery.attempts == 1
    assert "HTTP 503" in delivery.provider_answer
    assert timedelta(seconds=25) < delivery.next_attempt_at - timezone.now() <= timedelta(seconds=30)
    assert delivery_send(delivery_id=delivery.pk) == "skipped"  # not due yet
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now() - timedelta(seconds=1))
    assert delivery_send(delivery_id=delivery.pk) == "sent"
    delivery.refresh_from_db()
    assert delivery.attempts == 2
    assert delivery.status == DeliveryStatus.SENT
    assert len(fake_twilio.messages()) == 1


def test_a_refused_message_fails_without_retry(client_alpha, fake_twilio):
    _owner(client_alpha, phone="+1555", email_kinds=[])  # not a valid number: Twilio answers 400 / 21211
    event, sent = _emit_and_send(client_alpha)
    assert sent == ["failed"]
    delivery = Delivery.objects.get(event=event)
    assert delivery.next_attempt_at is None
    assert delivery.provider_answer == ("HTTP 400 (Twilio error 21211): Unable to create record: "
                                       "The 'To' number +1555 is not a valid phone number.")
    assert fake_twilio.messages() == []


def test_quiet_hours_hold_sms_but_not_a_crisis_alert(client_alpha, fake_twilio, fake_sendgrid):
    _owner(client_alpha)
    local_now = timezone.now().astimezone(__import__("zoneinfo").ZoneInfo(client_alpha.timezone))
    start = (local_now - timedelta(hours=1)).time().replace(second=0, microsecond=0)
    end = (local_now + timedelta(hours=2)).time().replace(second=0, microsecond=0)
    notification_settings_update(client=client_alpha, quiet_start=start, quiet_end=end)

    event, sent = _emit_and_send(client_alpha)
    assert sent == ["sent"]  # the email; the SMS waits
    held = Delivery.objects.get(event=event, channel="sms")
    assert held.status == DeliveryStatus.SCHEDULED
    assert held.next_attempt_at.astimezone(local_now.tzinfo).time() == end
    assert delivery_send(delivery_id=held.pk) == "skipped"
    assert fake_twilio.messages() == []

    crisis, sent = _emit_and_send(client_alpha, kind=EventKind.CRISIS, key="c1",
                                  payload={"link": "http://x/", "summary": "Crisis resources shared."})
    assert sorted(sent) == ["sent", "sent"]
    [sms] = fake_twilio.messages()
    assert sms["body"].startswith("URGENT Alpha Co: a visitor may be in crisis.")
    # When the quiet hours end, the sweep sends the held SMS.
    outbox_sweep(now=held.next_attempt_at + timedelta(seconds=1))  # queues it (no worker here) …
    Delivery.objects.filter(pk=held.pk).update(next_attempt_at=timezone.now())
    assert delivery_send(delivery_id=held.pk) == "sent"
    assert len(fake_twilio.messages()) == 2


def test_quiet_hours_spanning_midnight(client_alpha):
    from controlplane.notifications.models import NotificationSettings

    quiet = NotificationSettings(client=client_alpha, quiet_start=time(21, 0), quiet_end=time(7, 0))
    zone = __import__("zoneinfo").ZoneInfo("America/New_York")
    late = timezone.datetime(2026, 3, 2, 23, 30, tzinfo=zone)
    early = timezone.datetime(2026, 3, 3, 6, 59, tzinfo=zone)
    noon = timezone.datetime(2026, 3, 3, 12, 0, tzinfo=zone)
    assert quiet_hours_end(client=client_alpha, quiet=quiet, now=late) == timezone.datetime(2026, 3, 3, 7, 0,
                                                                                            tzinfo=zone)
    assert quiet_hours_end(client=client_alpha, quiet=quiet, now=early) == timezone.datetime(2026, 3, 3, 7, 0,
                                                                                             tzinfo=zone)
    assert quiet_hours_end(client=client_alpha, quiet=quiet, now=noon) is None


def test_sms_needs_a_recorded_opt_in(client_alpha, fake_twilio):
    _owner(client_alpha, sms_opt_in_note="", email_kinds=[])
    event, sent = _emit_and_send(client_alpha)
    assert sent == []
    assert not Delivery.objects.filter(event=event).exists()
    assert fake_twilio.messages() == []


def test_emit_is_part_of_the_callers_transaction(client_alpha):
    from django.db import transaction

    def failing_change() -> None:
        with tenant_context(client_alpha), transaction.atomic():
            notification_emit(client_id=client_alpha.pk, kind=EventKind.CRISIS, payload={},
                              dedupe_key="test:rollback")
            raise RuntimeError("the change failed")

    with pytest.raises(RuntimeError):
        failing_change()
    assert not OutboxEvent.objects.filter(dedupe_key="test:rollback").exists()


def test_generated_history_records_no_events(client_alpha):
    from controlplane.notifications.outbox import notifications_suppressed

    with notifications_suppressed():
        assert notification_emit(client_id=client_alpha.pk, kind=EventKind.CRISIS, payload={},
                                 dedupe_key="test:history") is None
    assert not OutboxEvent.objects.filter(dedupe_key="test:history").exists()
    assert notification_emit(client_id=client_alpha.pk, kind=EventKind.CRISIS, payload={},
                             dedupe_key="test:history") is not None


def test_the_sweep_leaves_fresh_work_to_its_queued_task(client_alpha):
    """Found on the `make demo` walk: re-queueing every pending event each minute flooded a busy worker
    with duplicates, and alerts waited minutes behind them. Fresh work is left to its own task."""
    from controlplane.notifications.outbox import SWEEP_GRACE

    _owner(client_alpha, email_kinds=[])
    event = notification_emit(client_id=client_alpha.pk, kind=EventKind.LEAD_HOT, payload=HOT_PAYLOAD,
                              dedupe_key=f"test:{EventKind.LEAD_HOT}:fresh")
    assert outbox_sweep()["planned"] == 0
    later = timezone.now() + SWEEP_GRACE + timedelta(seconds=1)
    assert outbox_sweep(now=later)["planned"] == 1  # its task was lost: recovered after the grace
    [delivery_id] = outbox_event_plan(event_id=event.pk)
    assert outbox_sweep()["queued"] == 0
    assert outbox_sweep(now=later)["queued"] == 1
    assert Delivery.objects.get(pk=delivery_id).status == DeliveryStatus.PENDING


def test_planning_an_event_is_not_skipped_while_another_event_of_the_client_is_planned(client_alpha):
    """The worker plans a new lead's two events (created, hot) in two processes at once. Planning one
    must not lock the client's row: the other used to find its event "locked", skip it, and leave its
    SMS and webhook to the sweep minutes later (seen on the demo)."""
    import psycopg
    from django.db import connection

    from controlplane.clients.models import Client

    _owner(client_alpha)
    event = notification_emit(client_id=client_alpha.pk, kind=EventKind.LEAD_HOT, payload=HOT_PAYLOAD,
                              dedupe_key="test:plan-lock")
    db = connection.settings_dict
    params = {"dbname": db["NAME"], "host": db["HOST"], "user": db["USER"], "port": db.get("PORT") or None,
              "password": db.get("PASSWORD") or None}
    with psycopg.connect(**{k: v for k, v in params.items() if v is not None}) as other:
        # The other worker's plan of the client's other event, mid-transaction, as the old query locked it.
        other.execute(f"SELECT id FROM {Client._meta.db_table} WHERE id = %s FOR UPDATE",  # noqa: S608 - model metadata
                      [client_alpha.pk])
        due = outbox_event_plan(event_id=event.pk)
        other.rollback()
    assert due, "the event was skipped as if another worker were planning it"
    assert OutboxEvent.objects.get(pk=event.pk).planned_at is not None
