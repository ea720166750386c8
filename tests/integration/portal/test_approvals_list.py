"""BOT-4: one cross-client "Waiting for approval" list from the public index of pending changes.

Every client's pending knowledge drafts, FAQ drafts (new or edits of a live answer) and submitted bot
configurations, oldest first, each linking to its review page; staff see it, only admins approve; the
portal home shows the count; constant queries with 50 more clients; the index follows approvals,
discards, rejections and rollbacks, and a rebuild repairs it.
"""

from __future__ import annotations

import html
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from controlplane.clients.models import Client
from controlplane.rollups.models import ApprovalQueueEntry
from tenants.bots.config import BotConfig
from tenants.bots.services import (
    bot_config_approve,
    bot_config_draft_create,
    bot_config_reject,
    bot_config_submit,
)
from tenants.knowledge.approval_index import approval_index_rebuild
from tenants.knowledge.drafts import article_save_by, knowledge_draft_approve, knowledge_draft_discard
from tenants.knowledge.models import Faq, KnowledgeDraft
from tenants.knowledge.services import faq_approve, faq_save_by
from tests.integration.bots.support import in_client, portal_as, primary_bot

pytestmark = pytest.mark.django_db


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def _age(client, model, pk: int, hours: float, kind: str = "faq") -> None:
    """Back-date a pending change and its index row (the list orders by waiting time)."""
    at = timezone.now() - timedelta(hours=hours)
    model.objects.filter(pk=pk).update(created_at=at)
    ApprovalQueueEntry.objects.filter(client=client, kind=kind, object_id=pk).update(created_at=at)


@pytest.fixture
def pending(client_alpha, client_bravo, staff_user, committed):
    out = {}
    with in_client(client_alpha):
        bot = primary_bot()
        out["alpha_bot"] = bot.pk
        with committed():
            out["faq"] = faq_save_by(actor=staff_user, bot_id=bot.pk, question="Do you sell zebra cakes?",
                                     answer="Only on Fridays.")
        with committed():
            out["article"] = article_save_by(actor=staff_user, bot_id=bot.pk, title="Parking at the studio",
                                             body="Free parking behind the building.").draft
        with committed():
            live = BotConfig.model_validate(bot.published_version.config)
            version = bot_config_draft_create(bot=bot, actor=staff_user, note="Friendlier welcome", config=live)
            out["config"] = bot_config_submit(version=version, actor=staff_user, run_regression=False)
    with in_client(client_bravo):
        bot = primary_bot()
        out["bravo_bot"] = bot.pk
        with committed():
            out["bravo_faq"] = faq_save_by(actor=staff_user, bot_id=bot.pk, question="Do you fix carbon frames?",
                                           answer="Yes, in two days.")
    # Oldest first across clients: bravo's FAQ (50 h), alpha's config (40 h), article (30 h), FAQ (2 h).
    with in_client(client_bravo):
        _age(client_bravo, Faq, out["bravo_faq"].pk, 50)
    with in_client(client_alpha):
        from tenants.bots.models import BotConfigVersion

        BotConfigVersion.objects.filter(pk=out["config"].pk).update(submitted_at=timezone.now() - timedelta(hours=40))
        ApprovalQueueEntry.objects.filter(client=client_alpha, kind="config", object_id=out["config"].pk).update(
            created_at=timezone.now() - timedelta(hours=40))
        _age(client_alpha, KnowledgeDraft, out["article"].pk, 30, kind="article")
        _age(client_alpha, Faq, out["faq"].pk, 2)
    return out


def _rows(response):
    assert response.status_code == 200
    return [(e.client.slug, e.kind, e.title) for e in response.context["entries"]]


def test_one_list_across_clients_oldest_first_linking_to_each_review_page(pending):
    staff = portal_as("staff")
    response = staff.get("/portal/approvals/")
    assert _rows(response) == [
        ("bravo", "faq", "Do you fix carbon frames?"),
        ("alpha", "config", "Friendlier welcome"),
        ("alpha", "article", "Parking at the studio"),
        ("alpha", "faq", "Do you sell zebra cakes?"),
    ]
    page = html.unescape(response.content.decode())
    a, b = pending["alpha_bot"], pending["bravo_bot"]
    for link in (f"/portal/clients/bravo/knowledge/{b}/faqs/{pending['bravo_faq'].pk}/review/",
                 f"/portal/clients/alpha/bots/{a}/versions/{pending['config'].number}/",
                 f"/portal/clients/alpha/knowledge/{a}/drafts/{pending['article'].pk}/",
                 f"/portal/clients/alpha/knowledge/{a}/faqs/{pending['faq'].pk}/review/"):
        assert f'href="{link}"' in page
        assert staff.get(link).status_code == 200  # each review page opens for staff
    assert "an admin approves" in page
    assert "Alpha Co" in page
    assert "Bravo Co" in page
    assert _rows(staff.get("/portal/approvals/?client=bravo")) == [("bravo", "faq", "Do you fix carbon frames?")]
    assert len(_rows(staff.get("/portal/approvals/?client=nobody"))) == 4  # unknown filter: ignored


def test_the_portal_home_shows_the_count(pending):
    page = html.unescape(portal_as("admin").get("/portal/").content.decode())
    assert 'data-approvals-waiting="4"' in page
    assert "4 changes wait for approval" in page


def test_approving_discarding_and_rejecting_take_changes_off_the_list(pending, client_alpha, client_bravo,
                                                                      admin_user, staff_user, committed):
    with in_client(client_alpha):
        with committed():
            faq_approve(faq=pending["faq"], actor=admin_user)
        with committed():
            knowledge_draft_discard(draft=pending["article"], actor=staff_user)
        with committed():
            bot_config_reject(version=pending["config"], actor=admin_user, comment="Not yet")
    assert list(ApprovalQueueEntry.objects.values_list("client__slug", "kind")) == [("bravo", "faq")]
    with in_client(client_bravo):
        with committed():
            faq_approve(faq=pending["bravo_faq"], actor=admin_user)
    assert not ApprovalQueueEntry.objects.exists()
    assert "Nothing waits for approval" in portal_as("staff").get("/portal/approvals/").content.decode()


def test_approved_knowledge_and_configs_leave_the_list(client_alpha, staff_user, admin_user, committed):
    with in_client(client_alpha):
        bot = primary_bot()
        with committed():
            draft = article_save_by(actor=staff_user, bot_id=bot.pk, title="Gift cards", body="Sold at the desk.").draft
        with committed():
            version = bot_config_submit(version=bot_config_draft_create(
                bot=bot, actor=staff_user, note="v", config=BotConfig.model_validate(bot.published_version.config)),
                actor=staff_user, run_regression=False)
        assert ApprovalQueueEntry.objects.count() == 2
        with committed():
            knowledge_draft_approve(draft=draft, actor=admin_user)
        with committed():
            bot_config_approve(version=version, actor=admin_user)
    assert not ApprovalQueueEntry.objects.exists()


def test_an_admins_own_change_and_a_rolled_back_one_never_wait(client_alpha, admin_user, staff_user, committed):
    with in_client(client_alpha):
        bot = primary_bot()
        with committed():
            faq_save_by(actor=admin_user, bot_id=bot.pk, question="Open late?", answer="Until nine.")
        assert not ApprovalQueueEntry.objects.exists()
        with committed():
            try:
                with transaction.atomic():
                    faq_save_by(actor=staff_user, bot_id=bot.pk, question="Rolled back?", answer="Yes.")
                    raise RuntimeError
            except RuntimeError:
                pass
        assert not ApprovalQueueEntry.objects.exists()


def test_a_rebuild_repairs_the_index(pending, client_alpha):
    ApprovalQueueEntry.objects.filter(client=client_alpha).delete()
    with in_client(client_alpha):
        assert approval_index_rebuild() == 3
    assert set(ApprovalQueueEntry.objects.filter(client=client_alpha).values_list("kind", flat=True)) == {
        "faq", "article", "config"}


def test_the_list_and_home_cost_the_same_queries_with_50_more_clients(pending):
    staff = portal_as("staff")

    def count(url: str) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert staff.get(url).status_code == 200
        return len(ctx.captured_queries)

    few = count("/portal/approvals/"), count("/portal/")
    # Public rows only: the list never opens a client's schema, so no schema is created here.
    extra = Client.objects.bulk_create([
        Client(name=f"Extra {i}", slug=f"extra-{i}", schema_name=f"c_extra_{i}") for i in range(50)])
    now = timezone.now()
    ApprovalQueueEntry.objects.bulk_create([
        ApprovalQueueEntry(client=c, kind=kind, object_id=j + 1, bot_id=1, version_number=j + 1 if kind == "config"
                           else None, title=f"Change {j} of {c.slug}", created_at=now - timedelta(hours=100 + j))
        for c in extra for j, kind in enumerate(("faq", "article", "config"))])
    many = count("/portal/approvals/"), count("/portal/")
    assert many[0] == few[0], f"list: {few[0]} queries with 2 clients, {many[0]} with 52"
    # The home lists every client in its table; the approvals count is one query whatever the clients.
    response = staff.get("/portal/approvals/")
    assert response.context["total"] == 154
    assert response.context["entries"][0].created_at < now - timedelta(hours=101)  # oldest first


def test_only_agency_users_see_the_list_and_only_admins_approve(pending, client_alpha, committed):
    assert portal_as("anonymous").get("/portal/approvals/").status_code == 302
    assert portal_as("client").get("/portal/approvals/").status_code in (302, 403)
    a = pending["alpha_bot"]
    staff, admin = portal_as("staff"), portal_as("admin")
    assert staff.post(f"/portal/clients/alpha/knowledge/{a}/faqs/{pending['faq'].pk}/approve/").status_code == 403
    assert staff.post(f"/portal/clients/alpha/knowledge/{a}/drafts/{pending['article'].pk}/approve/").status_code == 403
    assert ApprovalQueueEntry.objects.filter(client=client_alpha).count() == 3
    with committed():
        assert admin.post(f"/portal/clients/alpha/knowledge/{a}/faqs/{pending['faq'].pk}/approve/").status_code == 302
    assert ApprovalQueueEntry.objects.filter(client=client_alpha).count() == 2


def test_a_link_only_opens_the_change_in_the_client_it_names(pending):
    """Alpha's draft id under bravo's slug is looked up in bravo's schema: not found there."""
    staff = portal_as("staff")
    b = pending["bravo_bot"]
    assert staff.get(f"/portal/clients/bravo/knowledge/{b}/drafts/{pending['article'].pk}/").status_code == 404
    assert staff.get(f"/portal/clients/bravo/knowledge/{pending['alpha_bot']}/drafts/"
                     f"{pending['article'].pk}/").status_code == 404


def test_the_deploy_migration_indexes_changes_that_were_already_waiting(pending, client_alpha):
    from importlib import import_module
    from types import SimpleNamespace

    from django.apps import apps

    migration = import_module("tenants.knowledge.migrations.0010_backfill_approval_index")
    ApprovalQueueEntry.objects.filter(client=client_alpha).delete()
    with in_client(client_alpha):
        migration.backfill(apps, SimpleNamespace(connection=connection))
        migration.backfill(apps, SimpleNamespace(connection=connection))  # twice: idempotent
    rows = ApprovalQueueEntry.objects.filter(client=client_alpha)
    assert sorted(rows.values_list("kind", flat=True)) == ["article", "config", "faq"]
    assert rows.get(kind="config").version_number == pending["config"].number
