"""bot_id in a client's schema is a real foreign key (docs/decisions/0026-bot-foreign-keys.md).

Knowledge goes with its bot (CASCADE); visitor history and events refuse the delete (PROTECT); the
migrations that come before the constraint delete orphaned knowledge and refuse orphaned history.
"""

from __future__ import annotations

from importlib import import_module
from types import SimpleNamespace

import pytest
from django.apps import apps as django_apps
from django.db import connection
from django.db.models import ProtectedError
from django.utils import timezone

from tenants.bots.models import Bot
from tenants.conversations.models import Conversation, Event, Visitor, VisitorSession
from tenants.conversations.services import event_record
from tenants.knowledge.models import Chunk, Faq, KnowledgeRebuild, KnowledgeSource, WebsiteSource
from tests.integration.bots.support import in_client, primary_bot

pytestmark = pytest.mark.django_db

BOT_TABLES = {
    "conversations_visitorsession",
    "conversations_conversation",
    "analytics_event",
    "knowledge_knowledgesource",
    "knowledge_faq",
    "knowledge_chunk",
    "knowledge_knowledgerebuild",
    "knowledge_websitesource",
    "knowledge_knowledgedraft",
    "knowledge_documentupload",
    "bots_botconfigversion",
    "bots_bottestcase",
}  # the bots app's own, keys from the start
MISSING_BOT_ID = 987_654


def _bot_foreign_keys(schema: str) -> set[str]:
    """Tables of `schema` whose bot_id column has a foreign key constraint to bots_bot."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT src.relname FROM pg_constraint c
            JOIN pg_class src ON src.oid = c.conrelid JOIN pg_namespace n ON n.oid = src.relnamespace
            JOIN pg_class dst ON dst.oid = c.confrelid
            JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey)
            WHERE c.contype = 'f' AND n.nspname = %s AND dst.relname = 'bots_bot' AND a.attname = 'bot_id'
            """,
            [schema],
        )
        return {name for (name,) in cursor.fetchall()}


def _knowledge(bot: Bot) -> KnowledgeSource:
    source = KnowledgeSource.objects.create(
        bot=bot, kind="article", title="Parking", body="Free parking.", content_hash="h1"
    )
    Faq.objects.create(bot_id=bot.pk, question="Parking?", answer="Free.")
    Chunk.objects.create(
        bot_id=bot.pk,
        source=source,
        position=0,
        text="Free parking.",
        content_hash="c1",
        embedding=[0.1] * 384,
    )
    KnowledgeRebuild.objects.create(bot_id=bot.pk)
    WebsiteSource.objects.create(bot_id=bot.pk, start_url="https://example.test/")
    return source


def _knowledge_counts(bot_id: int) -> list[int]:
    return [
        model.objects.filter(bot_id=bot_id).count()
        for model in (KnowledgeSource, Faq, Chunk, KnowledgeRebuild, WebsiteSource)
    ]


def test_every_bot_id_column_is_a_foreign_key_to_the_bot(client_alpha):
    assert _bot_foreign_keys(client_alpha.schema_name) == BOT_TABLES


def test_deleting_a_bot_takes_its_knowledge_with_it(client_alpha):
    with in_client(client_alpha):
        bot = Bot.objects.create(name="Second bot")
        _knowledge(bot)
        assert _knowledge_counts(bot.pk) == [1, 1, 1, 1, 1]
        bot.delete()
        assert _knowledge_counts(bot.pk) == [0, 0, 0, 0, 0]


@pytest.mark.parametrize("history", ["session", "conversation", "event"])
def test_a_bot_with_visitor_history_cannot_be_deleted(client_alpha, history):
    with in_client(client_alpha):
        bot = Bot.objects.create(name="Bot with history")
        now = timezone.now()
        visitor = Visitor.objects.create(visitor_key=f"v-fk-{history}", first_seen_at=now, last_seen_at=now)
        if history == "session":
            VisitorSession.objects.create(visitor=visitor, bot_id=bot.pk, started_at=now)
        elif history == "conversation":
            Conversation.objects.create(visitor=visitor, bot_id=bot.pk, started_at=now, last_message_at=now)
        else:
            event_record(kind=Event.Kind.WIDGET_LOAD, bot_id=bot.pk)
        with pytest.raises(ProtectedError):
            bot.delete()
        assert Bot.objects.filter(pk=bot.pk).exists()


def test_migration_deletes_orphaned_knowledge_and_keeps_the_rest(client_alpha):
    migration = import_module("tenants.knowledge.migrations.0004_bot_orphans_delete")
    with in_client(client_alpha):
        bot = primary_bot()
        kept = _knowledge_counts(bot.pk)
        # The constraint is deferred to commit (Django's Postgres keys are), so the test's transaction can
        # hold the rows an old database had before the key existed.
        orphan = Bot(pk=MISSING_BOT_ID, name="gone")
        _knowledge(orphan)
        assert _knowledge_counts(MISSING_BOT_ID) == [1, 1, 1, 1, 1]
        migration.orphans_delete(django_apps, SimpleNamespace(connection=connection))
        assert _knowledge_counts(MISSING_BOT_ID) == [0, 0, 0, 0, 0]
        assert _knowledge_counts(bot.pk) == kept


def test_migration_refuses_orphaned_visitor_history_with_a_report(client_alpha):
    migration = import_module("tenants.conversations.migrations.0004_bot_orphans_check")
    with in_client(client_alpha):
        migration.orphans_refuse(django_apps, SimpleNamespace(connection=connection))  # none: passes
        now = timezone.now()
        visitor = Visitor.objects.create(visitor_key="v-fk-orphan", first_seen_at=now, last_seen_at=now)
        Conversation.objects.create(
            visitor=visitor, bot_id=MISSING_BOT_ID, started_at=now, last_message_at=now
        )
        event_record(kind=Event.Kind.WIDGET_LOAD, bot_id=MISSING_BOT_ID)
        with pytest.raises(RuntimeError) as refused:
            migration.orphans_refuse(django_apps, SimpleNamespace(connection=connection))
        message = str(refused.value)
        assert client_alpha.schema_name in message
        assert f"1 conversations of missing bot(s) [{MISSING_BOT_ID}]" in message
        assert f"1 events of missing bot(s) [{MISSING_BOT_ID}]" in message
        assert Conversation.objects.filter(bot_id=MISSING_BOT_ID).count() == 1  # nothing deleted
        # Django checks deferred constraints when the test ends: take the orphans out again.
        Conversation.objects.filter(bot_id=MISSING_BOT_ID).delete()
        Event.objects.filter(bot_id=MISSING_BOT_ID).delete()
