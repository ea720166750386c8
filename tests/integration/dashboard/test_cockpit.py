"""Issue 15: AX-3 weekly checklist (generated from data, ticks remembered per ISO week) and the
CXI-3/4/5, PRM-4, BEY-3 insights on the client's dashboard and the agency's page for that client."""

from __future__ import annotations

import html
from datetime import timedelta

import pytest
from django.utils import timezone

from controlplane.audit.models import AuditLog
from controlplane.billing.metering import current_period
from controlplane.billing.models import UsagePeriod
from controlplane.clients.models import Client
from controlplane.portal.checklist_ticks import iso_week
from controlplane.portal.models import ChecklistTick
from tenants.bots.models import Bot, BotStatus
from tenants.conversations.models import Conversation, Message, Visitor
from tenants.dashboard.checklist import checklist_build
from tenants.knowledge.models import Faq, KnowledgeSource, WebsiteCrawl, WebsiteSource
from tenants.leads.models import Lead
from tenants.review.models import ReviewItem
from tenants.review.services import review_item_open
from tests.conftest import CLIENT_PASSWORD, login
from tests.integration.bots.support import in_client, portal_as, primary_bot
from tests.integration.dashboard.conftest import claimed_session

pytestmark = pytest.mark.django_db


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def _conversation(key: str, *, hours_ago: float = 1, **fields) -> Conversation:
    at = timezone.now() - timedelta(hours=hours_ago)
    visitor = Visitor.objects.create(visitor_key=f"v-cockpit-{key}", first_seen_at=at, last_seen_at=at)
    return Conversation.objects.create(visitor=visitor, bot_id=primary_bot().pk, started_at=at, last_message_at=at,
                                       **fields)


def _say(conversation: Conversation, text: str, *, role: str = "visitor", minutes_ago: float = 30, **fields) -> Message:
    return Message.objects.create(conversation=conversation, role=role, text=text,
                                  created_at=timezone.now() - timedelta(minutes=minutes_ago), **fields)


def _unknown(committed, conversation: Conversation, question: str, kind: str = "unknown_question") -> ReviewItem:
    with committed():
        return review_item_open(kind=kind, conversation=conversation, question=question, reason="test",
                                created_at=timezone.now() - timedelta(hours=1))


@pytest.fixture
def alpha_data(client_alpha, committed):
    with in_client(client_alpha):
        asked = _conversation("asked")
        _say(asked, "Do you deliver to Brooklyn?", minutes_ago=5)
        _say(asked, "ok thanks", minutes_ago=4)
        for i, feedback in enumerate(("up", "up", "up", "down")):
            _say(asked, f"Reply {i}", role="bot", feedback=feedback, minutes_ago=3)
        crisis = _conversation("crisis", crisis_level="crisis", sentiment="negative")
        _say(crisis, "Is there any point in going on?", crisis_level="crisis", sentiment="negative")
        unhappy = _conversation("unhappy", sentiment="negative", tags=["delivery"], lead_type="complaint")
        _say(unhappy, "My order arrived cold, this is terrible", sentiment="negative", lead_type="complaint")
        hot = _conversation("hot", lead_type="catering")
        _say(hot, "We need catering for 80 people next Friday, what would it cost?", buying_intent=0.9)
        captured = _conversation("captured")
        _say(captured, "Book me a table for six tonight, here is my number", buying_intent=0.95)
        Lead.objects.create(conversation=captured, visitor=captured.visitor, score="hot", created_at=timezone.now(),
                            updated_at=timezone.now())
        first = _unknown(committed, _conversation("u1"), "Do you cater weddings?")
        second = _unknown(committed, _conversation("u2"), "do you cater weddings")
        disliked = _unknown(committed, _conversation("t1"), "How much is delivery?", kind="thumbs_down")
    return {"wedding": [first, second], "disliked": disliked}


@pytest.fixture
def bravo_data(client_bravo, committed):
    with in_client(client_bravo):
        c = _conversation("bravo")
        _say(c, "Do you service carbon frames from Bravo?", minutes_ago=2)
        _unknown(committed, c, "Bravo secret: do you fix tubeless tyres?")


def _text(response) -> str:
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def test_client_dashboard_shows_its_own_insights_and_no_draft_button(http, alpha_data, bravo_data):
    owner = http("alpha")
    assert login(owner, "owner@alpha.test", CLIENT_PASSWORD).status_code == 302
    text = _text(owner.get("/insights/"))
    # CXI-3: questions, newest first; no small talk, no crisis message, nothing of bravo's.
    assert "Do you deliver to Brooklyn?" in text
    assert "ok thanks" not in text
    assert "Is there any point in going on?" not in text
    assert "Bravo" not in text
    assert "carbon" not in text
    assert "tubeless" not in text
    # CXI-4: the complaint under its topic, with what the visitor said.
    assert "Delivery" in text
    assert "My order arrived cold, this is terrible" in text
    # CXI-5: the hot conversation without a lead; the captured one is not missed.
    assert "We need catering for 80 people next Friday" in text
    assert "Book me a table for six tonight" not in text
    assert "Asked 2 times without an answer." in text
    # PRM-4 suggestions (read-only for the client) and BEY-3 rates.
    assert "Do you cater weddings?" in text
    assert "How much is delivery?" in text
    assert "not helpful 1 time" in text
    assert "Draft an FAQ" not in text
    assert "3 (75 % of ratings)" in text


def test_other_clients_dashboard_never_shows_alphas_questions(http, alpha_data, bravo_data):
    owner = http("bravo")
    assert login(owner, "owner@bravo.test", CLIENT_PASSWORD).status_code == 302
    text = _text(owner.get("/insights/"))
    assert "Do you service carbon frames from Bravo?" in text
    for alpha_only in ("Brooklyn", "weddings", "arrived cold", "catering for 80", "How much is delivery"):
        assert alpha_only not in text
    portal = _text(portal_as("staff").get("/portal/clients/bravo/insights/"))
    assert "Brooklyn" not in portal
    assert "weddings" not in portal
    # Alpha's session on bravo's host is refused (signed out by the host check).
    alpha_owner = claimed_session("owner@alpha.test", "bravo", "c_bravo")
    assert alpha_owner.get("/insights/").status_code in (302, 403)


def test_agency_drafts_an_faq_in_one_click_from_a_suggestion(client_alpha, alpha_data, committed):
    staff = portal_as("staff")
    page = staff.get("/portal/clients/alpha/insights/")
    text = _text(page)
    assert "Draft an FAQ" in text
    assert "Do you cater weddings?" in text
    suggestion = next(s for s in page.context["insights"].suggestions if s.question == "Do you cater weddings?")
    with committed():
        response = staff.post("/portal/clients/alpha/insights/draft-faq/", {"key": suggestion.key, "disliked": "0"})
    assert response.status_code == 302
    with in_client(client_alpha):
        faq = Faq.objects.get(question="Do you cater weddings?")
        assert not faq.approved  # a draft: answers nobody until an admin approves it
        assert response["Location"] == f"/portal/clients/alpha/knowledge/{faq.bot_id}/faqs/{faq.pk}/"
        assert set(ReviewItem.objects.filter(pk__in=[i.pk for i in alpha_data["wedding"]])
                   .values_list("status", flat=True)) == {"resolved"}
    # Handled: the suggestion is gone, and a second click says so instead of making a second draft.
    assert "Do you cater weddings?" not in _text(staff.get("/portal/clients/alpha/insights/"))
    again = staff.post("/portal/clients/alpha/insights/draft-faq/", {"key": suggestion.key, "disliked": "0"},
                       follow=True)
    assert "already been handled" in _text(again)
    with in_client(client_alpha):
        assert Faq.objects.filter(question="Do you cater weddings?").count() == 1


def test_only_agency_roles_draft_faqs(client_alpha, alpha_data):
    key = "do you cater weddings"
    owner_on_portal = claimed_session("owner@alpha.test", None, "public")
    assert owner_on_portal.post("/portal/clients/alpha/insights/draft-faq/", {"key": key}).status_code in (302, 403)
    assert portal_as("anonymous").post("/portal/clients/alpha/insights/draft-faq/", {"key": key}).status_code == 302
    with in_client(client_alpha):
        assert not Faq.objects.filter(question="Do you cater weddings?").exists()
        assert ReviewItem.objects.filter(question="Do you cater weddings?", status="open").exists()


def test_checklist_is_built_from_the_data(client_alpha, committed):
    Client.objects.filter(pk=client_alpha.pk).update(created_at=timezone.now() - timedelta(days=30))
    client = Client.objects.get(pk=client_alpha.pk)
    quota = client.plan.monthly_message_quota
    UsagePeriod.objects.update_or_create(client=client, period=current_period(),
                                         defaults={"messages": int(quota * 0.9)})
    with in_client(client):
        bot = primary_bot()
        _unknown(committed, _conversation("cl1"), "Do you have parking?")
        source = KnowledgeSource.objects.create(bot_id=bot.pk, kind="article", title="Old prices", body="x",
                                                content_hash="x")
        KnowledgeSource.objects.filter(pk=source.pk).update(updated_at=timezone.now() - timedelta(days=200))
        site = WebsiteSource.objects.create(bot_id=bot.pk, start_url="https://alpha.example/")
        WebsiteCrawl.objects.create(site=site, state="failed", error="timeout")
        Bot.objects.filter(pk=bot.pk).update(status=BotStatus.NEEDS_UPDATE)
        checklist = checklist_build(client=client)
    attention = {i.key: i.needs_attention for i in checklist.items}
    assert attention == {"unanswered": True, "stale_knowledge": True, "failed_crawls": True, "bot_update": True,
                         "usage": True, "widget": True}
    details = {i.key: i.detail for i in checklist.items}
    assert details["unanswered"] == "1 question went unanswered this week, 1 still open."
    assert details["failed_crawls"] == "1 crawl of the client's website failed in the last 7 days."
    assert details["usage"].startswith(f"{int(quota * 0.9):,} of {quota:,} messages used this month (90 %)")
    assert details["widget"] == "The widget has not loaded on the client's website in 7 days."


def test_a_quiet_week_is_all_clear(client_bravo):
    with in_client(client_bravo):
        checklist = checklist_build(client=client_bravo)
    assert [i.key for i in checklist.items if i.needs_attention] == []
    assert checklist.open_count == 0


def test_ticks_are_remembered_for_the_week_only_and_audited(client_alpha, committed):
    staff = portal_as("staff")
    with in_client(client_alpha):
        _unknown(committed, _conversation("tk1"), "Do you have parking?")
    page = staff.get("/portal/clients/alpha/checklist/")
    assert 'data-check="unanswered" data-state="todo"' in page.content.decode()
    assert staff.post("/portal/clients/alpha/checklist/tick/", {"item": "unanswered"}).status_code == 302
    assert staff.post("/portal/clients/alpha/checklist/tick/", {"item": "unanswered"}).status_code == 302  # twice
    week = iso_week(timezone.localdate())
    tick = ChecklistTick.objects.get(client=client_alpha, week=week, item="unanswered")
    assert tick.ticked_by.email == "staff@agency.test"
    assert AuditLog.objects.filter(action="checklist.ticked", client_slug="alpha").count() == 1
    text = _text(staff.get("/portal/clients/alpha/checklist/"))
    assert "by staff@agency.test" in text
    assert 'data-check="unanswered" data-state="done"' in staff.get("/portal/clients/alpha/checklist/").content.decode()
    # Next week starts fresh.
    with in_client(client_alpha):
        next_week = checklist_build(client=client_alpha, today=timezone.localdate() + timedelta(days=7))
    assert not next(i for i in next_week.items if i.key == "unanswered").done
    # Undo, and nonsense items are refused with a message.
    staff.post("/portal/clients/alpha/checklist/tick/", {"item": "unanswered", "done": "0"})
    assert not ChecklistTick.objects.filter(client=client_alpha).exists()
    refused = staff.post("/portal/clients/alpha/checklist/tick/", {"item": "drop table"}, follow=True)
    assert "That checklist item does not exist." in _text(refused)
    assert not ChecklistTick.objects.exists()


def test_checklist_and_insights_are_agency_pages_only(client_alpha):
    owner_on_portal = claimed_session("owner@alpha.test", None, "public")
    for path in ("/portal/clients/alpha/checklist/", "/portal/clients/alpha/insights/"):
        assert owner_on_portal.get(path).status_code in (302, 403)
        assert portal_as("staff").get(path.replace("alpha", "nosuchclient")).status_code == 404
    assert owner_on_portal.post("/portal/clients/alpha/checklist/tick/", {"item": "usage"}).status_code in (302, 403)
    assert not ChecklistTick.objects.exists()
