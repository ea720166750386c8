from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from django.db.models import QuerySet, Sum

from controlplane.rollups.models import ClientDailyRollup, ClientReviewCount
from controlplane.rollups.services import FIELDS


def client_totals_between(*, first_day: date, last_day: date) -> dict[int, dict[str, Any]]:
    """Per client id, the summed daily figures of [first_day, last_day] (one query, for the portal)."""
    # The sums are annotated from a loop, so the row type cannot list them: read rows as plain mappings.
    rows: Iterable[Mapping[str, Any]] = (ClientDailyRollup.objects.filter(day__gte=first_day, day__lte=last_day)
                                         .values("client_id").annotate(**{f: Sum(f) for f in FIELDS}))
    return {row["client_id"]: {k: v for k, v in row.items() if k != "client_id"} for row in rows}


def client_days(*, client_id: int, first_day: date, last_day: date) -> list[ClientDailyRollup]:
    return list(ClientDailyRollup.objects.filter(client_id=client_id, day__gte=first_day, day__lte=last_day))


def review_count_list() -> QuerySet[ClientReviewCount]:
    """Every client's open review items, most first (clients without a row have none)."""
    return ClientReviewCount.objects.select_related("client").exclude(client__schema_name="public")


def review_open_counts() -> dict[int, int]:
    """Open review items per client id (clients without a row have none)."""
    return dict(ClientReviewCount.objects.values_list("client_id", "open_count"))
