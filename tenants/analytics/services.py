"""Writes of the analytics app: events, rollups (and their public copy), question vectors, forecasts."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from typing import Any

from django.utils import timezone

from tenants.analytics.models import Event


def event_record(
    *, kind: str, bot_id: int, visitor_id: int | None = None, conversation_id: uuid.UUID | None = None,
    data: dict[str, Any] | None = None, occurred_at: datetime | None = None,
) -> Event:
    return Event.objects.create(kind=kind, bot_id=bot_id, visitor_id=visitor_id, conversation_id=conversation_id,
                                data=data or {}, occurred_at=occurred_at or timezone.now())


def analytics_rollups_update(*, client: Any, full: bool = False, now: datetime | None = None) -> int:
    """Refresh this client's rollups (call inside its schema) and copy the changed days to public.

    Returns how many daily rows were published for the portal.
    """
    # Cycle (known debt, docs/decisions/0016-import-layers.md): metrics and rollups import
    # conversations.services, which imports this module's event_record at its top.
    from controlplane.rollups.services import client_daily_rollups_replace
    from tenants.analytics import metrics
    from tenants.analytics.models import DailyRollup
    from tenants.analytics.rollups import rollups_refresh
    from tenants.analytics.selectors import lead_values

    result = rollups_refresh(tz_name=client.timezone, full=full, now=now)
    if result is None:
        return 0
    first_day = date.min if full else (result.start - timedelta(days=1)).astimezone(_zone(client.timezone)).date()
    values = lead_values()
    rows = [
        {"day": row.day, "messages": row.messages, "bot_replies": row.bot_replies,
         "fallback_replies": row.fallback_replies, "sessions": row.sessions, "conversations": row.conversations,
         "leads": row.leads, "hot_leads": row.hot_leads, "booking_clicks": row.booking_clicks,
         "lead_value_cents": metrics.lead_value_cents(row.leads_by_type, values, client.avg_sale_value_cents)}
        for row in DailyRollup.objects.filter(day__gte=first_day)
    ]
    return client_daily_rollups_replace(client_id=client.pk, first_day=first_day,
                                        last_day=None, rows=rows)


def _zone(name: str):  # type: ignore[no-untyped-def]
    from zoneinfo import ZoneInfo

    return ZoneInfo(name)
