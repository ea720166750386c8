"""ADM-1 triage: one cross-client Needs Review list from the public index of open items.

Order crisis → handoff → thumbs down → unknown question, then age; filters; bulk dismiss / draft FAQ /
assign; duplicates grouped with a count; conversation context without impersonating; constant queries
with 50 more clients; a recount rebuilds the index.
"""

from __future__ import annotations

import html
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from controlplane.accounts.middleware import SESSION_HOST_KEY
from controlplane.accounts.models import User
from controlplane.clients.models import Client
from controlplane.rollups.models import ClientReviewCount, ReviewQueueEntry
from tenants.conversations.models import Conversation, Visitor
from tenants.knowledge.models import Faq
from tenants.leads.models import Lead
from tenants.review.models import ReviewItem
from tenants.review.services import (
    question_normalise,
    review_context_refresh,
    review_counts_recount,
    review_item_open,
)
from tests.conftest import CLIENT_PASSWORD, host_for, login
from tests.integration.bots.support import in_client, portal_as, primary_bot

pytestmark = pytest.mark.django_db


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def _open(committed, kind: str, question: str, hours_ago: float, key: str) -> ReviewItem:
    at = timezone.now() - timedelta(hours=hours_ago)
    visitor = Visitor.objects.create(visitor_key=f"v-triage-{key}", first_seen_at=at, last_seen_at=at)
    conversation = Conversation.objects.create(visitor=visitor, bot_id=primary_bot().pk, started_at=at,
                                               last_message_at=at)
    with committed():
        return review_item_open(kind=kind, conversation=conversation, question=question, reason="test",
                                created_at=at)


@pytest.fixture
def queue(client_alpha, client_bravo, committed):
    items = {}
    with in_client(client_alpha):
        # Opened oldest first in the wrong priority order: the list must reorder them.
        items["unknown_old"] = _open(committed, "unknown_question", "Hi! Do you open on Sundays?", 50, "a1")
        items["thumbs"] = _open(committed, "thumbs_down", "How much is a gift card?", 40, "a2")
        items["unknown_dupe"] = _open(committed, "unknown_question", "do you open on sundays", 2, "a3")
        items["handoff"] = _open(committed, "handoff", "Can I talk to a person?", 30, "a4")
        items["crisis"] = _open(committed, "crisis", "I do not want to be here anymore", 1, "a5")
    with in_client(client_bravo):
        items["bravo"] = _open(committed, "unknown_question", "Do you fix bikes with carbon frames?", 45, "b1")
    return items


def _groups(response):
    assert response.status_code == 200
    return [(g.entry.client.slug, g.entry.kind, g.count) for g in response.context["groups"]]


def test_duplicate_wording_is_one_group():
    assert question_normalise("Hi! Do you open on Sundays?") == question_normalise("do you open on sundays")
    assert question_normalise("Café hours?") == "cafe hours"
    assert question_normalise("Do you open on Sundays?") != question_normalise("Do you open on Mondays?")


def test_one_list_across_clients_crisis_first_then_age_with_duplicates_grouped(queue):
    staff = portal_as("staff")
    response = staff.get("/portal/review/")
    assert _groups(response) == [
        ("alpha", "crisis", 1), ("alpha", "handoff", 1), ("alpha", "thumbs_down", 1),
        ("alpha", "unknown_question", 2),  # asked twice, oldest 50 h ago
        ("bravo", "unknown_question", 1),  # 45 h ago
    ]
    text = html.unescape(response.content.decode())
    assert "Asked 2 times" in text
    assert "Crisis" in text
    assert "Handoff request" in text
    assert "Alpha Co" in text
    assert "Bravo Co" in text
    assert "2\xa0days" in text  # the age column (50 hours; timesince uses no-break spaces)


def test_filters_by_client_kind_owner_and_age(queue, staff_user):
    staff = portal_as("staff")
    assert _groups(staff.get("/portal/review/?client=bravo")) == [("bravo", "unknown_question", 1)]
    assert _groups(staff.get("/portal/review/?kind=handoff")) == [("alpha", "handoff", 1)]
    assert [k for _, k, _ in _groups(staff.get("/portal/review/?age=day"))] == ["crisis", "unknown_question"]
    assert [k for _, k, _ in _groups(staff.get("/portal/review/?age=older"))] == []
    assert len(_groups(staff.get("/portal/review/?owner=none"))) == 5
    assert _groups(staff.get("/portal/review/?owner=me")) == []
    # Unknown filter values are ignored, not errors.
    assert len(_groups(staff.get("/portal/review/?kind=nonsense&age=x&client=nobody&page=zz"))) == 5


def test_bulk_assign_sets_the_owner_in_both_schemas_and_the_list(queue, client_alpha, client_bravo, admin_user,
                                                                  committed):
    staff = portal_as("staff")
    listing = staff.get("/portal/review/")
    refs = {(g.entry.client.slug, g.entry.kind): g.ref for g in listing.context["groups"]}
    with committed():
        response = staff.post("/portal/review/actions/bulk/", {
            "action": "assign", "owner": str(admin_user.pk),
            "group": [refs[("alpha", "unknown_question")], refs[("bravo", "unknown_question")]]})
    assert response.status_code == 302
    with in_client(client_alpha):
        owned = set(ReviewItem.objects.filter(assigned_to_id=admin_user.pk).values_list("pk", flat=True))
        assert owned == {queue["unknown_old"].pk, queue["unknown_dupe"].pk}
    with in_client(client_bravo):
        assert ReviewItem.objects.get(pk=queue["bravo"].pk).assigned_to_id == admin_user.pk
    mine = portal_as("admin").get("/portal/review/?owner=me")
    assert [(s, k) for s, k, _ in _groups(mine)] == [("alpha", "unknown_question"), ("bravo", "unknown_question")]
    assert admin_user.email in mine.content.decode()
    # The client's own review page names the owner too.
    client_page = staff.get("/portal/review/alpha/").content.decode()
    assert client_page.count(f"<td data-label=\"Owner\">{admin_user.email}</td>") == 2
    # Only agency users can own items; a client user's id is refused with a message, nothing changes.
    owner = User.objects.get(email="owner@alpha.test")
    with committed():
        staff.post("/portal/review/actions/bulk/", {"action": "assign", "owner": str(owner.pk),
                                                    "group": [refs[("alpha", "crisis")]]})
    with in_client(client_alpha):
        assert ReviewItem.objects.get(pk=queue["crisis"].pk).assigned_to_id is None


def test_bulk_dismiss_and_faq_draft(queue, client_alpha, committed):
    staff = portal_as("staff")
    refs = {(g.entry.client.slug, g.entry.kind): g.ref for g in staff.get("/portal/review/").context["groups"]}
    before = ClientReviewCount.objects.get(client=client_alpha).open_count
    with committed():
        staff.post("/portal/review/actions/bulk/", {"action": "dismiss", "group": [refs[("alpha", "thumbs_down")]]})
    with committed():
        response = staff.post("/portal/review/actions/bulk/", {
            "action": "faq", "group": [refs[("alpha", "unknown_question")]], "next": "/portal/review/?kind=crisis"})
    assert response.status_code == 302
    assert response["Location"] == "/portal/review/?kind=crisis"
    with in_client(client_alpha):
        assert ReviewItem.objects.get(pk=queue["thumbs"].pk).status == "dismissed"
        statuses = set(ReviewItem.objects.filter(pk__in=[queue["unknown_old"].pk, queue["unknown_dupe"].pk])
                       .values_list("status", flat=True))
        assert statuses == {"resolved"}
        faq = Faq.objects.get(question="Hi! Do you open on Sundays?")
        assert not faq.approved  # a draft answers nobody until an admin approves it
    assert ClientReviewCount.objects.get(client=client_alpha).open_count == before - 3
    assert _groups(staff.get("/portal/review/")) == [
        ("alpha", "crisis", 1), ("alpha", "handoff", 1), ("bravo", "unknown_question", 1)]
    # No action or no selection: a message, nothing done.
    for data in ({"group": [refs[("alpha", "crisis")]]}, {"action": "dismiss"}):
        assert staff.post("/portal/review/actions/bulk/", data, follow=True).status_code == 200
    with in_client(client_alpha):
        assert ReviewItem.objects.get(pk=queue["crisis"].pk).status == "open"


def test_conversation_summary_tags_intent_and_lead_score_show_without_impersonating(queue, client_alpha,
                                                                                   committed):
    with in_client(client_alpha):
        conversation = queue["handoff"].conversation
        Conversation.objects.filter(pk=conversation.pk).update(
            summary="Wants to book a table for twelve on Friday.", tags=["reservations"], lead_type="reservation")
        conversation.refresh_from_db()
        Lead.objects.create(conversation=conversation, visitor=conversation.visitor, lead_type="reservation",
                            score="hot", created_at=timezone.now(), updated_at=timezone.now())
        with committed():
            review_context_refresh(conversation=conversation)
    text = html.unescape(portal_as("staff").get("/portal/review/?kind=handoff").content.decode())
    assert "Wants to book a table for twelve on Friday." in text
    assert "Lead: Hot" in text
    assert "Intent: Reservation" in text
    assert "Reservations" in text
    # The item's own page shows the same context, read from the client's schema.
    item_page = html.unescape(portal_as("staff").get(f"/portal/review/alpha/{queue['handoff'].pk}/").content.decode())
    assert "Wants to book a table for twelve on Friday." in item_page
    assert "Lead: Hot" in item_page


def test_a_recount_rebuilds_the_index(queue, client_alpha):
    ReviewQueueEntry.objects.filter(client=client_alpha).delete()
    with in_client(client_alpha):
        review_counts_recount()
    assert ReviewQueueEntry.objects.filter(client=client_alpha).count() == 5
    assert set(ReviewQueueEntry.objects.filter(client=client_alpha).values_list("group_key", flat=True)) >= {
        "unanswered:do you open on sundays"}


def test_the_list_costs_the_same_queries_with_50_more_clients(queue):
    staff = portal_as("staff")

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert staff.get("/portal/review/").status_code == 200
        return len(ctx.captured_queries)

    few = count()
    # Public rows only: the list never opens a client's schema, so no schema is created here.
    extra = Client.objects.bulk_create([
        Client(name=f"Extra {i}", slug=f"extra-{i}", schema_name=f"c_extra_{i}") for i in range(50)])
    now = timezone.now()
    ReviewQueueEntry.objects.bulk_create([
        ReviewQueueEntry(client=c, item_id=j + 1, conversation_id="00000000-0000-4000-8000-000000000000",
                         kind=kind, priority=p, question=f"Question {j} of {c.slug}", group_key=f"item:{j + 1}",
                         created_at=now - timedelta(hours=j))
        for c in extra for j, (kind, p) in enumerate((("crisis", 0), ("unknown_question", 3), ("handoff", 1)))])
    ClientReviewCount.objects.bulk_create([ClientReviewCount(client=c, open_count=3) for c in extra])
    many = count()
    assert many == few, f"{few} queries with 2 clients, {many} with 52"
    page = staff.get("/portal/review/")
    assert page.context["groups_total"] == 155
    assert len(page.context["groups"]) == 50  # one page
    assert [g.entry.kind for g in page.context["groups"]][:51] == ["crisis"] * 50  # 51 crises: first page all


def test_only_agency_users_see_the_list_or_act(queue, client_alpha, http):
    anonymous = portal_as("anonymous")
    assert anonymous.get("/portal/review/").status_code == 302
    assert anonymous.post("/portal/review/actions/bulk/", {"action": "dismiss"}).status_code == 302
    # A client user cannot even hold a session on the agency host; on their own host the portal does not exist.
    from django.test import Client as Browser

    owner = Browser(HTTP_HOST=host_for("alpha"))
    assert login(owner, "owner@alpha.test", CLIENT_PASSWORD).status_code == 302
    assert owner.get("/portal/review/").status_code == 404
    assert owner.post("/portal/review/actions/bulk/", {"action": "dismiss"}).status_code == 404
    forged = Browser(HTTP_HOST=host_for(None))
    forged.force_login(User.objects.get(email="owner@alpha.test"), backend="django.contrib.auth.backends.ModelBackend")
    session = forged.session
    session[SESSION_HOST_KEY] = "public"
    session.save()
    assert forged.get("/portal/review/").status_code in (302, 403)
    ref = f"{client_alpha.pk}:{queue['crisis'].pk}"
    assert forged.post("/portal/review/actions/bulk/", {"action": "dismiss", "group": [ref]}).status_code in (302, 403)
    with in_client(client_alpha):
        assert ReviewItem.objects.get(pk=queue["crisis"].pk).status == "open"


def test_a_bulk_reference_only_reaches_the_client_it_names(queue, client_alpha, client_bravo, committed):
    """An alpha item id posted under bravo's client id is looked up in bravo's schema only."""
    crisis_id = queue["crisis"].pk
    with in_client(client_bravo):
        bravo_has_that_id = ReviewItem.objects.filter(pk=crisis_id).exists()
    with committed():
        portal_as("staff").post("/portal/review/actions/bulk/", {
            "action": "dismiss", "group": [f"{client_bravo.pk}:{crisis_id}", "garbage", "12:x,y"]})
    with in_client(client_alpha):
        assert ReviewItem.objects.get(pk=crisis_id).status == "open"
    if not bravo_has_that_id:
        with in_client(client_bravo):
            assert ReviewItem.objects.get(pk=queue["bravo"].pk).status == "open"


def test_an_erased_visitors_question_leaves_the_agency_list(queue, client_alpha, committed):
    from tenants.privacy.services import retention_purge, visitor_delete

    before = ClientReviewCount.objects.get(client=client_alpha).open_count
    with in_client(client_alpha), committed():
        visitor_delete(identifier="v-triage-a4")  # the handoff's visitor
    assert not ReviewQueueEntry.objects.filter(client=client_alpha, item_id=queue["handoff"].pk).exists()
    assert ClientReviewCount.objects.get(client=client_alpha).open_count == before - 1
    assert "Can I talk to a person?" not in portal_as("staff").get("/portal/review/").content.decode()
    # The retention purge too: everything older than a day goes, with its triage rows.
    with in_client(client_alpha), committed():
        Conversation.objects.update(last_message_at=timezone.now() - timedelta(days=3))
        retention_purge(days=1)
    assert not ReviewQueueEntry.objects.filter(client=client_alpha).exists()
    assert ClientReviewCount.objects.get(client=client_alpha).open_count == 0


def test_the_deploy_migration_indexes_items_that_were_already_open(queue, client_alpha):
    from importlib import import_module
    from types import SimpleNamespace

    from django.apps import apps

    migration = import_module("tenants.review.migrations.0003_backfill_triage_index")
    ReviewQueueEntry.objects.filter(client=client_alpha).delete()
    with in_client(client_alpha):
        migration.backfill(apps, SimpleNamespace(connection=connection))
        migration.backfill(apps, SimpleNamespace(connection=connection))  # twice: idempotent
    entries = ReviewQueueEntry.objects.filter(client=client_alpha)
    assert entries.count() == 5
    assert entries.get(item_id=queue["crisis"].pk).priority == 0
    assert entries.filter(group_key="unanswered:do you open on sundays").count() == 2
