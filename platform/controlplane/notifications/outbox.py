"""The transactional outbox: emit in the caller's transaction, plan deliveries, send each exactly once.

    notification_emit(...)      inside the transaction that made the change; queues planning on commit
    outbox_event_plan(...)      one Delivery row per (event, channel, recipient); idempotent
    delivery_send(...)          claim → "sending" (committed) → provider call → sent / retrying / failed
    outbox_sweep(...)           beat: plans events and re-queues due deliveries a dead worker or broker lost

Exactly once: a Delivery is claimed with SELECT … FOR UPDATE SKIP LOCKED and committed as "sending"
with its idempotency key before the provider is called. Whatever runs later (a redelivered Celery
message, the sweep, a retry) finds it no longer open and does nothing. A delivery left in "sending" by
a worker that died during the provider call is marked failed after a while rather than sent again:
the provider may have accepted it, and a second SMS is worse than a visible failure in the log.
"""

from __future__ import annotations

import base64
import contextvars
import logging
import time
import uuid
import zoneinfo
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from datetime import time as dtime
from functools import partial
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from controlplane.accounts.models import Membership, Role, User
from controlplane.clients.models import Client
from controlplane.core.prepared import insert_sql, model_insert
from controlplane.notifications import providers
from controlplane.notifications.messages import email_content, sms_body
from controlplane.notifications.models import (
    ACCOUNT_KINDS,
    AGENCY_ONLY_KINDS,
    OPEN_STATUSES,
    URGENT_KINDS,
    Channel,
    Delivery,
    DeliveryStatus,
    EventKind,
    NotificationSettings,
    OutboxEvent,
    Recipient,
    WebhookEndpoint,
)
from controlplane.notifications.webhooks import (
    EVENT_ID_HEADER,
    EVENT_TYPE_HEADER,
    SIGNATURE_HEADER,
    UnsafeWebhookUrl,
    outbound_url_check,
    webhook_signature,
)

logger = logging.getLogger(__name__)

PERSON_MAX_ATTEMPTS = 6  # 30 s, 1, 2, 4, 8 min between them
PERSON_BACKOFF_S = 30
WEBHOOK_RETRY_FOR = timedelta(days=1)
WEBHOOK_BACKOFF_S = 60
WEBHOOK_BACKOFF_CAP_S = 4 * 3600
STUCK_SENDING_AFTER = timedelta(minutes=10)
SWEEP_BATCH = 500
SWEEP_GRACE = timedelta(minutes=2)


# --- emit -------------------------------------------------------------------------------------------

_suppressed: contextvars.ContextVar[bool] = contextvars.ContextVar("notifications_suppressed", default=False)


@contextmanager
def notifications_suppressed() -> Iterator[None]:
    """Generated history (the demo seed) is not news: no event is recorded inside this block."""
    token = _suppressed.set(True)
    try:
        yield
    finally:
        _suppressed.reset(token)


def notification_emit(*, client_id: int, kind: str, payload: dict[str, Any], dedupe_key: str) -> OutboxEvent | None:
    """Record an event in the caller's transaction (the same one as the change). Emitting the same
    dedupe key again returns the first event and sends nothing more."""
    if _suppressed.get():
        return None
    # One statement for a new event (issue 17: get_or_create sent a SELECT, a SAVEPOINT, the INSERT and
    # a RELEASE); a key already taken, by a committed row or by a concurrent transaction's once it
    # commits, inserts nothing and the first event is read.
    created = model_insert(OutboxEvent(dedupe_key=dedupe_key[:200], client_id=client_id, kind=kind, payload=payload),
                           suffix=f"ON CONFLICT ({OutboxEvent._meta.get_field('dedupe_key').column}) DO NOTHING")
    if created is None:
        return OutboxEvent.objects.get(dedupe_key=dedupe_key[:200])
    transaction.on_commit(lambda: notification_task_enqueue("controlplane.notifications.plan", created.pk))
    return created


def notifications_emit(*, client_id: int, events: list[tuple[str, str, dict[str, Any]]]) -> list[int]:
    """Several events of one change, (kind, dedupe key, payload) each, in ONE statement (a new lead
    that is hot at once is lead.created and lead.hot). Keys already taken insert nothing, as with
    `notification_emit`; returns the ids of the events inserted."""
    if _suppressed.get() or not events:
        return []
    rows = [OutboxEvent(dedupe_key=key[:200], client_id=client_id, kind=kind, payload=payload)
            for kind, key, payload in events]
    sql, params = insert_sql(OutboxEvent, rows, returning=True,
                             suffix=f"ON CONFLICT ({OutboxEvent._meta.get_field('dedupe_key').column}) DO NOTHING")
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        created = [int(row[0]) for row in cursor.fetchall()]
    for pk in created:
        transaction.on_commit(partial(notification_task_enqueue, "controlplane.notifications.plan", pk))
    return created


def notification_task_enqueue(task_name: str, *args: Any, countdown: float | None = None) -> None:
    """Queue a task; a broker that is down loses nothing (the rows are committed, the sweep resends)."""
    from config.celery import app

    try:
        app.send_task(task_name, args=list(args), countdown=countdown, queue=settings.NOTIFICATIONS_QUEUE,
                      retry=False)
    except Exception:  # the broker is down or unreachable: the beat sweep picks the rows up
        logger.warning("could not queue %s%s; the sweep will pick it up", task_name, args, exc_info=True)


# --- plan ---------------------------------------------------------------------------------------------

def _local_now(client: Client, now: datetime) -> datetime:
    try:
        zone = zoneinfo.ZoneInfo(client.timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = zoneinfo.ZoneInfo("UTC")
    return now.astimezone(zone)


def quiet_hours_end(*, client: Client, quiet: NotificationSettings | None, now: datetime) -> datetime | None:
    """When the client's quiet hours end, if `now` falls inside them (local time; may span midnight)."""
    if quiet is None or quiet.quiet_start is None or quiet.quiet_end is None or quiet.quiet_start == quiet.quiet_end:
        return None
    local = _local_now(client, now)
    start, end, t = quiet.quiet_start, quiet.quiet_end, local.time().replace(tzinfo=None)
    inside = (start <= t < end) if start < end else (t >= start or t < end)
    if not inside:
        return None
    end_day = local.date() if t < end else local.date() + timedelta(days=1)
    return datetime.combine(end_day, dtime(end.hour, end.minute), tzinfo=local.tzinfo)


def _planned_rows(event: OutboxEvent, now: datetime) -> list[Delivery]:
    client = event.client
    quiet = NotificationSettings.objects.filter(client=client).first()
    rows: list[Delivery] = []

    def add(channel: str, recipient: str, not_before: datetime | None = None) -> None:
        rows.append(Delivery(event=event, client=client, channel=channel, recipient=recipient,
                             idempotency_key=f"shoreline-{event.pk}-{channel}-{uuid.uuid4().hex[:12]}",
                             status=DeliveryStatus.SCHEDULED if not_before else DeliveryStatus.PENDING,
                             next_attempt_at=not_before))

    recipients = Recipient.objects.filter(client=client)
    if event.kind in ACCOUNT_KINDS:
        for email in account_alert_emails(client=client, agency_only=event.kind in AGENCY_ONLY_KINDS):
            add(Channel.EMAIL, email)
    elif event.kind == EventKind.WEEKLY_SUMMARY:
        if quiet is None or quiet.weekly_digest:
            for person in recipients.filter(weekly_summary=True).exclude(email=""):
                add(Channel.EMAIL, person.email)
    else:
        hold_until = None if event.kind in URGENT_KINDS else quiet_hours_end(client=client, quiet=quiet, now=now)
        for person in recipients:
            if event.kind in person.sms_kinds and person.can_receive_sms:
                add(Channel.SMS, person.phone, hold_until)
            if event.kind in person.email_kinds and person.email:
                add(Channel.EMAIL, person.email)
        for endpoint in WebhookEndpoint.objects.filter(client=client, active=True):
            if event.kind in endpoint.kinds:
                add(Channel.WEBHOOK, str(endpoint.pk))
    return rows


def account_alert_emails(*, client: Client, agency_only: bool = False) -> list[str]:
    """Who hears about the client's plan and payments: its owners (active sign-ins) and the agency
    (every active platform admin). Resolved when the event is planned, off the message hot path."""
    emails = [] if agency_only else list(
        Membership.objects.filter(client=client, role=Membership.MemberRole.OWNER, user__is_active=True)
        .order_by("user__email").values_list("user__email", flat=True))
    emails += User.objects.filter(role=Role.PLATFORM_ADMIN, is_active=True).order_by("email").values_list(
        "email", flat=True)
    return list(dict.fromkeys(e for e in emails if e))


def outbox_event_plan(*, event_id: int) -> list[int]:
    """Create the event's deliveries once and return the ids of those due now (to queue)."""
    now = timezone.now()
    with transaction.atomic():
        # of=("self",): lock the event row only. Locking the joined client row too made a second event of
        # the same client, planned at the same moment by the other worker process, skip (until the sweep).
        event = (OutboxEvent.objects.select_for_update(skip_locked=True, of=("self",)).select_related("client")
                 .filter(pk=event_id, planned_at__isnull=True).first())
        if event is not None:
            # ignore_conflicts: two recipients sharing a phone number get one SMS, not two.
            Delivery.objects.bulk_create(_planned_rows(event, now), ignore_conflicts=True)
            OutboxEvent.objects.filter(pk=event.pk).update(planned_at=now)
    return list(Delivery.objects.filter(event_id=event_id, status__in=OPEN_STATUSES)
                .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)).values_list("pk", flat=True))


# --- send ---------------------------------------------------------------------------------------------

def _backoff(delivery: Delivery, now: datetime) -> datetime | None:
    """The next attempt's time, or None when the delivery has had all its chances."""
    if delivery.channel == Channel.WEBHOOK:
        delay = min(WEBHOOK_BACKOFF_S * 2 ** (delivery.attempts - 1), WEBHOOK_BACKOFF_CAP_S)
        at = now + timedelta(seconds=delay)
        return at if at <= delivery.event.created_at + WEBHOOK_RETRY_FOR else None
    if delivery.attempts >= PERSON_MAX_ATTEMPTS:
        return None
    return now + timedelta(seconds=PERSON_BACKOFF_S * 2 ** (delivery.attempts - 1))


def _webhook_call(delivery: Delivery) -> providers.ProviderAnswer:
    endpoint = WebhookEndpoint.objects.filter(pk=int(delivery.recipient), client_id=delivery.client_id).first()
    if endpoint is None or not endpoint.active:
        return providers.ProviderAnswer(False, False, "", "The webhook endpoint was removed or turned off.")
    try:
        outbound_url_check(endpoint.url)
    except UnsafeWebhookUrl as error:
        return providers.ProviderAnswer(False, False, "", f"Refused: {error}")
    event = delivery.event
    body = webhook_body(event).encode()
    timestamp = int(time.time())
    headers = {SIGNATURE_HEADER: webhook_signature(secret=endpoint.secret, timestamp=timestamp, body=body),
               EVENT_ID_HEADER: webhook_event_id(event), EVENT_TYPE_HEADER: event.kind}
    return providers.webhook_post(url=endpoint.url, body=body, headers=headers)


def webhook_event_id(event: OutboxEvent) -> str:
    return f"evt_{event.pk}"


def webhook_body(event: OutboxEvent) -> str:
    """The JSON a client's endpoint receives: stable across retries and replays of one event."""
    return providers.json_dumps({"id": webhook_event_id(event), "type": event.kind,
                                 "created": int(event.created_at.timestamp()), "client": event.client.slug,
                                 "data": event.payload})


def _provider_call(delivery: Delivery) -> providers.ProviderAnswer:
    event = delivery.event
    if delivery.channel == Channel.SMS:
        return providers.sms_send(to=delivery.recipient, idempotency_key=delivery.idempotency_key,
                                  body=sms_body(kind=event.kind, client_name=event.client.name, payload=event.payload))
    if delivery.channel == Channel.EMAIL:
        content = email_content(kind=event.kind, client_name=event.client.name, payload=event.payload)
        attachments = tuple(
            providers.EmailAttachment(filename=a["filename"], content_type=a["content_type"],
                                      content=base64.b64decode(a["content_b64"]))
            for a in event.payload.get("attachments", []))
        return providers.email_send(to=delivery.recipient, subject=content.subject, text=content.text,
                                    html=content.html, idempotency_key=delivery.idempotency_key,
                                    attachments=attachments)
    return _webhook_call(delivery)


def delivery_send(*, delivery_id: int) -> str:
    """Send one delivery if it is open and due; returns its status afterwards."""
    now = timezone.now()
    with transaction.atomic():
        delivery = (Delivery.objects.select_for_update(skip_locked=True, of=("self",))
                    .select_related("event", "event__client").filter(pk=delivery_id, status__in=OPEN_STATUSES)
                    .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)).first())
        if delivery is None:
            return "skipped"  # already sent/sending, not due yet, or another worker holds it
        if delivery.channel == Channel.SMS and _sms_stopped(delivery):
            delivery.status, delivery.provider_answer = DeliveryStatus.FAILED, "Not sent: the recipient texted STOP."
            delivery.save(update_fields=["status", "provider_answer", "updated_at"])
            return delivery.status
        delivery.status, delivery.attempts = DeliveryStatus.SENDING, delivery.attempts + 1
        delivery.save(update_fields=["status", "attempts", "updated_at"])
    # Committed as "sending": from here on nothing else will send this delivery.
    answer = _provider_call(delivery)
    finished = timezone.now()
    delivery.provider_answer = answer.answer
    delivery.provider_id = answer.provider_id
    if answer.ok:
        delivery.status, delivery.next_attempt_at = DeliveryStatus.SENT, None
    else:
        retry_at = _backoff(delivery, finished) if answer.retryable else None
        delivery.status = DeliveryStatus.RETRYING if retry_at else DeliveryStatus.FAILED
        delivery.next_attempt_at = retry_at
    Delivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.SENDING).update(
        status=delivery.status, next_attempt_at=delivery.next_attempt_at, provider_answer=delivery.provider_answer,
        provider_id=delivery.provider_id, updated_at=finished)
    if delivery.status == DeliveryStatus.RETRYING and delivery.next_attempt_at is not None:
        notification_task_enqueue("controlplane.notifications.send", delivery.pk,
                 countdown=(delivery.next_attempt_at - finished).total_seconds())
    return delivery.status


def _sms_stopped(delivery: Delivery) -> bool:
    """STOP may arrive after planning: check consent again right before sending."""
    return not Recipient.objects.filter(client_id=delivery.client_id, phone=delivery.recipient,
                                        sms_stopped_at__isnull=True, sms_opt_in_at__isnull=False).exists()


def delivery_replay(*, delivery_id: int, client_id: int) -> Delivery | None:
    """An admin re-sends a webhook delivery (same event id and body, fresh signature)."""
    with transaction.atomic():
        delivery = (Delivery.objects.select_for_update().filter(pk=delivery_id, client_id=client_id,
                                                                 channel=Channel.WEBHOOK)
                    .exclude(status=DeliveryStatus.SENDING).first())
        if delivery is None:
            return None
        delivery.status, delivery.next_attempt_at = DeliveryStatus.PENDING, None
        delivery.save(update_fields=["status", "next_attempt_at", "updated_at"])
    transaction.on_commit(lambda: notification_task_enqueue("controlplane.notifications.send", delivery.pk))
    return delivery


# --- sweep --------------------------------------------------------------------------------------------

def outbox_sweep(*, now: datetime | None = None) -> dict[str, int]:
    """Plan events whose planning was lost, re-queue due deliveries, fail those stuck mid-call."""
    now = now or timezone.now()
    # Only what has waited longer than SWEEP_GRACE: a fresh event or delivery has its task in the queue
    # already. Re-queueing those every minute fed a backlog with duplicates (found on the `make demo`
    # walk: ~500 summaries after the history seed, every sweep re-queued every pending webhook, and a
    # crisis alert waited minutes behind thousands of duplicate tasks).
    waited = now - SWEEP_GRACE
    unplanned = list(OutboxEvent.objects.filter(planned_at__isnull=True, created_at__lt=waited).order_by("created_at")
                     .values_list("pk", flat=True)[:SWEEP_BATCH])
    for event_id in unplanned:
        notification_task_enqueue("controlplane.notifications.plan", event_id)
    due = list(Delivery.objects.filter(status__in=OPEN_STATUSES)
               .filter(Q(next_attempt_at__isnull=True, created_at__lt=waited) | Q(next_attempt_at__lte=now))
               .order_by("created_at").values_list("pk", flat=True)[:SWEEP_BATCH])
    for delivery_id in due:
        notification_task_enqueue("controlplane.notifications.send", delivery_id)
    stuck = Delivery.objects.filter(status=DeliveryStatus.SENDING, updated_at__lt=now - STUCK_SENDING_AFTER).update(
        status=DeliveryStatus.FAILED, updated_at=now,
        provider_answer="Unknown: the sender stopped during the provider call. Not re-sent, so nobody gets it twice.")
    return {"planned": len(unplanned), "queued": len(due), "stuck": stuck}
