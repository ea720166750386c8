"""AX-4/AX-5: which clients get the most value, and which need a call this week, and why.

Read from the public rollups only (each client's rollup job keeps them current), so the page
costs the same few queries for 5 clients or 5,000.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db.models import Sum
from django.utils import timezone

from controlplane.billing.metering import current_period
from controlplane.billing.models import UsagePeriod
from controlplane.clients.models import Client
from controlplane.clients.selectors import client_list
from controlplane.rollups.models import ClientDailyRollup

RANKING_DAYS = 30
# Outreach thresholds: small numbers are noise, so each rule needs enough traffic to speak.
USAGE_DROP_SHARE = 0.30  # this week's messages at least 30 % below last week's ...
USAGE_DROP_MIN_MESSAGES = 20  # ... when last week had at least 20
FALLBACK_RISE_POINTS = 0.10  # fallback rate up by 10 percentage points or more ...
FALLBACK_MIN_REPLIES = 10  # ... over at least 10 replies this week
QUIET_WIDGET_DAYS = 7
NEAR_QUOTA_SHARE = 0.8


@dataclass(frozen=True)
class ClientValue:
    client: Client
    leads: int
    hot_leads: int
    booking_clicks: int
    lead_value_cents: int
    bot_replies: int
    fallback_replies: int

    @property
    def answer_rate(self) -> float | None:
        """Share of bot replies that answered (not the fallback); None without replies."""
        return (self.bot_replies - self.fallback_replies) / self.bot_replies if self.bot_replies else None

    @property
    def lead_value_display(self) -> str:
        return f"${self.lead_value_cents / 100:,.0f}"

    @property
    def answer_rate_display(self) -> str:
        rate = self.answer_rate
        return "No replies" if rate is None else _pct(rate)


@dataclass(frozen=True)
class Outreach:
    client: Client
    reasons: list[str] = field(default_factory=list)


_SUMS = ("messages", "bot_replies", "fallback_replies", "leads", "hot_leads", "booking_clicks",
         "lead_value_cents", "widget_loads")


def _totals(first_day: date, last_day: date) -> dict[int, dict[str, int]]:
    rows = (ClientDailyRollup.objects.filter(day__gte=first_day, day__lte=last_day).values("client_id")
            .annotate(**{f: Sum(f) for f in _SUMS}))
    totals: dict[int, dict[str, int]] = {}
    for row in rows:
        figures: dict[str, Any] = dict(row)
        totals[int(figures.pop("client_id"))] = {k: int(v or 0) for k, v in figures.items()}
    return totals


def client_value_ranking(*, today: date | None = None, days: int = RANKING_DAYS) -> list[ClientValue]:
    """AX-4: every client by delivered value over the last `days` days (lead value, hot leads, leads)."""
    today = today or timezone.localdate()
    totals = _totals(today - timedelta(days=days - 1), today)
    ranked = [
        ClientValue(client=c, **{k: totals.get(c.pk, {}).get(k, 0) for k in (
            "leads", "hot_leads", "booking_clicks", "lead_value_cents", "bot_replies", "fallback_replies")})
        for c in client_list()
    ]
    ranked.sort(key=lambda v: (v.lead_value_cents, v.hot_leads, v.leads, v.booking_clicks), reverse=True)
    return ranked


def _pct(share: float) -> str:
    return f"{round(100 * share)} %"


def client_outreach_list(*, today: date | None = None) -> list[Outreach]:
    """AX-5: clients that need a conversation, each with the sentences that say why; busiest problems first."""
    today = today or timezone.localdate()
    this_week = _totals(today - timedelta(days=6), today)
    last_week = _totals(today - timedelta(days=13), today - timedelta(days=7))
    usage = dict(UsagePeriod.objects.filter(period=current_period()).values_list("client_id", "messages"))
    quiet_since = timezone.now() - timedelta(days=QUIET_WIDGET_DAYS)
    out = []
    for client in client_list():
        now, before = this_week.get(client.pk, {}), last_week.get(client.pk, {})
        reasons = []
        was, is_ = before.get("messages", 0), now.get("messages", 0)
        if was >= USAGE_DROP_MIN_MESSAGES and is_ <= (1 - USAGE_DROP_SHARE) * was:
            reasons.append(f"Usage fell {_pct(1 - is_ / was)} week over week ({was:,} → {is_:,} messages).")
        replies, replies_before = now.get("bot_replies", 0), before.get("bot_replies", 0)
        if replies >= FALLBACK_MIN_REPLIES:
            rate = now.get("fallback_replies", 0) / replies
            rate_before = before.get("fallback_replies", 0) / replies_before if replies_before else 0.0
            if rate - rate_before >= FALLBACK_RISE_POINTS:
                reasons.append(f"The bot could not answer {_pct(rate)} of questions this week "
                               f"(last week {_pct(rate_before)}).")
        if client.created_at <= quiet_since and now.get("widget_loads", 0) == 0:
            reasons.append(f"The chat widget has not loaded on their website in {QUIET_WIDGET_DAYS} days.")
        quota = client.plan.monthly_message_quota if client.plan else 0
        used = usage.get(client.pk, 0)
        if quota and used >= quota:
            reasons.append(f"Over the monthly message quota ({used:,} of {quota:,}): time to talk about a bigger plan.")
        elif quota and used >= NEAR_QUOTA_SHARE * quota:
            reasons.append(f"At {_pct(used / quota)} of the monthly message quota.")
        if reasons:
            out.append(Outreach(client=client, reasons=reasons))
    out.sort(key=lambda o: (-len(o.reasons), o.client.name))
    return out
