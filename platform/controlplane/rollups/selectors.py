from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.contrib.postgres.aggregates import ArrayAgg
from django.db.models import Count, Max, Min, QuerySet, Sum
from django.utils import timezone

from controlplane.rollups.models import (
    ApprovalQueueEntry,
    ClientDailyRollup,
    ClientReviewCount,
    ReviewQueueEntry,
)
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


# --- ADM-1: the cross-client triage list ----------------------------------------------------------
TRIAGE_PAGE_SIZE = 50
AGE_FILTERS = {"day": (None, timedelta(days=1)), "week": (None, timedelta(days=7)),
               "older": (timedelta(days=7), None)}


@dataclass(frozen=True)
class TriageGroup:
    """One row of the triage list: an item, or several open items of one client asking the same thing."""

    entry: ReviewQueueEntry  # the oldest item of the group (its question, conversation context, owner)
    item_ids: list[int]
    count: int
    oldest_at: datetime
    newest_at: datetime

    @property
    def ref(self) -> str:
        """What a bulk-action checkbox posts: the client and the group's item ids."""
        return f"{self.entry.client_id}:{','.join(map(str, self.item_ids))}"


def review_triage_filter(*, client_id: int | None = None, kind: str = "", owner: str = "", age: str = "",
                         user_id: int | None = None, now: datetime | None = None) -> QuerySet[ReviewQueueEntry]:
    """Open items matching the list's filters. `owner` is "me", "none" or a user id."""
    entries = ReviewQueueEntry.objects.all()
    if client_id:
        entries = entries.filter(client_id=client_id)
    if kind:
        entries = entries.filter(kind=kind)
    if owner == "me":
        entries = entries.filter(owner_id=user_id)
    elif owner == "none":
        entries = entries.filter(owner__isnull=True)
    elif owner.isdigit():
        entries = entries.filter(owner_id=int(owner))
    if age in AGE_FILTERS:
        now = now or timezone.now()
        older_than, newer_than = AGE_FILTERS[age]
        if older_than is not None:
            entries = entries.filter(created_at__lt=now - older_than)
        if newer_than is not None:
            entries = entries.filter(created_at__gte=now - newer_than)
    return entries


def review_triage_page(entries: QuerySet[ReviewQueueEntry], *, page: int = 1,
                       per_page: int = TRIAGE_PAGE_SIZE) -> tuple[list[TriageGroup], int]:
    """One page of groups, crisis → handoff → thumbs down → unknown question → fallback, oldest first
    within each, and the number of groups. Three queries whatever the number of clients or items."""
    grouped = (entries.values("client_id", "group_key")
               .annotate(priority=Min("priority"), oldest_at=Min("created_at"), newest_at=Max("created_at"),
                         n=Count("id"), ids=ArrayAgg("id", ordering=("created_at", "id")),
                         item_ids=ArrayAgg("item_id", ordering=("created_at", "id")))
               .order_by("priority", "oldest_at", "client_id", "group_key"))
    total = grouped.count()
    start = max(page - 1, 0) * per_page
    rows = list(grouped[start:start + per_page])
    firsts = {e.pk: e for e in ReviewQueueEntry.objects.select_related("client", "owner").filter(
        pk__in=[row["ids"][0] for row in rows])}
    groups = [TriageGroup(entry=firsts[row["ids"][0]], item_ids=list(row["item_ids"]), count=row["n"],
                          oldest_at=row["oldest_at"], newest_at=row["newest_at"])
              for row in rows if row["ids"][0] in firsts]
    return groups, total


def approval_queue(*, client_id: int | None = None, limit: int = 200) -> list[ApprovalQueueEntry]:
    """Every client's changes waiting for an admin, oldest first, with their client (one query)."""
    rows = ApprovalQueueEntry.objects.select_related("client").exclude(client__schema_name="public")
    if client_id is not None:
        rows = rows.filter(client_id=client_id)
    return list(rows.order_by("created_at", "id")[:limit])


def approval_count() -> int:
    """How many changes wait for an admin across all clients (one query, for the portal home)."""
    return ApprovalQueueEntry.objects.exclude(client__schema_name="public").count()
