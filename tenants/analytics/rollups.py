"""Hourly and daily rollups of the count rules in metrics.py, recomputed idempotently per time window.

A recompute deletes the buckets of a window and rebuilds them from the raw rows, in one
transaction under a per-schema advisory lock: running it twice (a Celery retry, two overlapping
beats) gives the same rows. `rollups_refresh` finds the window that can have changed since the
last run, so beat can call it every few minutes cheaply.
"""

from __future__ import annotations

import zlib
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.db.models import Count, F, Func, Min
from django.db.models.functions import TruncDate, TruncHour
from django.utils import timezone

from controlplane.core import tenancy
from tenants.analytics import metrics
from tenants.analytics.models import DailyRollup, HourlyRollup, RollupState
from tenants.conversations.models import Conversation, Event, Message
from tenants.conversations.services import CONVERSATION_IDLE_MINUTES
from tenants.leads.models import Lead

# Rows are written with the time they happen; a transaction can commit a little after that.
LATE_ARRIVAL = timedelta(minutes=10)


@dataclass(frozen=True)
class RecomputeResult:
    start: datetime
    end: datetime
    hours: int
    days: int


def _lock() -> None:
    key = zlib.crc32(f"rollups:{tenancy.schema_name()}".encode())
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])


def _grouped(qs: Any, ts: str, bucket: Any) -> dict[Any, int]:
    return {row["b"]: row["n"] for row in qs.annotate(b=bucket).values("b").annotate(n=Count("pk"))}


def _histograms(field_name: str, start: datetime, end: datetime, bucket: Any) -> dict[Any, list[int]]:
    rows = (
        metrics.response_rows(field_name).filter(created_at__gte=start, created_at__lt=end)
        .annotate(b=bucket, i=metrics.response_bucket(field_name)).values("b", "i").annotate(n=Count("pk"))
    )
    out: dict[Any, list[int]] = defaultdict(lambda: [0] * metrics.HISTOGRAM_SIZE)
    for row in rows:
        out[row["b"]][row["i"]] = row["n"]
    return out


def _counts(start: datetime, end: datetime, now: datetime, bucket_for: Any) -> dict[Any, dict[str, Any]]:
    buckets: dict[Any, dict[str, Any]] = defaultdict(dict)
    for rule in metrics.COUNT_RULES:
        qs = rule.rows(now).filter(**{f"{rule.timestamp}__gte": start, f"{rule.timestamp}__lt": end})
        for b, n in _grouped(qs, rule.timestamp, bucket_for(rule.timestamp)).items():
            buckets[b][rule.key] = n
    for name in ("server_ms", "model_ms"):
        for b, histogram in _histograms(name, start, end, bucket_for("created_at")).items():
            buckets[b][f"{name}_histogram"] = histogram
    return buckets


def _daily_extras(start: datetime, end: datetime, tz: ZoneInfo, buckets: dict[Any, dict[str, Any]]) -> None:
    def day_of(ts: str) -> TruncDate:
        return TruncDate(ts, tzinfo=tz)

    started = Conversation.objects.filter(started_at__gte=start, started_at__lt=end)
    for row in started.exclude(sentiment="").annotate(b=day_of("started_at")).values("b", "sentiment").annotate(
            n=Count("pk")):
        if row["sentiment"] in metrics.SENTIMENTS:
            buckets[row["b"]][f"sentiment_{row['sentiment']}"] = row["n"]
    for b, n in _grouped(started.exclude(crisis_level="none"), "started_at", day_of("started_at")).items():
        buckets[b]["crisis_conversations"] = n
    tag_rows = started.annotate(b=day_of("started_at"), tag=Func(F("tags"), function="unnest")).values(
        "b", "tag").annotate(n=Count("pk"))
    for tag_row in tag_rows:
        buckets[tag_row["b"]].setdefault("tags", {})[tag_row["tag"]] = tag_row["n"]
    leads = Lead.objects.filter(created_at__gte=start, created_at__lt=end)
    for lead_row in leads.annotate(b=day_of("created_at")).values("b", "lead_type").annotate(n=Count("pk")):
        buckets[lead_row["b"]].setdefault("leads_by_type", {})[lead_row["lead_type"]] = lead_row["n"]
    loads = Event.objects.filter(kind=Event.Kind.WIDGET_LOAD, occurred_at__gte=start, occurred_at__lt=end)
    for b, n in _grouped(loads, "occurred_at", day_of("occurred_at")).items():
        buckets[b]["widget_loads"] = n
    rated = Message.objects.filter(role=Message.Role.BOT, created_at__gte=start, created_at__lt=end).exclude(
        feedback="")
    for rated_row in rated.annotate(b=day_of("created_at")).values("b", "feedback").annotate(n=Count("pk")):
        buckets[rated_row["b"]]["feedback_up" if rated_row["feedback"] == "up" else "feedback_down"] = rated_row["n"]


def _local_midnight(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time.min, tzinfo=tz)


def rollups_recompute(*, start: datetime, end: datetime, tz_name: str, now: datetime | None = None,
                      ) -> RecomputeResult:
    """Rebuild every hourly bucket and every local day touching [start, end) from the raw rows."""
    now = now or timezone.now()
    tz = ZoneInfo(tz_name)
    hour_start = start.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    hour_end = end.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    if hour_end < end:
        hour_end += timedelta(hours=1)
    first_day, last_day = start.astimezone(tz).date(), (end - timedelta(microseconds=1)).astimezone(tz).date()
    day_start, day_end = _local_midnight(first_day, tz), _local_midnight(last_day + timedelta(days=1), tz)

    hourly = _counts(hour_start, hour_end, now, lambda ts: TruncHour(ts, tzinfo=UTC))
    daily = _counts(day_start, day_end, now, lambda ts: TruncDate(ts, tzinfo=tz))
    _daily_extras(day_start, day_end, tz, daily)
    with transaction.atomic():
        _lock()
        HourlyRollup.objects.filter(hour__gte=hour_start, hour__lt=hour_end).delete()
        HourlyRollup.objects.bulk_create([HourlyRollup(hour=b, **values) for b, values in sorted(hourly.items())])
        DailyRollup.objects.filter(day__gte=first_day, day__lte=last_day).delete()
        DailyRollup.objects.bulk_create([DailyRollup(day=b, **values) for b, values in sorted(daily.items())])
    return RecomputeResult(start=hour_start, end=hour_end, hours=len(hourly), days=len(daily))


def dirty_since(*, since: datetime) -> datetime:
    """The earliest moment whose buckets may differ from what was computed at `since`.

    Rows are bucketed by their own timestamps, but a conversation counts by the time it started
    (it can be completed later) and a lead by when it was captured (its score can rise later).
    Conversations that went idle since then changed from open to over.
    """
    since = since - LATE_ARRIVAL
    touched = Conversation.objects.filter(
        last_message_at__gte=since - timedelta(minutes=CONVERSATION_IDLE_MINUTES)).aggregate(m=Min("started_at"))["m"]
    rescored = Lead.objects.filter(updated_at__gte=since).aggregate(m=Min("created_at"))["m"]
    return min(t for t in (since, touched, rescored) if t is not None)


def earliest_activity() -> datetime | None:
    candidates = [
        Message.objects.aggregate(m=Min("created_at"))["m"],
        Conversation.objects.aggregate(m=Min("started_at"))["m"],
        Event.objects.aggregate(m=Min("occurred_at"))["m"],
    ]
    present = [c for c in candidates if c is not None]
    return min(present) if present else None


def rollups_refresh(*, tz_name: str, full: bool = False, now: datetime | None = None) -> RecomputeResult | None:
    """Bring the rollups up to `now`: the dirty window only, or everything after a time-zone change or `full`."""
    now = now or timezone.now()
    state = RollupState.objects.order_by("id").first() or RollupState()
    if full or state.computed_through is None or state.timezone != tz_name:
        start = earliest_activity()
        if start is None:
            state.computed_through, state.timezone = now, tz_name
            state.save()
            return None
        with transaction.atomic():
            _lock()
            HourlyRollup.objects.all().delete()
            DailyRollup.objects.all().delete()
    else:
        start = dirty_since(since=state.computed_through)
    result = rollups_recompute(start=start, end=now + timedelta(seconds=1), tz_name=tz_name, now=now)
    state.computed_through, state.timezone = now, tz_name
    state.save()
    return result
