"""PRM-2: next week's leads, fitted with Prophet in a Celery task and cached in a Snapshot."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.utils import timezone

from tenants.analytics.models import DailyRollup, Snapshot

KIND = "lead_forecast"
MIN_DAYS = 28  # at least four weeks of history, so the weekly pattern is seen more than once
MIN_LEADS = 10
HISTORY_DAYS = 365


def forecast_refresh(*, tz_name: str) -> dict[str, Any]:
    today = timezone.now().astimezone(ZoneInfo(tz_name)).date()
    rows = list(DailyRollup.objects.filter(day__gte=today - timedelta(days=HISTORY_DAYS), day__lt=today)
                .values_list("day", "leads", "messages"))
    payload: dict[str, Any]
    active = [r for r in rows if r[2] > 0]
    total_leads = sum(r[1] for r in rows)
    if not active or (today - active[0][0]).days < MIN_DAYS or total_leads < MIN_LEADS:
        days = (today - active[0][0]).days if active else 0
        payload = {"status": "insufficient", "history_days": days, "leads": total_leads,
                   "needed_days": MIN_DAYS, "needed_leads": MIN_LEADS}
    else:
        payload = {"status": "ok", **_fit(rows, first=active[0][0], today=today)}
    Snapshot.objects.update_or_create(kind=KIND, defaults={"computed_at": timezone.now(), "payload": payload})
    return payload


def _fit(rows: list[tuple[Any, int, int]], *, first: Any, today: Any) -> dict[str, Any]:
    # Lazy: pandas + prophet take seconds to import; only the forecast task needs them (decision 0013).
    import pandas as pd
    from prophet import Prophet

    logging.getLogger("cmdstanpy").setLevel(logging.WARNING)
    logging.getLogger("prophet").setLevel(logging.WARNING)
    by_day = {day: leads for day, leads, _ in rows}
    days = [first + timedelta(days=i) for i in range((today - first).days)]
    frame = pd.DataFrame({"ds": pd.to_datetime(days), "y": [by_day.get(d, 0) for d in days]})
    model = Prophet(weekly_seasonality=True, daily_seasonality=False, yearly_seasonality=False,
                    interval_width=0.8)
    model.fit(frame)
    future = pd.DataFrame({"ds": pd.to_datetime([today + timedelta(days=i) for i in range(7)])})
    predicted = model.predict(future)
    daily = [
        {"day": row.ds.date().isoformat(), "leads": round(max(row.yhat, 0.0), 1),
         "low": round(max(row.yhat_lower, 0.0), 1), "high": round(max(row.yhat_upper, 0.0), 1)}
        for row in predicted.itertuples()
    ]
    last_week = sum(by_day.get(today - timedelta(days=i), 0) for i in range(1, 8))
    return {"total": round(sum(d["leads"] for d in daily)), "low": round(sum(d["low"] for d in daily)),
            "high": round(sum(d["high"] for d in daily)), "last_week": last_week, "daily": daily,
            "history_days": len(days)}


def forecast_latest() -> dict[str, Any] | None:
    snapshot = Snapshot.objects.filter(kind=KIND).first()
    if snapshot is None:
        return None
    return {**snapshot.payload, "computed_at": snapshot.computed_at}
