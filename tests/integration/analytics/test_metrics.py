"""Each metric rule of tenants/analytics/metrics.py on hand-built rows, with exact expected values."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django_tenants.utils import schema_context

from tenants.analytics import metrics
from tenants.analytics.models import DailyRollup, LeadValue
from tenants.analytics.ranges import DateRange
from tenants.analytics.rollups import rollups_recompute
from tenants.analytics.selectors import busiest_window, overview_read
from tenants.conversations.models import Conversation
from tests.integration.analytics import builders as b

NOW = datetime(2026, 6, 10, 12, 0, tzinfo=UTC)
DAY = date(2026, 6, 8)  # a Monday; the client is in America/New_York (UTC-4 in June)
TZ = "America/New_York"


def at(hour: int, minute: int = 0, day: int = 8) -> datetime:
    return datetime(2026, 6, day, hour, minute, tzinfo=UTC)


@pytest.fixture
def scenario(client_alpha):  # type: ignore[no-untyped-def]
    with schema_context(client_alpha.schema_name):
        b.conversation(at(14), turns=3, lead="hot", ended=True, server_ms=120, tags=["menu", "hours"],
                       sentiment="positive")
        b.conversation(at(15), turns=1, fallback_last=True, server_ms=40, sentiment="negative", tags=["menu"])
        b.conversation(at(16), turns=2, fallback_last=True, server_ms=260)
        b.conversation(at(17), turns=2, server_ms=900, model_ms=None)
        b.conversation(at(18), turns=1, booking=True, server_ms=2500, sentiment="positive")
        b.conversation(at(3, 30, day=9), turns=1, server_ms=120)  # 23:30 Monday in New York
        b.conversation(NOW - timedelta(minutes=10), turns=1, lead="warm")  # still open: not over yet
        first = b.visitor(at(13))
        visit = b.session(first, at(13))
        # Two conversations in that one visit: engagement counts the visit once.
        Conversation.objects.filter(started_at__in=[at(14), at(15)]).update(session=visit)
        b.session(first, at(19), returning=True)
        b.session(b.visitor(at(20)), at(20), returning=True)
        b.event("widget_load", at(13), origin="https://alpha.example")
        LeadValue.objects.create(lead_type="pricing", value_cents=5000)
        rollups_recompute(start=at(0, day=1), end=NOW, tz_name=TZ, now=NOW)
        yield


def _day() -> DailyRollup:
    return DailyRollup.objects.get(day=DAY)


def test_count_rules_land_on_the_local_day(client_alpha, scenario) -> None:
    with schema_context(client_alpha.schema_name):
        row = _day()
        assert (row.messages, row.bot_replies, row.fallback_replies) == (10, 10, 2)
        assert (row.conversations, row.conversations_over, row.conversations_completed) == (6, 6, 3)
        assert (row.leads, row.hot_leads, row.booking_clicks) == (1, 1, 1)
        assert (row.sessions, row.returning_sessions, row.engaged_sessions) == (3, 2, 1)
        assert (row.sentiment_positive, row.sentiment_neutral, row.sentiment_negative) == (2, 3, 1)
        assert row.tags == {"menu": 2, "hours": 1}
        assert row.leads_by_type == {"pricing": 1}
        assert row.widget_loads == 1
        assert not DailyRollup.objects.filter(day=date(2026, 6, 9)).exists()


def test_readers_compute_the_written_rules(client_alpha, scenario) -> None:
    with schema_context(client_alpha.schema_name):
        t = metrics.totals_of([_day()])
        assert metrics.fallback_rate(t) == pytest.approx(2 / 10)
        assert metrics.completion_rate(t) == pytest.approx(3 / 6)
        assert metrics.return_visitor_rate(t) == pytest.approx(2 / 3)
        assert metrics.engagement_rate(t) == pytest.approx(1 / 3)  # not 6 conversations / 3 visits
        # server_ms sorted: 40, 120 ×4, 260 ×2, 900 ×2, 2500 → buckets ≤50:1 ≤200:4 ≤300:2 ≤1000:2 ≤3000:1
        assert metrics.percentile_ms(t.server_ms_histogram, 0.50) == 200
        assert metrics.percentile_ms(t.server_ms_histogram, 0.95) == 3000
        assert sum(t.model_ms_histogram) == 8  # the two replies without a model call are not timed
        assert metrics.percentile_ms([0] * metrics.HISTOGRAM_SIZE, 0.5) is None
        assert metrics.hours_saved(t) == pytest.approx(8 * 2 / 60)
        assert metrics.fallback_rate(metrics.Totals()) is None


def test_overview_heatmap_business_hours_and_value(client_alpha, scenario) -> None:
    with schema_context(client_alpha.schema_name):
        rng = DateRange(DAY, DAY, TZ, None)
        view = overview_read(rng=rng, default_sale_cents=2000)
        assert view.profile.heatmap[0][10] == 3  # 14:00 UTC → 10:00 Monday local
        assert view.profile.heatmap[0][23] == 1
        assert sum(map(sum, view.profile.heatmap)) == 10
        assert view.profile.business.messages == 9
        assert view.profile.after_hours.messages == 1
        assert view.lead_value_cents == 5000
        assert metrics.lead_value_cents({"pricing": 2, "appointment": 1}, {"pricing": 5000}, 2000) == 12000
        assert busiest_window(view.profile.by_hour) == (10, 13)


def test_open_conversation_becomes_over_after_idle(client_alpha, scenario) -> None:
    with schema_context(client_alpha.schema_name):
        later = NOW + timedelta(minutes=31)
        assert metrics.conversations_over_rows(NOW).count() == 6
        assert metrics.conversations_over_rows(later).count() == 7
        assert metrics.conversations_completed_rows(later).count() == 4  # the open one captured a lead


def test_the_engagement_backfill_fills_existing_rollups_like_the_rule(client_alpha, scenario) -> None:
    import importlib

    from django.db import connection

    from tenants.analytics.models import HourlyRollup

    migration = importlib.import_module("tenants.analytics.migrations.0004_engaged_sessions")
    with schema_context(client_alpha.schema_name):
        DailyRollup.objects.update(engaged_sessions=0)
        HourlyRollup.objects.update(engaged_sessions=0)
        with connection.cursor() as cursor:
            cursor.execute(migration.HOURLY)
            cursor.execute(migration.DAILY)
        assert _day().engaged_sessions == 1
        assert HourlyRollup.objects.get(hour=at(13)).engaged_sessions == 1
