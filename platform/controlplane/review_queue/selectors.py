from __future__ import annotations

from django.db.models import QuerySet

from controlplane.review_queue.models import ClientReviewCount


def review_count_list() -> QuerySet[ClientReviewCount]:
    """Every client's open review items, most first (clients without a row have none)."""
    return ClientReviewCount.objects.select_related("client").exclude(client__schema_name="public")


def review_open_total() -> int:
    return sum(review_count_list().values_list("open_count", flat=True))
