"""AX-4/AX-5: client ranking by delivered value and the outreach list with its reasons, from public rollups."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from controlplane.billing.metering import current_period
from controlplane.billing.models import Plan, UsagePeriod
from controlplane.clients.models import Client
from controlplane.portal.client_health import client_outreach_list, client_value_ranking
from controlplane.rollups.models import ClientDailyRollup
from tests.conftest import ADMIN_EMAIL, AGENCY_PASSWORD, CLIENT_PASSWORD, STAFF_EMAIL, login

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 30)


def _day(client: Client, days_ago: int, today: date = TODAY, **figures: int) -> None:
    ClientDailyRollup.objects.update_or_create(client=client, day=today - timedelta(days=days_ago), defaults=figures)


@pytest.fixture
def old_clients(client_alpha, client_bravo):  # type: ignore[no-untyped-def]
    """Both clients existed for a month, so a silent widget means something."""
    Client.objects.filter(pk__in=[client_alpha.pk, client_bravo.pk]).update(
        created_at=timezone.now() - timedelta(days=30))
    return Client.objects.get(pk=client_alpha.pk), Client.objects.get(pk=client_bravo.pk)


def test_ranking_orders_by_lead_value_and_sums_the_last_30_days(old_clients):
    alpha, bravo = old_clients
    _day(alpha, 0, leads=2, hot_leads=1, lead_value_cents=5_000, bot_replies=10, fallback_replies=2)
    _day(alpha, 29, leads=1, lead_value_cents=1_000, bot_replies=10, fallback_replies=0)
    _day(alpha, 30, leads=50, lead_value_cents=900_000)  # outside the window
    _day(bravo, 3, leads=1, hot_leads=1, lead_value_cents=9_000, booking_clicks=4)
    ranked = client_value_ranking(today=TODAY)
    assert [v.client.slug for v in ranked[:2]] == ["bravo", "alpha"]
    alpha_value = next(v for v in ranked if v.client.slug == "alpha")
    assert (alpha_value.leads, alpha_value.hot_leads, alpha_value.lead_value_cents) == (3, 1, 6_000)
    assert alpha_value.answer_rate == pytest.approx(0.9)
    assert alpha_value.lead_value_display == "$60"
    assert next(v for v in ranked if v.client.slug == "bravo").answer_rate_display == "No replies"


def test_outreach_says_why_for_each_rule(old_clients):
    alpha, bravo = old_clients
    # alpha: usage fell 120 → 60, fallback rate 10 % → 40 %, the widget is loading.
    _day(alpha, 9, messages=120, bot_replies=100, fallback_replies=10, widget_loads=30)
    _day(alpha, 2, messages=60, bot_replies=50, fallback_replies=20, widget_loads=12)
    # bravo: steady usage, but no widget load this week, and over its quota.
    _day(bravo, 9, messages=40, bot_replies=40, widget_loads=5)
    _day(bravo, 2, messages=40, bot_replies=40, widget_loads=0)
    quota = bravo.plan.monthly_message_quota
    UsagePeriod.objects.update_or_create(client=bravo, period=current_period(), defaults={"messages": quota + 3})
    reasons = {o.client.slug: o.reasons for o in client_outreach_list(today=TODAY)}
    assert reasons["alpha"] == [
        "Usage fell 50 % week over week (120 → 60 messages).",
        "The bot could not answer 40 % of questions this week (last week 10 %).",
    ]
    assert reasons["bravo"] == [
        "The chat widget has not loaded on their website in 7 days.",
        f"Over the monthly message quota ({quota + 3:,} of {quota:,}): time to talk about a bigger plan.",
    ]


def test_a_new_client_is_not_flagged_for_a_silent_widget(client_alpha):
    Client.objects.filter(pk=client_alpha.pk).update(created_at=timezone.now() - timedelta(days=2))
    assert "alpha" not in {o.client.slug for o in client_outreach_list(today=TODAY)}


def test_queries_stay_constant_as_clients_grow(old_clients):
    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            client_value_ranking(today=TODAY)
            client_outreach_list(today=TODAY)
        return len(ctx.captured_queries)

    few = count()
    plan = Plan.objects.get(key="growth")
    # Public rows only: the ranking never opens a client's schema, so none is created here.
    extra = Client.objects.bulk_create([
        Client(name=f"Extra {i}", slug=f"extra-{i}", schema_name=f"c_extra_{i}", plan=plan) for i in range(50)])
    ClientDailyRollup.objects.bulk_create([
        ClientDailyRollup(client=c, day=TODAY - timedelta(days=d), messages=10 + i, leads=i % 3,
                          lead_value_cents=100 * i, bot_replies=10, fallback_replies=i % 4)
        for i, c in enumerate(extra) for d in (1, 8)])
    assert len(client_value_ranking(today=TODAY)) == 52
    assert count() == few


def test_the_page_lists_both_for_agency_and_nothing_for_clients(http, old_clients):
    alpha, _ = old_clients
    _day(alpha, 9, timezone.localdate(), messages=120)
    _day(alpha, 2, timezone.localdate(), messages=10)
    for email in (ADMIN_EMAIL, STAFF_EMAIL):
        page = http(None)
        login(page, email, AGENCY_PASSWORD)
        html = page.get("/portal/health/").content.decode()
        assert 'data-outreach="alpha"' in html
        assert "Usage fell 92 %" in html
        assert 'data-rank="bravo"' in html
    owner = http("alpha")
    login(owner, "owner@alpha.test", CLIENT_PASSWORD)
    assert owner.get("/portal/health/").status_code == 404
