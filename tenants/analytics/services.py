"""Writes of the analytics app: rollups (and their public copy), lead values. Events are written by
tenants.conversations.services.event_record."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Count, Sum
from django.db.models.functions import TruncDate

from controlplane.audit.services import audit_record
from controlplane.clients.models import Client
from controlplane.rollups.services import client_daily_rollups_replace
from tenants.analytics import metrics
from tenants.analytics.metrics import NO_REVENUE_LEAD_TYPES
from tenants.analytics.models import DailyRollup, LeadValue, RollupState
from tenants.analytics.rollups import rollups_recompute, rollups_refresh
from tenants.analytics.selectors import lead_values


def analytics_rollups_update(*, client: Any, full: bool = False, now: datetime | None = None) -> int:
    """Refresh this client's rollups (call inside its schema) and copy the changed days to public.

    Returns how many daily rows were published for the portal.
    """
    result = rollups_refresh(tz_name=client.timezone, full=full, now=now)
    if result is None:
        return 0
    first_day = date.min if full else (result.start - timedelta(days=1)).astimezone(ZoneInfo(client.timezone)).date()
    return _rollups_publish(client=client, first_day=first_day)


def _rollups_publish(*, client: Any, first_day: date) -> int:
    """Copy this client's daily rollups from first_day on to the public schema (the portal's figures)."""
    values = lead_values()
    usage = _model_usage_by_day(first_day=first_day, tz_name=client.timezone)
    rows = [
        {"day": row.day, "model_usage": usage.get(row.day, {}), "messages": row.messages, "bot_replies": row.bot_replies,
         "fallback_replies": row.fallback_replies, "sessions": row.sessions, "conversations": row.conversations,
         "leads": row.leads, "hot_leads": row.hot_leads, "booking_clicks": row.booking_clicks,
         "widget_loads": row.widget_loads,
         "lead_value_cents": metrics.lead_value_cents(row.leads_by_type, values, client.avg_sale_value_cents)}
        for row in DailyRollup.objects.filter(day__gte=first_day)
    ]
    return client_daily_rollups_replace(client_id=client.pk, first_day=first_day,
                                        last_day=None, rows=rows)


def _model_usage_by_day(*, first_day: date, tz_name: str) -> dict[date, dict[str, dict[str, int]]]:
    """AX-8: per local day and model, the replies and tokens of model calls (one grouped query)."""
    tz = ZoneInfo(tz_name)
    rows = metrics.model_usage_rows()
    if first_day > date.min:
        rows = rows.filter(created_at__gte=datetime.combine(first_day, datetime.min.time(), tzinfo=tz))
    out: dict[date, dict[str, dict[str, int]]] = {}
    for row in (rows.annotate(day=TruncDate("created_at", tzinfo=tz)).values("day", "model_name")
                .annotate(replies=Count("pk"), input_tokens=Sum("input_tokens"), output_tokens=Sum("output_tokens"))):
        out.setdefault(row["day"], {})[row["model_name"]] = {
            "replies": row["replies"], "input_tokens": row["input_tokens"] or 0,
            "output_tokens": row["output_tokens"] or 0}
    return out


def analytics_rollups_reopen(*, at: datetime) -> bool:
    """Recompute the hour and the local day holding `at` now (call inside the client's schema).

    For facts written after their day was rolled up that the dirty window cannot see: topic tags
    arrive with the summary, after the conversation ended, often after the refresh that counted it.
    False when nothing was rolled up yet (the first refresh computes everything anyway).
    """
    state = RollupState.objects.order_by("id").first()
    if state is None or state.computed_through is None or not state.timezone:
        return False
    rollups_recompute(start=at, end=at + timedelta(microseconds=1), tz_name=state.timezone)
    return True


def lead_values_set(*, client: Any, default_cents: int, values: dict[str, int | None], actor: Any,
                    request: Any = None) -> None:
    """VAL-8: the admin sets the client's average sale value, overall and per lead type (call inside its schema).

    A type set to None falls back to the default. Complaints are never revenue, so they take no value.
    The portal's public rollups are re-published so rankings show the new lead value at once.
    """
    if default_cents < 0 or any(v is not None and v < 0 for v in values.values()):
        raise ValueError("Sale values cannot be negative.")
    refused = sorted(set(values) & NO_REVENUE_LEAD_TYPES)
    if refused:
        raise ValueError(f"{', '.join(refused)} leads never count as revenue.")
    with transaction.atomic():
        Client.objects.filter(pk=client.pk).update(avg_sale_value_cents=default_cents)
        client.avg_sale_value_cents = default_cents
        for lead_type, cents in values.items():
            if cents is None:
                LeadValue.objects.filter(lead_type=lead_type).delete()
            else:
                LeadValue.objects.update_or_create(lead_type=lead_type, defaults={"value_cents": cents})
        audit_record(action="client.lead_values_changed", actor=actor, target=client, client_slug=client.slug,
                     data={"default_cents": default_cents, "by_type": values}, request=request)
        _rollups_publish(client=client, first_day=date.min)
