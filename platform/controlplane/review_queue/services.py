"""The only writer of ClientReviewCount. Callers pass counts they computed in the client's schema
(controlplane never reads tenant tables)."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction

from controlplane.clients.models import Client
from controlplane.review_queue.models import ClientReviewCount


def review_count_lock(*, schema_name: str) -> ClientReviewCount | None:
    """Lock (creating if needed) the client's rollup row for the rest of the transaction.

    Callers lock first and count after, so two concurrent writers serialise and the second
    counts what the first committed.
    """
    client_id = Client.objects.filter(schema_name=schema_name).values_list("id", flat=True).first()
    if client_id is None:
        return None
    ClientReviewCount.objects.get_or_create(client_id=client_id)
    return ClientReviewCount.objects.select_for_update().get(client_id=client_id)


def review_count_store(*, row: ClientReviewCount, open_by_kind: dict[str, int],
                       latest_open_at: datetime | None) -> ClientReviewCount:
    assert transaction.get_connection().in_atomic_block, "lock the row with review_count_lock first"
    row.open_by_kind = {k: v for k, v in sorted(open_by_kind.items()) if v}
    row.open_count = sum(row.open_by_kind.values())
    row.latest_open_at = latest_open_at
    row.save(update_fields=["open_by_kind", "open_count", "latest_open_at", "updated_at"])
    return row
