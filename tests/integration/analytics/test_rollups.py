"""Rollups equal the raw counts, computed here independently (Python-side bucketing), also after a retry."""

from __future__ import annotations

import random
from collections import Counter
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.utils import timezone
from django_tenants.utils import schema_context

from controlplane.rollups.models import ClientDailyRollup
from tenants.analytics.models import DailyRollup, HourlyRollup
from tenants.analytics.services import analytics_rollups_update
from tenants.analytics.tasks import rollups_refresh_task
from tenants.conversations.models import Conversation, Event, Message, VisitorSession
from tenants.leads.models import Lead
from tests.integration.analytics import builders as b

TZ = ZoneInfo("America/New_York")


def _raw_by_day() -> dict[str, Counter]:
    """Independent of the rollup code: load raw rows and bucket them by local date in Python."""
    out: dict[str, Counter] = {key: Counter() for key in
                               ("messages", "bot_replies", "fallback_replies", "sessions", "returning_sessions",
                                "conversations", "leads", "hot_leads", "booking_clicks")}
    for role, fallback, at in Message.objects.values_list("role", "is_fallback", "created_at"):
        day = at.astimezone(TZ).date()
        if role == "visitor":
            out["messages"][day] += 1
        else:
            out["bot_replies"][day] += 1
            out["fallback_replies"][day] += fallback
    for returning, at in VisitorSession.objects.values_list("is_returning", "started_at"):
        out["sessions"][at.astimezone(TZ).date()] += 1
        out["returning_sessions"][at.astimezone(TZ).date()] += returning
    for at in Conversation.objects.values_list("started_at", flat=True):
        out["conversations"][at.astimezone(TZ).date()] += 1
    for score, at in Lead.objects.values_list("score", "created_at"):
        out["leads"][at.astimezone(TZ).date()] += 1
        out["hot_leads"][at.astimezone(TZ).date()] += score == "hot"
    for at in Event.objects.filter(kind="booking_click").values_list("occurred_at", flat=True):
        out["booking_clicks"][at.astimezone(TZ).date()] += 1
    return out


def _random_history(rng: random.Random, days: int = 40) -> None:
    now = timezone.now()
    visitors = []
    for _ in range(160):
        at = now - timedelta(days=rng.uniform(0, days), minutes=rng.uniform(0, 60))
        v = rng.choice(visitors) if visitors and rng.random() < 0.3 else b.visitor(at)
        visitors.append(v)
        b.session(v, at, returning=rng.random() < 0.3)
        b.conversation(at, v=v, turns=rng.randint(1, 4), fallbacks=rng.choice([0, 0, 1, 2]),
                       lead=rng.choice([None, None, "hot", "warm", "cold"]), booking=rng.random() < 0.2,
                       server_ms=rng.choice([30, 150, 420, 2200]), ended=rng.random() < 0.5)


def _assert_equal(raw: dict[str, Counter], days: list) -> None:
    rows = {row.day: row for row in DailyRollup.objects.all()}
    for day in days:
        row = rows.get(day)
        for key, counter in raw.items():
            assert (getattr(row, key) if row else 0) == counter[day], (day, key)


def test_random_days_equal_raw_counts_also_after_a_retry(client_alpha) -> None:
    rng = random.Random(7)
    with schema_context(client_alpha.schema_name):
        _random_history(rng)
        analytics_rollups_update(client=client_alpha, full=True)
        raw = _raw_by_day()
        all_days = sorted(set().union(*[set(c) for c in raw.values()]))
        sample = rng.sample(all_days, 12)
        _assert_equal(raw, sample)
        hourly_messages = sum(HourlyRollup.objects.values_list("messages", flat=True))
        assert hourly_messages == Message.objects.filter(role="visitor").count()
        before = list(DailyRollup.objects.order_by("day").values())
        # A retry of the beat task (in this schema, as the worker would run it) changes nothing.
        assert connection.schema_name == client_alpha.schema_name
        rollups_refresh_task.apply()
        rollups_refresh_task.apply(kwargs={"full": True})
        after = list(DailyRollup.objects.order_by("day").values())
        strip = lambda rows: [{k: v for k, v in r.items() if k != "id"} for r in rows]  # noqa: E731
        assert strip(after) == strip(before)
        _assert_equal(_raw_by_day(), sample)
    published = {r.day: r for r in ClientDailyRollup.objects.filter(client=client_alpha)}
    assert sum(r.messages for r in published.values()) == sum(raw["messages"].values())
    assert all(published[d].leads == raw["leads"][d] for d in sample if raw["leads"][d])


def test_incremental_refresh_picks_up_new_rows_and_late_scores(client_alpha) -> None:
    with schema_context(client_alpha.schema_name):
        now = timezone.now()
        conv = b.conversation(now - timedelta(days=3), turns=1, lead="cold", ended=True)
        analytics_rollups_update(client=client_alpha, full=True)
        b.conversation(now - timedelta(minutes=5), turns=2)
        # The lead of a conversation three days ago turns hot today: its capture day must be redone.
        Lead.objects.filter(conversation=conv).update(score="hot", updated_at=now)
        Conversation.objects.filter(pk=conv.pk).update(last_message_at=now)
        analytics_rollups_update(client=client_alpha)
        _assert_equal(_raw_by_day(), sorted({(now - timedelta(days=d)).astimezone(TZ).date() for d in range(5)}))
        assert DailyRollup.objects.get(day=(now - timedelta(days=3)).astimezone(TZ).date()).hot_leads == 1


def test_the_task_refuses_the_public_schema() -> None:
    from controlplane.core.tasks import MissingClientSchema

    connection.set_schema_to_public()
    with pytest.raises(MissingClientSchema):
        rollups_refresh_task.apply(throw=True).get()


def test_dispatch_queues_batches_covering_every_client(client_alpha, monkeypatch) -> None:
    from tenants.analytics import tasks

    batches: list[list[str]] = []
    monkeypatch.setattr(tasks.rollups_batch_task, "apply_async", lambda *a, **kw: batches.append(kw["args"][0]))
    count = tasks.rollups_dispatch()
    seen = [schema for batch in batches for schema in batch]
    assert len(batches) == 1  # every client fits in one message
    assert count == len(seen) >= 2
    assert client_alpha.schema_name in seen
    assert "public" not in seen

