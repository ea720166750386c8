"""KB-4/ADM-9: rebuild with stored progress, one at a time per bot, cancellable, idempotent."""

from __future__ import annotations

import pytest

from controlplane.core.tasks import MissingClientSchema
from tenants.knowledge.models import Chunk, Faq, KnowledgeRebuild
from tenants.knowledge.rebuild import (
    knowledge_rebuild_cancel,
    knowledge_rebuild_request,
    knowledge_rebuild_run,
)
from tenants.knowledge.services import article_upsert, faq_upsert
from tests.integration.bots.support import in_client, portal_as, primary_bot

pytestmark = pytest.mark.django_db


def _knowledge(bot_id: int) -> None:
    article_upsert(bot_id=bot_id, title="About", body="We open at noon.\n\nWe close at ten.")
    article_upsert(bot_id=bot_id, title="Parking", body="Forty spaces behind the building.")
    faq_upsert(bot_id=bot_id, question="Do you deliver?", answer="Yes, within five miles.")


def _snapshot(bot_id: int):
    return sorted(Chunk.objects.filter(bot_id=bot_id).values_list("source_id", "position", "content_hash", "text"))


def test_rebuild_rechunks_everything_and_counts_progress(client_alpha, staff_user):
    with in_client(client_alpha):
        bot = primary_bot()
        _knowledge(bot.pk)
        before = _snapshot(bot.pk)
        Chunk.objects.filter(bot_id=bot.pk).update(embedding=[0.0] * 383 + [1.0])  # a stale embedder
        Faq.objects.filter(bot_id=bot.pk).update(question_embedding=None)
        rebuild, created = knowledge_rebuild_request(bot_id=bot.pk, actor=staff_user)
        assert created
        assert rebuild.state == "queued"
        done = knowledge_rebuild_run(rebuild_id=rebuild.pk)
        assert done.state == "done"
        assert done.percent == 100
        assert done.errors == []
        assert done.sources_done == done.sources_total == 4  # 3 sources + the FAQ step
        assert done.chunks_written == len(before)
        assert done.faqs_embedded == 1
        assert _snapshot(bot.pk) == before  # same content → same chunks ...
        assert not Chunk.objects.filter(bot_id=bot.pk, embedding=[0.0] * 383 + [1.0]).exists()  # ... new vectors
        assert not Faq.objects.filter(bot_id=bot.pk, question_embedding=None).exists()
        # Run twice: the same result.
        second, _ = knowledge_rebuild_request(bot_id=bot.pk)
        knowledge_rebuild_run(rebuild_id=second.pk)
        assert _snapshot(bot.pk) == before


def test_only_one_active_rebuild_per_bot_and_a_claimed_one_is_not_run_twice(client_alpha):
    with in_client(client_alpha):
        bot = primary_bot()
        first, created = knowledge_rebuild_request(bot_id=bot.pk)
        again, created_again = knowledge_rebuild_request(bot_id=bot.pk)
        assert created
        assert not created_again
        assert again.pk == first.pk
        assert knowledge_rebuild_run(rebuild_id=first.pk).state == "done"
        assert knowledge_rebuild_run(rebuild_id=first.pk) is None  # duplicate delivery: nothing happens
        assert KnowledgeRebuild.objects.filter(bot_id=bot.pk).count() == 1


def test_cancel_queued_and_running(client_alpha, staff_user):
    with in_client(client_alpha):
        bot = primary_bot()
        _knowledge(bot.pk)
        queued, _ = knowledge_rebuild_request(bot_id=bot.pk)
        assert knowledge_rebuild_cancel(rebuild=queued, actor=staff_user).state == "cancelled"
        assert knowledge_rebuild_run(rebuild_id=queued.pk) is None
        running, _ = knowledge_rebuild_request(bot_id=bot.pk)
        KnowledgeRebuild.objects.filter(pk=running.pk).update(cancel_requested=True)
        assert knowledge_rebuild_run(rebuild_id=running.pk).state == "cancelled"


def test_task_refuses_the_public_schema():
    from tenants.knowledge.tasks import knowledge_rebuild_task

    with pytest.raises(MissingClientSchema):
        knowledge_rebuild_task(1)


def test_rebuild_page_polls_with_htmx_until_done(client_alpha):
    staff = portal_as("staff")
    with in_client(client_alpha):
        bot = primary_bot()
    start = staff.post(f"/portal/clients/alpha/knowledge/{bot.pk}/rebuild/")
    assert start.status_code == 302
    page_url = start["Location"]
    page = staff.get(page_url)
    body = page.content.decode()
    assert page.status_code == 200
    assert 'hx-trigger="every 1s"' in body
    assert "<progress" in body
    duplicate = staff.post(f"/portal/clients/alpha/knowledge/{bot.pk}/rebuild/")
    assert duplicate["Location"] == page_url  # the running one, not a second rebuild
    with in_client(client_alpha):
        rebuild = KnowledgeRebuild.objects.get(bot_id=bot.pk, state="queued")
        knowledge_rebuild_run(rebuild_id=rebuild.pk)
    fragment = staff.get(page_url, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in fragment
    assert 'data-state="done"' in fragment
    assert "hx-trigger" not in fragment
    assert 'value="100"' in fragment
