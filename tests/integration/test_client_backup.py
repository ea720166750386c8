"""client_backup -> client_offboard -> client_restore round-trips one client on the real PostgreSQL.

pg_dump/pg_restore are real (the embedded server's PostgreSQL 18 tools) and run in their own
connections, so the data is committed: like test_celery_worker.py, this module unblocks the database
itself (autocommit) and removes exactly what it created.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django_tenants.utils import schema_context

SLUG = "roundtrip"
OWNER = "owner@roundtrip.test"


def _cleanup() -> None:
    from controlplane.accounts.models import User
    from controlplane.clients.models import Client

    connection.set_schema_to_public()
    for client in Client.objects.filter(slug=SLUG):
        client.delete(force_drop=True)
    with connection.cursor() as cursor:
        cursor.execute('DROP SCHEMA IF EXISTS "c_roundtrip" CASCADE')
    User.objects.filter(email=OWNER).delete()


@pytest.fixture
def committed(django_db_setup, django_db_blocker) -> Iterator[None]:
    with django_db_blocker.unblock():
        _cleanup()
        try:
            yield
        finally:
            _cleanup()


def _snapshot() -> dict[str, object]:
    from controlplane.accounts.models import Membership, User
    from controlplane.clients.models import Client, Domain
    from controlplane.widgets.models import AllowedOrigin, WidgetToken
    from tenants.bots.models import Bot
    from tenants.knowledge.models import Chunk, KnowledgeSource

    client = Client.objects.get(slug=SLUG)
    with schema_context(client.schema_name):
        bots = sorted(Bot.objects.values_list("pk", "name"))
        sources = sorted(KnowledgeSource.objects.values_list("pk", "title", "body"))
        chunks = Chunk.objects.count()
        vectors = [list(v) for v in Chunk.objects.order_by("pk").values_list("embedding", flat=True)[:2]]
    return {
        "client": (client.pk, client.name, client.schema_name, client.plan_id),
        "domains": sorted(Domain.objects.filter(tenant=client).values_list("domain", "is_primary")),
        "owner": User.objects.filter(email=OWNER).values_list("pk", "password").first(),
        "memberships": sorted(Membership.objects.filter(client=client).values_list("user__email", "role")),
        "tokens": sorted(WidgetToken.objects.filter(client=client).values_list("prefix", "token_hash")),
        "origins": sorted(AllowedOrigin.objects.filter(client=client).values_list("origin", flat=True)),
        "bots": bots, "sources": sources, "chunks": chunks, "vectors": vectors,
    }


def test_backup_offboard_restore_round_trip(committed, tmp_path):
    from controlplane.audit.models import AuditLog
    from controlplane.clients.models import Client
    from controlplane.clients.services import client_provision
    from controlplane.widgets.services import allowed_origin_add, widget_token_issue
    from tenants.bots.selectors import bot_primary
    from tenants.knowledge.services import knowledge_source_upsert

    result = client_provision(name="Round Trip Cafe", slug=SLUG, industry="restaurant", plan_key="growth",
                              owner_email=OWNER)
    with schema_context(result.client.schema_name):
        bot = bot_primary()
        knowledge_source_upsert(bot_id=bot.pk, kind="article", title="Patio",
                                body="Our patio is heated from October to April.")
    allowed_origin_add(client=result.client, bot_id=bot.pk, origin="https://roundtrip.example")
    widget_token_issue(client=result.client, bot_id=bot.pk)
    before = _snapshot()
    assert before["chunks"] >= 1

    call_command("client_offboard", SLUG, "--confirm", SLUG, "--output", str(tmp_path))
    connection.set_schema_to_public()
    assert not Client.objects.filter(slug=SLUG).exists()
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM information_schema.schemata WHERE schema_name = 'c_roundtrip'")
        assert cursor.fetchone() is None
    entry = AuditLog.objects.filter(action="client.offboarded", client_slug=SLUG).latest("pk")
    backup_dir = tmp_path / next(p.name for p in tmp_path.iterdir())
    assert entry.data["backup"] == str(backup_dir)
    manifest = json.loads((backup_dir / "manifest.json").read_text())
    assert manifest["slug"] == SLUG
    assert manifest["public_rows"]["clients.Client"] == 1
    assert manifest["public_rows"]["widgets.WidgetToken"] == 1

    call_command("client_restore", str(backup_dir))
    assert _snapshot() == before


def test_restore_refuses_an_existing_client_and_a_damaged_backup(committed, tmp_path):
    from controlplane.clients.services import client_provision

    client_provision(name="Round Trip Cafe", slug=SLUG, industry="restaurant", plan_key="growth", owner_email=OWNER)
    call_command("client_backup", SLUG, "--output", str(tmp_path))
    backup_dir = next(tmp_path.iterdir())
    with pytest.raises(CommandError, match="already exists here; offboard it first"):
        call_command("client_restore", str(backup_dir))
    (backup_dir / "public.json").write_text("[]")
    with pytest.raises(CommandError, match="does not match its checksum"):
        call_command("client_restore", str(backup_dir))


def test_offboard_needs_the_slug_confirmed(committed, tmp_path):
    with pytest.raises(CommandError, match="--confirm must repeat the slug"):
        call_command("client_offboard", "alpha", "--confirm", "alpah", "--output", str(tmp_path))
    with pytest.raises(CommandError, match="no client with the slug"):
        call_command("client_backup", "nobody-here", "--output", str(tmp_path))


@pytest.mark.django_db
def test_restore_and_offboard_refuse_to_run_as_the_app_role(settings, tmp_path):
    """SEC-9: the restricted app role cannot DROP schemas the owner created, so both commands stop
    before any step and say how to run them (as the owner, like the migration job)."""
    from controlplane.clients.models import Client

    settings.DATABASE_APP_USER = "shoreline_app"
    with pytest.raises(CommandError, match=r"SHORELINE_DB_ROLE=owner python manage.py client_offboard"):
        call_command("client_offboard", "alpha", "--confirm", "alpha", "--output", str(tmp_path))
    with pytest.raises(CommandError, match=r"SHORELINE_DB_ROLE=owner python manage.py client_restore"):
        call_command("client_restore", str(tmp_path))
    assert Client.objects.filter(slug="alpha").exists()
    assert list(tmp_path.iterdir()) == []  # not even a backup was written
