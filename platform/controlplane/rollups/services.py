"""The only writer of the public cross-client rollups."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

from django.db import connection, transaction

from controlplane.clients.models import Client
from controlplane.rollups.models import ClientDailyRollup, ClientReviewCount

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
    objects = [ClientDailyRollup(client_id=client_id, day=row["day"], model_usage=row.get("model_usage") or {},
                                 **{f: row.get(f, 0) for f in FIELDS}) for row in rows]
    with transaction.atomic():
        window.delete()
        ClientDailyRollup.objects.bulk_create(objects)
    return len(objects)


# --- ADM-1: open review items per client, adjusted by +1/-1 (never recounted under a lock) ----------
# One statement each, run after the tenant's transaction committed (tenants.review.services), so a
# rolled-back turn never moves the count and no row lock is held across a visitor's turn. The row is
# created on the first item (INSERT … ON CONFLICT). Kinds that reach zero are dropped from
# open_by_kind; counts never go below zero.
_TABLE = ClientReviewCount._meta.db_table
_CLIENT_TABLE = Client._meta.db_table


def review_count_opened(*, schema_name: str, kind: str, opened_at: datetime) -> None:
    """One more open item of `kind` in the client whose schema is `schema_name`."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {_TABLE} AS r (client_id, open_count, open_by_kind, latest_open_at, updated_at)
            SELECT c.id, 1, jsonb_build_object(%(kind)s::text, 1), %(at)s::timestamptz, now()
              FROM {_CLIENT_TABLE} c WHERE c.schema_name = %(schema)s
            ON CONFLICT (client_id) DO UPDATE SET
              open_count = r.open_count + 1,
              open_by_kind = r.open_by_kind || jsonb_build_object(
                  %(kind)s::text, COALESCE((r.open_by_kind ->> %(kind)s::text)::int, 0) + 1),
              latest_open_at = GREATEST(r.latest_open_at, EXCLUDED.latest_open_at),
              updated_at = now()
            """,  # noqa: S608 - table names come from model metadata, values are parameters
            {"kind": kind, "at": opened_at, "schema": schema_name},
        )


def review_count_closed(*, schema_name: str, kind: str, latest_open_at: datetime | None) -> None:
    """One open item of `kind` fewer; `latest_open_at` is the newest still-open item's time (or None)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            UPDATE {_TABLE} AS r SET
              open_count = GREATEST(r.open_count - 1, 0),
              open_by_kind = CASE
                  WHEN COALESCE((r.open_by_kind ->> %(kind)s::text)::int, 0) <= 1 THEN r.open_by_kind - %(kind)s::text
                  ELSE r.open_by_kind || jsonb_build_object(
                      %(kind)s::text, (r.open_by_kind ->> %(kind)s::text)::int - 1) END,
              latest_open_at = CASE WHEN r.open_count <= 1 THEN NULL ELSE %(latest)s::timestamptz END,
              updated_at = now()
              FROM {_CLIENT_TABLE} c
             WHERE c.id = r.client_id AND c.schema_name = %(schema)s
            """,  # noqa: S608 - table names come from model metadata, values are parameters
            {"kind": kind, "latest": latest_open_at, "schema": schema_name},
        )


def review_count_replace(*, schema_name: str, open_by_kind: dict[str, int],
                         latest_open_at: datetime | None) -> None:
    """Set a client's counts to a full recount (repair, or after bulk deletions such as a privacy erase)."""
    by_kind = {k: v for k, v in sorted(open_by_kind.items()) if v}
    client_id = Client.objects.filter(schema_name=schema_name).values_list("id", flat=True).first()
    if client_id is None:
        return
    ClientReviewCount.objects.update_or_create(client_id=client_id, defaults={
        "open_by_kind": by_kind, "open_count": sum(by_kind.values()), "latest_open_at": latest_open_at})
