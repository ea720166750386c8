from __future__ import annotations

from datetime import date, timedelta

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from controlplane.errorlog.models import ErrorEvent, ErrorGroup, ErrorKind
from controlplane.errorlog.services import ALERT_STATUS_CODES

TREND_DAYS = 14
PROVIDER_ALERT_WINDOW = timedelta(hours=1)


def error_group_list(*, kind: str = "", client_slug: str = "", query: str = "") -> QuerySet[ErrorGroup]:
    groups = ErrorGroup.objects.all()
    if kind:
        groups = groups.filter(kind=kind)
    if client_slug:
        groups = groups.filter(client_slug=client_slug)
    if query:
        groups = groups.filter(Q(title__icontains=query) | Q(events__detail__icontains=query)).distinct()
    return groups


def error_daily_counts(*, group_ids: list[int], days: int = TREND_DAYS) -> dict[int, list[int]]:
    """Per group, occurrences per day over the last `days` days (oldest first), in one query.

    Counts what the pruned event list still holds; the group's own count is the lifetime total.
    """
    today = timezone.localdate()
    first = today - timedelta(days=days - 1)
    rows = (ErrorEvent.objects.filter(group_id__in=group_ids, occurred_at__date__gte=first)
            .annotate(day=TruncDate("occurred_at")).values("group_id", "day").annotate(n=Count("id")))
    series = {gid: [0] * days for gid in group_ids}
    for row in rows:
        index = (row["day"] - first).days
        if 0 <= index < days:
            series[row["group_id"]][index] = row["n"]
    return series


def error_trend_days(days: int = TREND_DAYS) -> list[date]:
    today = timezone.localdate()
    return [today - timedelta(days=days - 1 - i) for i in range(days)]


def model_provider_alerts() -> list[ErrorGroup]:
    """Model calls refused by the provider in the last hour: the agency must act (key, quota, billing)."""
    return list(ErrorGroup.objects.filter(kind=ErrorKind.MODEL, status_code__in=ALERT_STATUS_CODES,
                                          last_seen__gte=timezone.now() - PROVIDER_ALERT_WINDOW))
