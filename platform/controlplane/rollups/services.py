"""The only writer of the public cross-client rollups."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from django.db import transaction

from controlplane.rollups.models import ClientDailyRollup

FIELDS = ("messages", "bot_replies", "fallback_replies", "sessions", "conversations", "leads", "hot_leads",
          "booking_clicks", "lead_value_cents", "widget_loads")


def client_daily_rollups_replace(*, client_id: int, first_day: date, last_day: date | None,
                                 rows: Iterable[Mapping[str, Any]]) -> int:
    """Replace one client's rows for days in [first_day, last_day] (open-ended when last_day is None).

    Same idempotent shape as the per-client rollups: delete the window, insert what was computed.
    """
    window = ClientDailyRollup.objects.filter(client_id=client_id, day__gte=first_day)
    if last_day is not None:
        window = window.filter(day__lte=last_day)
    objects = [ClientDailyRollup(client_id=client_id, day=row["day"], **{f: row.get(f, 0) for f in FIELDS})
               for row in rows]
    with transaction.atomic():
        window.delete()
        ClientDailyRollup.objects.bulk_create(objects)
    return len(objects)
