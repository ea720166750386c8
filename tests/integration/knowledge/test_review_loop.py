"""ADM-1/ADM-2 and BEY-4, end to end: unknown question → review item → draft FAQ → approved → answered."""

from __future__ import annotations

import html
import uuid

import pytest

from controlplane.rollups.models import ClientReviewCount
from tenants.bots.selectors import bot_published_config
from tenants.conversations.services import message_reply
from tenants.knowledge.models import Faq
from tenants.review.models import ReviewItem
from tenants.review.services import review_item_dismiss
from tests.integration.bots.support import in_client, portal_as, primary_bot

pytestmark = pytest.mark.django_db
QUESTION = "Can I bring my own birthday cake?"


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """The public counts move after the tenant's transaction commits (transaction.on_commit); the test
    transaction never commits, so each step runs its commit callbacks explicitly."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def _ask(committed, client, bot, text, visitor="v-loop"):
    with committed():
        return message_reply(bot=bot, config=bot_published_config(bot), client_id=client.pk,
                             client_slug=client.slug, visitor_key=visitor, conversation_id=None, text=text)


def _count(client) -> int:
    row = ClientReviewCount.objects.filter(client=client).first()
    return row.open_count if row else 0


def test_unknown_question_becomes_an_faq_and_the_bot_then_answers_it(client_alpha, client_bravo, committed):
    admin, staff = portal_as("admin"), portal_as("staff")
    bravo_before = _count(client_bravo)
    with in_client(client_alpha):
        bot = primary_bot()
        first = _ask(committed, client_alpha, bot, QUESTION)
        assert first.is_fallback
        assert first.answered_by == "fallback"
        item = ReviewItem.objects.get(conversation_id=first.conversation_id, kind="unknown_question")
        assert item.question == QUESTION
        assert item.status == "open"
    # The public count moved once the turn committed; bravo's did not.
    alpha_open = _count(client_alpha)
    assert alpha_open >= 1
    assert _count(client_bravo) == bravo_before
    listing = staff.get("/portal/review/")
    assert listing.status_code == 200
    assert "Alpha Co" in listing.content.decode()
    page = staff.get(f"/portal/review/alpha/{item.pk}/")
    assert page.status_code == 200
    text = html.unescape(page.content.decode())
    assert QUESTION in text
    assert first.reply.split(".")[0] in text
    assert page.context["faq_form"].initial["question"] == QUESTION  # pre-filled
    with committed():
        response = staff.post(f"/portal/review/alpha/{item.pk}/faq/",
                              {"question": QUESTION, "answer": "Yes! We waive the cake fee on birthdays."})
    assert response.status_code == 302
    with in_client(client_alpha):
        faq = Faq.objects.get(bot_id=bot.pk, question=QUESTION)
        item.refresh_from_db()
        assert not faq.approved
        assert item.status == "resolved"
        assert item.resolved_by == "staff@agency.test"
        still = _ask(committed, client_alpha, bot, QUESTION, visitor="v-loop-2")
        assert still.is_fallback  # a draft answers nobody
    assert _count(client_alpha) == alpha_open  # resolved one, the second ask opened another
    assert admin.post(f"/portal/clients/alpha/knowledge/{bot.pk}/faqs/{faq.pk}/approve/").status_code == 302
    with in_client(client_alpha):
        answered = _ask(committed, client_alpha, bot, QUESTION, visitor="v-loop-3")
        assert answered.answered_by in ("approved_faq", "extractive")
        assert not answered.is_fallback
        assert "cake fee" in answered.reply
        paraphrase = _ask(committed, client_alpha, bot, "can i bring my own birthday cake", visitor="v-loop-4")
        assert paraphrase.answered_by == "approved_faq"


def test_dismiss_and_resolve_update_the_rollup(client_alpha, staff_user, committed):
    staff = portal_as("staff")
    with in_client(client_alpha):
        bot = primary_bot()
        a = _ask(committed, client_alpha, bot, "Do you sell telescopes?", visitor="v-d1")
        b = _ask(committed, client_alpha, bot, "Do you repair bicycles?", visitor="v-d2")
        first = ReviewItem.objects.get(conversation_id=a.conversation_id)
        second = ReviewItem.objects.get(conversation_id=b.conversation_id)
    opened = _count(client_alpha)
    row = ClientReviewCount.objects.get(client=client_alpha)
    assert row.open_by_kind.get("unknown_question", 0) >= 2
    with committed():
        assert staff.post(f"/portal/review/alpha/{first.pk}/dismiss/").status_code == 302
        assert staff.post(f"/portal/review/alpha/{second.pk}/resolve/").status_code == 302
    assert _count(client_alpha) == opened - 2
    with in_client(client_alpha):
        first.refresh_from_db()
        second.refresh_from_db()
        assert (first.status, second.status) == ("dismissed", "resolved")
        with pytest.raises(Exception, match="already"):
            review_item_dismiss(item=first, actor=staff_user)
    listing = staff.get("/portal/review/alpha/?status=dismissed")
    assert listing.status_code == 200
    assert "telescopes" in listing.content.decode()


def test_review_item_from_another_client_is_404(client_alpha, client_bravo, committed):
    staff = portal_as("staff")
    with in_client(client_bravo):
        bot = primary_bot()
        for n in range(3):
            _ask(committed, client_bravo, bot, f"Do you rent kayaks number {n}?", visitor=f"v-b{n}-{uuid.uuid4()}")
        bravo_item = ReviewItem.objects.order_by("-id").first()
    with in_client(client_alpha):
        assert not ReviewItem.objects.filter(pk=bravo_item.pk).exists()
    for action in ("", "faq/", "dismiss/", "resolve/"):
        path = f"/portal/review/alpha/{bravo_item.pk}/{action}"
        response = staff.post(path, {"question": "q", "answer": "a"}) if action else staff.get(path)
        assert response.status_code == 404, path
    with in_client(client_bravo):
        bravo_item.refresh_from_db()
        assert bravo_item.status == "open"
