"""AX-7 live system figures (the numbers /metrics serves, over a window) and AX-8 model token costs
per client, model, day and month (from the public rollups, constant queries)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import schema_context

from controlplane.billing.models import Plan
from controlplane.clients.models import Client
from controlplane.core.live_metrics import (
    Histogram,
    Snapshot,
    histogram_quantile,
    live_metrics_read,
    snapshot_from_text,
)
from controlplane.core.metrics import WORKER_HEARTBEAT_PREFIX, _broker, worker_heartbeat_write
from controlplane.portal.token_costs import token_report
from controlplane.rollups.models import ClientDailyRollup
from tests.integration.analytics import builders as b
from tests.integration.bots.support import portal_as
from tests.integration.widget.support import WidgetSetup, _fresh_cors_cache, alpha  # noqa: F401

pytestmark = pytest.mark.django_db


# --- AX-7 -----------------------------------------------------------------------------------------

@pytest.fixture
def heartbeat() -> Iterator[str]:
    name = f"test-worker-{timezone.now().timestamp()}@here"
    worker_heartbeat_write(name)
    yield name
    _broker().delete(f"{WORKER_HEARTBEAT_PREFIX}{name}")


def test_live_figures_are_the_numbers_metrics_serves(alpha: WidgetSetup, heartbeat: str) -> None:  # noqa: F811
    staff = portal_as("staff")
    assert alpha.send("What are your opening hours?").status_code == 200  # a widget call, timed
    scraped = portal_as("anonymous").get("/metrics", REMOTE_ADDR="127.0.0.1")  # loopback, no token set
    assert scraped.status_code == 200
    expected = snapshot_from_text(scraped.content.decode())
    live = staff.get("/portal/system/live.json")  # nothing counted in between: /metrics is not a route
    assert live.status_code == 200
    body = live.json()
    assert body["totals"]["http_requests"] == int(expected.http_requests)
    assert body["totals"]["widget_calls"] == int(expected.widget.count) >= 1
    assert body["totals"]["model_calls"] == int(expected.model.count)
    assert body["queues"] == {q: expected.queues[q] for q in ("interactive", "knowledge", "analytics",
                                                              "notifications")}
    assert body["broker_up"] is True
    worker = next(w for w in body["workers"] if w["name"] == heartbeat)
    assert worker["healthy"] is True
    # The next poll compares itself with the first one: a window with a request rate.
    again = staff.get("/portal/system/live.json").json()
    assert again["totals"]["http_requests"] > body["totals"]["http_requests"]


def _hist(**cumulative: float) -> Histogram:
    hist = Histogram()
    for le, count in cumulative.items():
        hist.add(float("inf") if le == "inf" else float(le.removeprefix("s").replace("_", ".")), count)
    hist.count = cumulative["inf"]
    return hist


def test_rates_and_percentiles_cover_the_window_between_two_reads() -> None:
    first = Snapshot(at=1_000.0, http_requests=500, http_errors=10,
                     widget=_hist(s0_1=100, s0_5=180, s1_0=200, inf=200), model=_hist(s1_0=20, inf=20))
    assert live_metrics_read(snapshot=first)["window"] == {"seconds": None}  # nothing to compare with yet
    later = Snapshot(at=1_060.0, http_requests=620, http_errors=16,  # +120 requests, 6 of them errors
                     widget=_hist(s0_1=140, s0_5=280, s1_0=300, inf=300),  # +100 calls: 40 ≤0.1 s, 60 ≤0.5 s
                     model=_hist(s1_0=20, inf=21), model_errors=1)
    window = live_metrics_read(snapshot=later)["window"]
    assert window["seconds"] == 60.0
    assert window["requests_per_s"] == 2.0
    assert window["error_rate"] == 0.05
    assert window["widget"] == {"calls": 100, "p50_ms": round((0.1 + 0.4 * 10 / 60) * 1000, 1),
                                "p95_ms": round((0.1 + 0.4 * 55 / 60) * 1000, 1)}
    # The one model call took over 1 s (the +Inf bucket): reported at the largest finite bound.
    assert window["model"] == {"calls": 1, "p50_ms": 1000.0, "p95_ms": 1000.0, "errors": 1}


def test_histogram_quantile_matches_prometheus_rules() -> None:
    assert histogram_quantile(0.5, Histogram()) is None
    assert histogram_quantile(0.5, _hist(s1_0=0, inf=0)) is None
    assert histogram_quantile(0.5, _hist(s1_0=10, s2_0=20, inf=20)) == 1.0
    assert histogram_quantile(0.75, _hist(s1_0=10, s2_0=20, inf=20)) == 1.5


@pytest.mark.parametrize("path", ["/portal/system/", "/portal/system/live.json", "/portal/costs/"])
def test_agency_only(path: str) -> None:
    assert portal_as("anonymous").get(path).status_code == 302
    assert portal_as("client").get(path).status_code in (302, 403, 404)  # a client session is refused here
    assert portal_as("staff").get(path).status_code == 200
    assert portal_as("admin").get(path).status_code == 200


def test_the_page_polls_the_feed() -> None:
    html = portal_as("admin").get("/portal/system/").content.decode()
    assert 'data-live-metrics data-src="/portal/system/live.json" data-interval="5000"' in html
    assert 'data-metric="window.widget.p95_ms"' in html
    assert 'data-metric="window.model.p95_ms"' in html


# --- AX-8 -----------------------------------------------------------------------------------------

def _replies(client: Client, at: Any, model: str, n: int, tokens_in: int, tokens_out: int) -> None:
    from tenants.analytics.services import analytics_rollups_update
    from tenants.conversations.models import Message

    with schema_context(client.schema_name):
        for _ in range(n):
            conv = b.conversation(at)
            Message.objects.filter(conversation=conv, role="bot").update(
                model_name=model, input_tokens=tokens_in, output_tokens=tokens_out)
        analytics_rollups_update(client=client, full=True)


def test_tokens_and_cost_per_client_model_day_and_month(client_alpha, client_bravo, settings) -> None:
    settings.MODEL_PRICES_USD_PER_MILLION = {"gpt-4o-mini": (0.15, 0.60)}
    now = timezone.now()
    yesterday = now - timedelta(days=1) if now.day > 1 else now
    _replies(client_alpha, yesterday, "gpt-4o-mini", 3, 1_000, 200)
    _replies(client_alpha, now - timedelta(minutes=5), "gpt-4o-mini", 1, 2_000, 100)
    _replies(client_bravo, now - timedelta(minutes=5), "mystery-model", 2, 500, 50)
    report = token_report(month=timezone.localdate())
    lines = {(line.client_slug, line.model): line for line in report.by_client}
    alpha_line = lines[("alpha", "gpt-4o-mini")]
    assert (alpha_line.replies, alpha_line.input_tokens, alpha_line.output_tokens) == (4, 5_000, 700)
    assert alpha_line.cost_usd == pytest.approx((5_000 * 0.15 + 700 * 0.60) / 1_000_000)
    assert lines[("bravo", "mystery-model")].cost_usd is None
    assert report.unpriced_models == ["mystery-model"]

    html = portal_as("admin").get("/portal/costs/").content.decode()
    assert 'data-client="alpha" data-model="gpt-4o-mini"' in html
    assert "$0.0012" in html  # 0.00117 USD
    assert "No price is set for mystery-model" in html
    only_bravo = portal_as("staff").get("/portal/costs/?client=bravo").content.decode()
    assert 'data-client="alpha"' not in only_bravo
    assert portal_as("admin").get("/portal/costs/?month=june").status_code == 400


def test_cost_report_queries_stay_constant_as_clients_grow(client_alpha) -> None:
    today = timezone.localdate()
    usage = {"gpt-4o-mini": {"replies": 2, "input_tokens": 100, "output_tokens": 10}}
    ClientDailyRollup.objects.update_or_create(client=client_alpha, day=today, defaults={"model_usage": usage})

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            token_report(month=today)
        return len(ctx.captured_queries)

    few = count()
    plan = Plan.objects.get(key="growth")
    extra = Client.objects.bulk_create([
        Client(name=f"Extra {i}", slug=f"extra-{i}", schema_name=f"c_extra_{i}", plan=plan) for i in range(50)])
    ClientDailyRollup.objects.bulk_create([ClientDailyRollup(client=c, day=today, model_usage=usage) for c in extra])
    assert len(token_report(month=today).by_client) == 51
    assert count() == few
