"""BEY-1: POST /widget/v1/handoff flags the conversation, opens a review item and records an event."""

from __future__ import annotations

import pytest

from tests.integration.widget.support import NOTHING, VISITOR, WidgetSetup, row_counts

pytestmark = pytest.mark.django_db


def test_handoff_without_a_conversation_starts_one(alpha: WidgetSetup) -> None:
    from django.utils import timezone

    from tenants.bots.availability import contact_expectation
    from tenants.bots.selectors import bot_get, bot_published_config
    from tenants.conversations.models import Conversation, Event
    from tenants.review.models import ReviewItem

    with alpha.schema():
        business = bot_published_config(bot_get(bot_id=alpha.bot_id)).business
    before = contact_expectation(business, timezone.now())
    response = alpha.post("/handoff", {"visitor_id": VISITOR})
    assert response.status_code == 200, response.content
    body = response.json()
    # BEY-1: told honestly from alpha's opening hours (the wording itself: tests/unit/test_handoff_promise.py).
    assert body["promise"] in {before, contact_expectation(business, timezone.now())}
    assert "business day" not in body["promise"]
    with alpha.schema():
        conversation = Conversation.objects.get(pk=body["conversation_id"])
        assert conversation.handoff_requested_at is not None
        assert conversation.visitor.visitor_key == VISITOR
        item = ReviewItem.objects.get(conversation=conversation)
        assert (item.kind, item.status, item.question) == ("handoff", "open", "")
        assert list(Event.objects.filter(kind="handoff").values_list("conversation_id", flat=True)) == [
            conversation.pk]


def test_handoff_on_a_conversation_quotes_the_last_question_and_is_idempotent(alpha: WidgetSetup) -> None:
    from tenants.conversations.models import Event
    from tenants.review.models import ReviewItem

    sent = alpha.send("Do you have gluten free pasta?")
    assert sent.status_code == 200
    conversation_id = sent.json()["conversation_id"]
    for _ in range(2):
        response = alpha.post("/handoff", {"visitor_id": VISITOR, "conversation_id": conversation_id})
        assert response.status_code == 200
        assert response.json()["conversation_id"] == conversation_id
    with alpha.schema():
        items = list(ReviewItem.objects.filter(kind="handoff").values_list("question", flat=True))
        assert items == ["Do you have gluten free pasta?"]
        assert Event.objects.filter(kind="handoff").count() == 1


def test_handoff_refuses_another_visitors_conversation(alpha: WidgetSetup) -> None:
    from tenants.review.models import ReviewItem

    conversation_id = alpha.send("Hello there").json()["conversation_id"]
    response = alpha.post("/handoff", {"visitor_id": "someone_else_0123456789", "conversation_id": conversation_id})
    assert response.status_code == 404
    assert response.json()["error"] == "conversation_not_found"
    with alpha.schema():
        assert not ReviewItem.objects.filter(kind="handoff").exists()


def test_handoff_from_a_disallowed_website_records_nothing(alpha: WidgetSetup) -> None:
    response = alpha.post("/handoff", {"visitor_id": VISITOR}, origin="https://evil.example")
    assert response.status_code == 403
    assert row_counts(alpha.client) == NOTHING
