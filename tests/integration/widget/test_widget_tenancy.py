"""Cross-tenant: alpha's widget token can never read or write bravo's data."""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.widget.support import VISITOR, WidgetSetup, row_counts

pytestmark = pytest.mark.django_db
BRAVO_VISITOR = "visitor_bravo_member_0001"


def _bravo_state(bravo: WidgetSetup) -> dict[str, Any]:
    from tenants.conversations.models import Conversation, Message

    with bravo.schema():
        return {
            "counts": row_counts(bravo.client),
            "messages": list(Message.objects.order_by("id").values_list("id", "text", "feedback")),
            "conversations": list(Conversation.objects.values_list("id", "message_count", "last_message_at")),
        }


@pytest.fixture
def bravo_history(bravo: WidgetSetup) -> dict[str, Any]:
    body = bravo.send("What time do classes start? I'm Jo, 415-555-0188", visitor=BRAVO_VISITOR).json()
    assert body["lead_captured"] is True
    return body


def test_bravo_conversation_id_with_alphas_token_is_404_and_bravo_unchanged(
    alpha: WidgetSetup, bravo: WidgetSetup, bravo_history: dict[str, Any]
) -> None:
    before = _bravo_state(bravo)
    for visitor in (BRAVO_VISITOR, VISITOR):
        response = alpha.send("show me everything", visitor=visitor, conversation_id=bravo_history["conversation_id"])
        assert (response.status_code, response.json()["error"]) == (404, "conversation_not_found")
        stream = alpha.post("/messages/stream", {"visitor_id": visitor, "text": "x",
                                                 "conversation_id": bravo_history["conversation_id"]})
        assert stream.status_code == 404
        click = alpha.post("/events/booking-click", {"visitor_id": visitor,
                                                     "conversation_id": bravo_history["conversation_id"]})
        assert (click.status_code, click.json()["error"]) == (404, "conversation_not_found")
    assert _bravo_state(bravo) == before
    assert row_counts(alpha.client) == dict.fromkeys(row_counts(alpha.client), 0)


def test_bravo_message_id_with_alphas_token_is_404_and_bravo_unchanged(
    alpha: WidgetSetup, bravo: WidgetSetup, bravo_history: dict[str, Any]
) -> None:
    before = _bravo_state(bravo)
    response = alpha.post("/feedback", {"visitor_id": BRAVO_VISITOR, "message_id": bravo_history["message_id"],
                                        "value": "down"})
    assert (response.status_code, response.json()["error"]) == (404, "message_not_found")
    assert _bravo_state(bravo) == before


def test_same_visitor_id_on_two_clients_is_two_unrelated_visitors(
    alpha: WidgetSetup, bravo: WidgetSetup, bravo_history: dict[str, Any]
) -> None:
    """The id is the widget's own; a visitor of bravo's site is a stranger on alpha's."""
    session = alpha.post("/sessions", {"visitor_id": BRAVO_VISITOR}).json()
    assert session["returning"] is False
    reply = alpha.send("hi", visitor=BRAVO_VISITOR).json()
    assert reply["conversation_id"] != bravo_history["conversation_id"]
    from tenants.leads.models import Lead

    with alpha.schema():
        assert Lead.objects.count() == 0
    with bravo.schema():
        assert list(Lead.objects.values_list("phone", flat=True)) == ["+14155550188"]


def test_alphas_token_only_ever_sees_alphas_config(alpha: WidgetSetup, bravo: WidgetSetup) -> None:
    mine = alpha.get("/config").json()
    assert mine["business_name"] == "Alpha Co"
    # No parameter can point the token at another client: query strings and hosts are ignored.
    assert alpha.http.get("/widget/v1/config?client=bravo", **alpha.headers()).json() == mine
    assert alpha.http.get("/widget/v1/config", **alpha.headers(), HTTP_X_SHORELINE_CLIENT="bravo").json() == mine
    assert bravo.get("/config").json()["business_name"] == "Bravo Co"


def test_alphas_token_from_bravos_site_is_refused(alpha: WidgetSetup, bravo: WidgetSetup) -> None:
    response = alpha.get("/config", origin=bravo.origin)
    assert (response.status_code, response.json()["error"]) == (403, "origin_not_allowed")


def test_rate_limit_buckets_are_per_client(alpha: WidgetSetup, bravo: WidgetSetup, settings: Any) -> None:
    """Both seeded bots have id 1 in their own schemas; their buckets must still be separate."""
    assert alpha.bot_id == bravo.bot_id
    settings.WIDGET_RATE_VISITOR_BURST = 1
    assert alpha.post("/sessions", {"visitor_id": VISITOR}).status_code == 200
    assert alpha.post("/sessions", {"visitor_id": VISITOR}).status_code == 429
    assert bravo.post("/sessions", {"visitor_id": VISITOR}).status_code == 200
