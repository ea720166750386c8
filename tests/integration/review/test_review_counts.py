"""The review app owns ReviewItem; the public per-client counts move by +1/-1 after commit.

Covers the move (same tables, migrations applied on the session's fresh database, the fresh-database
branch of rollups 0002) and the count arithmetic (kinds drop at zero, never below zero, a rolled-back
transaction moves nothing).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from controlplane.rollups.models import ClientReviewCount
from controlplane.rollups.services import review_count_closed, review_count_opened
from tenants.conversations.models import Conversation, Visitor
from tenants.review.models import ReviewItem
from tenants.review.services import review_counts_recount, review_item_dismiss, review_item_open
from tests.integration.bots.support import in_client, primary_bot

pytestmark = pytest.mark.django_db


def _row(client):
    return ClientReviewCount.objects.filter(client=client).first()


def _conversation():
    now = timezone.now()
    visitor = Visitor.objects.create(visitor_key=f"v-review-{now.timestamp()}", first_seen_at=now, last_seen_at=now)
    return Conversation.objects.create(visitor=visitor, bot_id=primary_bot().pk, started_at=now, last_message_at=now)


def _tables(schema: str) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = %s", [schema])
        return {name for (name,) in cursor.fetchall()}


def test_the_moved_models_keep_their_tables_and_their_migrations_ran(client_alpha):
    assert ReviewItem._meta.label == "review.ReviewItem"
    assert ReviewItem._meta.db_table == "conversations_reviewitem"
    assert ClientReviewCount._meta.label == "rollups.ClientReviewCount"
    assert "review_queue_clientreviewcount" in _tables("public")
    assert "conversations_reviewitem" in _tables(client_alpha.schema_name)
    with in_client(client_alpha):
        applied = MigrationExecutor(connection).loader.applied_migrations
        assert ("review", "0001_initial") in applied
        assert ("conversations", "0002_reviewitem_moves_to_review") in applied
    assert ("rollups", "0002_clientreviewcount") in MigrationExecutor(connection).loader.applied_migrations


def test_rollups_0002_creates_the_count_table_on_a_database_that_never_had_it():
    from importlib import import_module

    migration = import_module("controlplane.rollups.migrations.0002_clientreviewcount")
    state = MigrationExecutor(connection).loader.project_state(("rollups", "0002_clientreviewcount"))
    with transaction.atomic():  # Postgres DDL is transactional: undone at the end of the block
        with connection.cursor() as cursor:
            cursor.execute("ALTER TABLE review_queue_clientreviewcount RENAME TO review_queue_parked")
        with connection.schema_editor(atomic=False) as editor:
            migration.create_table_if_missing(state.apps, editor)
        assert "review_queue_clientreviewcount" in _tables("public")
        with connection.schema_editor(atomic=False) as editor:  # and a no-op when it exists
            migration.create_table_if_missing(state.apps, editor)
        transaction.set_rollback(True)
    assert "review_queue_parked" not in _tables("public")


def test_counts_move_by_one_after_commit_and_drop_kinds_at_zero(client_alpha, staff_user,
                                                                 django_capture_on_commit_callbacks):
    with in_client(client_alpha):
        review_counts_recount()
        before = _row(client_alpha)
        base, base_kinds = before.open_count, dict(before.open_by_kind)
        conversation = _conversation()
        later = timezone.now() + timedelta(days=1)
        with django_capture_on_commit_callbacks(execute=True):
            crisis = review_item_open(kind="crisis", conversation=conversation, question="q1", reason="r",
                                      created_at=later)
            review_item_open(kind="handoff", conversation=conversation, question="q2", reason="r",
                             created_at=timezone.now())
        row = _row(client_alpha)
        assert row.open_count == base + 2
        assert row.open_by_kind["crisis"] == base_kinds.get("crisis", 0) + 1
        assert row.latest_open_at == later
        with django_capture_on_commit_callbacks(execute=True):
            review_item_dismiss(item=crisis, actor=staff_user)
        row = _row(client_alpha)
        assert row.open_count == base + 1
        assert row.open_by_kind.get("crisis", 0) == base_kinds.get("crisis", 0)
        assert ("crisis" in row.open_by_kind) == bool(base_kinds.get("crisis"))
        assert row.latest_open_at < later  # the newest open item was the one closed


def test_a_rolled_back_turn_does_not_move_the_count(client_alpha):
    with in_client(client_alpha):
        review_counts_recount()
        base = _row(client_alpha).open_count
        conversation = _conversation()
        with transaction.atomic():
            review_item_open(kind="fallback", conversation=conversation, question="q", reason="r",
                             created_at=timezone.now())
            transaction.set_rollback(True)  # the turn failed
        assert _row(client_alpha).open_count == base


def test_counts_never_go_below_zero(client_alpha):
    ClientReviewCount.objects.update_or_create(client=client_alpha, defaults={"open_count": 0, "open_by_kind": {}})
    review_count_closed(schema_name=client_alpha.schema_name, kind="crisis", latest_open_at=None)
    row = _row(client_alpha)
    assert (row.open_count, row.open_by_kind, row.latest_open_at) == (0, {}, None)
    review_count_opened(schema_name=client_alpha.schema_name, kind="crisis", opened_at=timezone.now())
    assert _row(client_alpha).open_by_kind == {"crisis": 1}
