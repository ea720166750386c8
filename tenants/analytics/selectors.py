"""Reads of the analytics app. Every chart reads rollups (a fixed number of queries per page)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Sum
from django.db.models.functions import ExtractHour, ExtractIsoWeekDay

from tenants.analytics import metrics
from tenants.analytics.forecast import forecast_latest
from tenants.analytics.models import DailyRollup, HourlyRollup, LeadValue
from tenants.analytics.ranges import DateRange

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
DEFAULT_HOURS = tuple((weekday, 9 * 60, 17 * 60) for weekday in range(5))  # Mon–Fri 9:00–17:00


def lead_values() -> dict[str, int]:
    return dict(LeadValue.objects.values_list("lead_type", "value_cents"))


def daily_rows(*, first_day: date, last_day: date) -> list[DailyRollup]:
    return list(DailyRollup.objects.filter(day__gte=first_day, day__lte=last_day))


@dataclass
class Period:
    """One date range read from the daily rollups."""

    totals: metrics.Totals
    by_day: dict[date, DailyRollup]
    sentiment: dict[str, int]
    leads_by_type: Counter[str]
    tags: Counter[str]


def _period(rows: list[DailyRollup]) -> Period:
    sentiment = dict.fromkeys(metrics.SENTIMENTS, 0)
    leads_by_type: Counter[str] = Counter()
    tags: Counter[str] = Counter()
    for row in rows:
        for label in metrics.SENTIMENTS:
            sentiment[label] += getattr(row, f"sentiment_{label}")
        leads_by_type.update(row.leads_by_type)
        tags.update(row.tags)
    return Period(metrics.totals_of(rows), {row.day: row for row in rows}, sentiment, leads_by_type, tags)


def business_minutes(hours: Any) -> tuple[tuple[int, int, int], ...]:
    """(weekday, opens, closes) in minutes from the bot's published opening hours; Mon–Fri 9–5 without any."""
    out = []
    for h in hours or ():
        opens = int(h.opens[:2]) * 60 + int(h.opens[3:])
        closes = int(h.closes[:2]) * 60 + int(h.closes[3:])
        out.append((h.weekday, opens, closes if closes > opens else 24 * 60))
    return tuple(out) or DEFAULT_HOURS


def is_business_hour(weekday: int, hour: int, schedule: tuple[tuple[int, int, int], ...]) -> bool:
    """VAL-3: an hour counts as business hours when its start lies inside an opening window of that weekday."""
    minute = hour * 60
    return any(w == weekday and opens <= minute < closes for w, opens, closes in schedule)


@dataclass
class HourProfile:
    heatmap: list[list[int]]  # [weekday][hour] messages, local time
    business: metrics.Totals = field(default_factory=metrics.Totals)
    after_hours: metrics.Totals = field(default_factory=metrics.Totals)
    by_hour: list[int] = field(default_factory=lambda: [0] * 24)


def hour_profile(rng: DateRange, schedule: tuple[tuple[int, int, int], ...]) -> HourProfile:
    """VAL-7 and VAL-3 from the hourly rollups, each UTC hour placed at its local weekday and hour.

    Summed in SQL to at most 168 rows (weekday × hour), whatever the length of the range.
    """
    profile = HourProfile(heatmap=[[0] * 24 for _ in range(7)])
    tz = rng.tz
    # The sums are annotated from a loop, so the row type cannot list them: read rows as plain mappings.
    rows: Iterable[Mapping[str, Any]] = (HourlyRollup.objects.filter(hour__gte=rng.start, hour__lt=rng.end)
            .annotate(dow=ExtractIsoWeekDay("hour", tzinfo=tz), local_hour=ExtractHour("hour", tzinfo=tz))
            .values("dow", "local_hour").annotate(**{f"sum_{key}": Sum(key) for key in metrics.ADDITIVE})
            .order_by())
    for row in rows:
        weekday, hour = row["dow"] - 1, row["local_hour"]
        profile.heatmap[weekday][hour] += row["sum_messages"]
        profile.by_hour[hour] += row["sum_messages"]
        target = profile.business if is_business_hour(weekday, hour, schedule) else profile.after_hours
        for key in metrics.ADDITIVE:
            target.counts[key] += row[f"sum_{key}"] or 0
    return profile


def busiest_window(by_hour: list[int], width: int = 3) -> tuple[int, int] | None:
    """PRM-1: the `width`-hour window of the day with the most messages, as (start hour, end hour)."""
    if not any(by_hour):
        return None
    best = max(range(24 - width + 1), key=lambda h: (sum(by_hour[h:h + width]), -h))
    return best, best + width


@dataclass
class Overview:
    range: DateRange
    current: Period
    previous: Period
    profile: HourProfile
    lead_value_cents: int
    previous_lead_value_cents: int
    forecast: dict[str, Any] | None
    values: dict[str, int]


def overview_read(*, rng: DateRange, default_sale_cents: int, hours: Any = ()) -> Overview:
    """Everything the overview shows for one range: 4 queries, whatever the data size."""
    previous = rng.previous()
    rows = daily_rows(first_day=previous.first_day, last_day=rng.last_day)
    current = _period([r for r in rows if r.day >= rng.first_day])
    before = _period([r for r in rows if r.day < rng.first_day])
    values = lead_values()
    return Overview(
        range=rng, current=current, previous=before,
        profile=hour_profile(rng, business_minutes(hours)),
        lead_value_cents=metrics.lead_value_cents(current.leads_by_type, values, default_sale_cents),
        previous_lead_value_cents=metrics.lead_value_cents(before.leads_by_type, values, default_sale_cents),
        forecast=forecast_latest(), values=values,
    )
