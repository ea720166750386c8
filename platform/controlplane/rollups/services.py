"""The only writer of the public cross-client rollups."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

from django.db import connection, transaction

from controlplane.clients.models import Client
from controlplane.rollups.models import (
    ApprovalQueueEntry,
    ClientDailyRollup,
    ClientReviewCount,
    ReviewQueueEntry,
)

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


_COUNT_OPENED_SQL = """
    INSERT INTO {table} AS r (client_id, open_count, open_by_kind, latest_open_at, updated_at)
    SELECT c.id, 1, jsonb_build_object(%(kind)s::text, 1), %(at)s::timestamptz, now()
      FROM {source}
    ON CONFLICT (client_id) DO UPDATE SET
      open_count = r.open_count + 1,
      open_by_kind = r.open_by_kind || jsonb_build_object(
          %(kind)s::text, COALESCE((r.open_by_kind ->> %(kind)s::text)::int, 0) + 1),
      latest_open_at = GREATEST(r.latest_open_at, EXCLUDED.latest_open_at),
      updated_at = now()
"""
_THIS_CLIENT = f"{_CLIENT_TABLE} c WHERE c.schema_name = %(schema)s"


def review_count_opened(*, schema_name: str, kind: str, opened_at: datetime) -> None:
    """One more open item of `kind` in the client whose schema is `schema_name`."""
    with connection.cursor() as cursor:
        cursor.execute(_COUNT_OPENED_SQL.format(table=_TABLE, source=_THIS_CLIENT),
                       {"kind": kind, "at": opened_at, "schema": schema_name})


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


# --- ADM-1: the cross-client triage index (one row per open review item) ----------------------------
# Written after the client's transaction commits, like the counts above. Crisis first, then handoffs,
# thumbs-down answers, unknown questions and fallbacks (ADM-1's order).
REVIEW_PRIORITY = {"crisis": 0, "handoff": 1, "thumbs_down": 2, "unknown_question": 3, "fallback": 4}
_ENTRY_TABLE = ReviewQueueEntry._meta.db_table
_CONTEXT_FIELDS = ("summary", "tags", "intent", "lead_score")


def review_priority(kind: str) -> int:
    return REVIEW_PRIORITY.get(kind, len(REVIEW_PRIORITY))


def _client_id(schema_name: str) -> int | None:
    found = Client.objects.filter(schema_name=schema_name).values_list("id", flat=True).first()
    return int(found) if found is not None else None


_ENTRY_OPENED_SQL = """
    INSERT INTO {table} (client_id, item_id, conversation_id, bot_id, kind, priority, question,
                         group_key, created_at, owner_id, summary, tags, intent, lead_score)
    SELECT c.id, %(item)s, %(conversation)s, %(bot)s, %(kind)s, %(priority)s, %(question)s, %(group)s,
           %(at)s, %(owner)s, %(summary)s, %(tags)s::jsonb, %(intent)s, %(lead)s
      FROM {source}
    ON CONFLICT (client_id, item_id) DO NOTHING
"""


def _entry_params(*, schema_name: str, item_id: int, conversation_id: Any, bot_id: int | None, kind: str,
                  question: str, group_key: str, created_at: datetime, owner_id: int | None = None,
                  context: Mapping[str, Any] | None = None) -> dict[str, Any]:
    ctx = {f: (context or {}).get(f) or ([] if f == "tags" else "") for f in _CONTEXT_FIELDS}
    return {"item": item_id, "conversation": conversation_id, "bot": bot_id, "kind": kind,
            "priority": review_priority(kind), "question": question[:500], "group": group_key[:300],
            "at": created_at, "owner": owner_id, "summary": ctx["summary"], "tags": json.dumps(list(ctx["tags"])),
            "intent": str(ctx["intent"])[:24], "lead": str(ctx["lead_score"])[:4], "schema": schema_name}


def review_entry_opened(**entry: Any) -> None:
    """Index one open item of the client whose schema is `schema_name` (idempotent on the item); the
    keywords are those of `review_item_indexed`'s entry."""
    with connection.cursor() as cursor:
        cursor.execute(_ENTRY_OPENED_SQL.format(table=_ENTRY_TABLE, source=_THIS_CLIENT), _entry_params(**entry))


def review_item_indexed(**entry: Any) -> None:
    """A new open item, after commit, in ONE statement: its triage row (review_entry_opened) and the
    client's open count +1 (review_count_opened). Keywords: schema_name, item_id, conversation_id,
    bot_id, kind, question, group_key, created_at, owner_id, context. Issue 17: a fallback turn's
    statement budget."""
    both = (f"WITH c AS (SELECT id FROM {_CLIENT_TABLE} WHERE schema_name = %(schema)s), "  # noqa: S608
            f"entry AS ({_ENTRY_OPENED_SQL.format(table=_ENTRY_TABLE, source='c')}) "
            + _COUNT_OPENED_SQL.format(table=_TABLE, source="c"))
    with connection.cursor() as cursor:
        cursor.execute(both, _entry_params(**entry))


def review_entry_closed(*, schema_name: str, item_id: int) -> None:
    """The item is no longer open: it leaves the triage list."""
    ReviewQueueEntry.objects.filter(client__schema_name=schema_name, item_id=item_id).delete()


def review_entries_owner(*, schema_name: str, item_ids: Iterable[int], owner_id: int | None) -> None:
    ReviewQueueEntry.objects.filter(client__schema_name=schema_name, item_id__in=list(item_ids)).update(
        owner_id=owner_id)


def review_entries_context(*, schema_name: str, conversation_id: Any, context: Mapping[str, Any]) -> None:
    """The conversation was summarised, tagged or scored: its open items show the new context."""
    values = {f: context[f] for f in _CONTEXT_FIELDS if f in context}
    if values:
        ReviewQueueEntry.objects.filter(client__schema_name=schema_name, conversation_id=conversation_id).update(
            **values)


def review_entries_replace(*, schema_name: str, rows: Iterable[Mapping[str, Any]]) -> int:
    """Rebuild a client's index from a full read of its open items (repair; see review_counts_recount)."""
    client_id = _client_id(schema_name)
    if client_id is None:
        return 0
    objects = [ReviewQueueEntry(client_id=client_id, priority=review_priority(row["kind"]),
                                **{k: v for k, v in row.items() if k != "priority"}) for row in rows]
    with transaction.atomic():
        ReviewQueueEntry.objects.filter(client_id=client_id).delete()
        ReviewQueueEntry.objects.bulk_create(objects)
    return len(objects)


# --- BOT-4: the cross-client "Waiting for approval" index (one row per pending change) ---------------
# Written after the client's transaction commits (tenants.knowledge.approval_index), like the triage rows.
_APPROVAL_TABLE = ApprovalQueueEntry._meta.db_table
_APPROVAL_UPSERT_SQL = f"""
    INSERT INTO {_APPROVAL_TABLE} (client_id, kind, object_id, bot_id, version_number, title, created_by,
                                   changes_live, created_at)
    SELECT c.id, %(kind)s, %(object_id)s, %(bot_id)s, %(number)s, %(title)s, %(by)s, %(live)s, %(at)s
      FROM {_THIS_CLIENT}
    ON CONFLICT (client_id, kind, object_id) DO UPDATE
       SET title = EXCLUDED.title, created_by = EXCLUDED.created_by, changes_live = EXCLUDED.changes_live,
           bot_id = EXCLUDED.bot_id, version_number = EXCLUDED.version_number
"""  # noqa: S608 - table names are ours; every value is a parameter


def approval_entry_upsert(*, schema_name: str, kind: str, object_id: int, bot_id: int, title: str,
                          created_by: str, changes_live: bool, created_at: datetime,
                          version_number: int | None = None) -> None:
    """A change waits for an admin (idempotent: a second staff edit of the same draft updates the row;
    it keeps its first waiting time, so the oldest change stays first)."""
    with connection.cursor() as cursor:
        cursor.execute(_APPROVAL_UPSERT_SQL, {
            "schema": schema_name, "kind": kind, "object_id": object_id, "bot_id": bot_id, "number": version_number,
            "title": title[:300], "by": created_by[:254], "live": changes_live, "at": created_at})


def approval_entry_removed(*, schema_name: str, kind: str, object_id: int) -> None:
    """Approved, discarded, rejected or deleted: it no longer waits."""
    ApprovalQueueEntry.objects.filter(client__schema_name=schema_name, kind=kind, object_id=object_id).delete()


def approval_entries_replace(*, schema_name: str, rows: Iterable[Mapping[str, Any]]) -> int:
    """Rebuild a client's approval rows from a full read of its pending changes (repair)."""
    client_id = _client_id(schema_name)
    if client_id is None:
        return 0
    objects = [ApprovalQueueEntry(client_id=client_id, **row) for row in rows]
    with transaction.atomic():
        ApprovalQueueEntry.objects.filter(client_id=client_id).delete()
        ApprovalQueueEntry.objects.bulk_create(objects)
    return len(objects)
