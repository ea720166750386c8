"""BEY-1: the public index of live handoffs (which conversations a person should look at, across
clients). The client's schema holds the conversation; the handoff services there keep this row in
step, inside the same transaction."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When

from controlplane.notifications.models import LiveHandoff

OPEN_STATUSES = (LiveHandoff.Status.WAITING, LiveHandoff.Status.HELD)


def live_handoff_open(
    *, client_id: int, conversation_id: uuid.UUID, at: datetime, crisis: bool = False
) -> LiveHandoff:
    """A visitor asked for a person (or a crisis was detected): open, or re-open, the row."""
    row, created = LiveHandoff.objects.select_for_update().get_or_create(
        client_id=client_id,
        conversation_id=conversation_id,
        defaults={"requested_at": at, "crisis": crisis, "last_visitor_at": at},
    )
    if not created:
        changed: dict[str, Any] = {"crisis": row.crisis or crisis}
        if row.status == LiveHandoff.Status.CLOSED:
            changed.update(status=LiveHandoff.Status.WAITING, requested_at=at, closed_at=None)
        LiveHandoff.objects.filter(pk=row.pk).update(**changed)
        row.refresh_from_db()
    return row


def live_handoff_visitor_wrote(*, client_id: int, conversation_id: uuid.UUID, at: datetime) -> None:
    LiveHandoff.objects.filter(
        client_id=client_id, conversation_id=conversation_id, status__in=OPEN_STATUSES
    ).update(last_visitor_at=at)


def live_handoff_held(*, client_id: int, conversation_id: uuid.UUID, user: Any, at: datetime) -> None:
    """A person took the conversation (a row is created for a conversation nobody flagged)."""
    updated = LiveHandoff.objects.filter(client_id=client_id, conversation_id=conversation_id).update(
        status=LiveHandoff.Status.HELD, held_by=user, held_at=at, closed_at=None
    )
    if not updated:
        LiveHandoff.objects.create(
            client_id=client_id,
            conversation_id=conversation_id,
            requested_at=at,
            status=LiveHandoff.Status.HELD,
            held_by=user,
            held_at=at,
        )


def live_handoff_closed(*, client_id: int, conversation_id: uuid.UUID, at: datetime) -> None:
    LiveHandoff.objects.filter(client_id=client_id, conversation_id=conversation_id).update(
        status=LiveHandoff.Status.CLOSED, held_by=None, closed_at=at
    )


def live_handoff_list(*, include_closed: bool = False) -> QuerySet[LiveHandoff]:
    """Open handoffs first, crisis above all, then waiting before held, oldest request first."""
    rows = LiveHandoff.objects.select_related("client", "held_by")
    if not include_closed:
        rows = rows.filter(status__in=OPEN_STATUSES)
    return rows.annotate(
        rank=Case(
            When(status=LiveHandoff.Status.CLOSED, then=Value(3)),
            When(crisis=True, then=Value(0)),
            When(status=LiveHandoff.Status.WAITING, then=Value(1)),
            default=Value(2),
            output_field=IntegerField(),
        ),
    ).order_by("rank", "requested_at")


def live_handoff_open_count() -> int:
    return LiveHandoff.objects.filter(status__in=OPEN_STATUSES).count()


def live_handoff_waiting() -> dict[str, int]:
    """Open handoffs nobody has taken yet (crises counted apart), and the open crises (one query)."""
    return LiveHandoff.objects.filter(status__in=OPEN_STATUSES).aggregate(
        waiting=Count("id", filter=Q(status=LiveHandoff.Status.WAITING, crisis=False)),
        crisis=Count("id", filter=Q(crisis=True)),
    )
