"""Happy paths of the widget API (offline model) and CORS on exactly this route group (SEC-10)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.integration.widget.support import ALPHA_SITE, VISITOR, WidgetSetup, public_usage, row_counts

pytestmark = pytest.mark.django_db


def _events(setup: WidgetSetup) -> list[tuple[str, dict[str, Any]]]:
    from tenants.conversations.models import Event

    with setup.schema():
        return [(kind, data) for kind, data in Event.objects.order_by("id").values_list("kind", "data")]


def test_config_is_public_look_only(alpha: WidgetSetup) -> None:
    response = alpha.get("/config")
    assert response.status_code == 200
    body = response.json()
    assert (body["business_name"], body["status"], body["booking_url"]) == (
        "Alpha Co", "active", "https://alpha.example/book")
    assert body["welcome_message"] == (
        "Hi! Welcome to Alpha Co. Want to see the menu, order for pickup or delivery, or book a table?")
    assert row_counts(alpha.client)["Event"] == 0  # reading the config records nothing


def test_session_start_then_return_visitor_is_recognised(alpha: WidgetSetup) -> None:
    from tenants.conversations.models import Visitor, VisitorSession

    first = alpha.post("/sessions", {"visitor_id": VISITOR, "page_url": "https://www.alpha.example/menu"})
    assert first.status_code == 200
    assert first.json()["returning"] is False
    assert first.json()["welcome_message"].startswith("Hi! Welcome to Alpha Co.")
    second = alpha.post("/sessions", {"visitor_id": VISITOR})
    assert second.json()["returning"] is True
    assert second.json()["session_id"] != first.json()["session_id"]
    other = alpha.post("/sessions", {"visitor_id": "visitor_someone_else_42"})
    assert other.json()["returning"] is False

    with alpha.schema():
        visitor = Visitor.objects.get(visitor_key=VISITOR)
        assert visitor.session_count == 2
        sessions = list(VisitorSession.objects.filter(visitor=visitor).order_by("started_at")
                        .values_list("is_returning", "origin", "page_url"))
        assert sessions == [(False, ALPHA_SITE, "https://www.alpha.example/menu"), (True, ALPHA_SITE, "")]
    assert [(kind, data["returning"]) for kind, data in _events(alpha)] == [
        ("session_start", False), ("session_start", True), ("session_start", False)]


def test_approved_faq_is_answered_verbatim_and_recorded(alpha_faqs: WidgetSetup) -> None:
    from tenants.conversations.models import Conversation, Message

    usage_before = public_usage(alpha_faqs.client)
    response = alpha_faqs.send("Do you deliver?")
    assert response.status_code == 200
    body = response.json()
    assert body["reply"] == ("Yes, through DoorDash, Uber Eats and Grubhub. For the lowest prices, order pickup "
                             "directly from our website at https://alpha.example/order.")
    assert (body["answered_by"], body["is_fallback"], body["is_crisis"], body["lead_captured"]) == (
        "approved_faq", False, False, False)
    assert body["server_ms"] > 0

    with alpha_faqs.schema():
        conversation = Conversation.objects.get(pk=body["conversation_id"])
        assert (conversation.message_count, conversation.status) == (2, "open")
        visitor_row, bot_row = Message.objects.filter(conversation=conversation).order_by("id")
        assert (visitor_row.role, visitor_row.text, visitor_row.crisis_level) == ("visitor", "Do you deliver?", "none")
        assert bot_row.pk == body["message_id"]
        assert (bot_row.role, bot_row.answered_by, bot_row.model_ms, bot_row.input_tokens) == (
            "bot", "approved_faq", 0.0, 0)
        assert bot_row.citations[0].startswith("faq:")
        assert bot_row.server_ms == body["server_ms"]
    assert [kind for kind, _ in _events(alpha_faqs)] == ["message"]
    assert public_usage(alpha_faqs.client) == usage_before + 1


def test_grounded_answer_from_knowledge_continues_the_conversation(alpha_faqs: WidgetSetup) -> None:
    first = alpha_faqs.send("Do you deliver?").json()
    second = alpha_faqs.send("What are your opening hours?", conversation_id=first["conversation_id"]).json()
    assert second["conversation_id"] == first["conversation_id"]
    # BOT-1: hours come from the approved business facts, not from a pack FAQ that only points elsewhere.
    assert second["answered_by"] == "facts"
    assert second["reply"] == "Our hours are Monday closed; Tuesday–Sunday 11am–10pm."
    assert row_counts(alpha_faqs.client)["Message"] == 4


def test_unanswerable_question_falls_back_and_opens_a_review_item(alpha_faqs: WidgetSetup) -> None:
    from tenants.conversations.models import ReviewItem

    body = alpha_faqs.send("what is the meaning of life").json()
    assert (body["answered_by"], body["is_fallback"]) == ("fallback", True)
    assert body["reply"] == ("Good question! I don't have that answer, but our team does. Call us at "
                             "(555) 010-0001 or leave your number and we'll text you back.")
    with alpha_faqs.schema():
        assert list(ReviewItem.objects.values_list("kind", "question", "message_id")) == [
            ("unknown_question", "what is the meaning of life", body["message_id"])]
    assert [kind for kind, _ in _events(alpha_faqs)] == ["message", "fallback"]


def test_a_phone_number_creates_a_scored_lead_in_the_clients_schema(alpha_faqs: WidgetSetup, bravo: WidgetSetup) -> None:
    from tenants.leads.models import Lead

    text = "I want to book a table for 6 on Friday, my name is Sam and my number is 415-555-0133"
    body = alpha_faqs.send(text).json()
    assert body["lead_captured"] is True
    assert body["reply"] == "Thanks, Sam! The Alpha Co team will reach out to you at 415-555-0133 shortly."
    with alpha_faqs.schema():
        lead = Lead.objects.get()
        assert str(lead.conversation_id) == body["conversation_id"]
        assert (lead.name, lead.phone, lead.email, lead.lead_type, lead.score) == (
            "Sam", "+14155550133", "", "appointment", "hot")
        assert lead.score_reasons == ["gave phone number", "gave their name", "wants an appointment",
                                      "buying intent 1.00"]
    kinds = [(kind, data.get("score")) for kind, data in _events(alpha_faqs)]
    assert kinds == [("message", None), ("lead_captured", "hot")]
    assert row_counts(bravo.client)["Lead"] == 0


def test_later_contact_details_enrich_the_same_lead(alpha_faqs: WidgetSetup) -> None:
    from tenants.leads.models import Lead

    first = alpha_faqs.send("Call me at (415) 555-0133").json()
    second = alpha_faqs.send("or email sam@example.com", conversation_id=first["conversation_id"]).json()
    assert (first["lead_captured"], second["lead_captured"]) == (True, False)
    with alpha_faqs.schema():
        assert list(Lead.objects.values_list("phone", "email")) == [("+14155550133", "sam@example.com")]


def test_booking_click_is_recorded(alpha_faqs: WidgetSetup) -> None:
    conversation_id = alpha_faqs.send("Do you take reservations?").json()["conversation_id"]
    response = alpha_faqs.post("/events/booking-click", {"visitor_id": VISITOR, "conversation_id": conversation_id,
                                                         "url": "https://alpha.example/book"})
    assert (response.status_code, response.json()) == (200, {"ok": True})
    # A click from the widget header, before any message, counts too.
    assert alpha_faqs.post("/events/booking-click", {"visitor_id": "visitor_header_click_1"}).status_code == 200
    clicks = [(data["url"]) for kind, data in _events(alpha_faqs) if kind == "booking_click"]
    assert clicks == ["https://alpha.example/book", ""]
    from tenants.conversations.models import Event

    with alpha_faqs.schema():
        assert str(Event.objects.filter(kind="booking_click").order_by("id").first().conversation_id) == conversation_id


def test_feedback_up_then_down_opens_a_thumbs_down_review_item(alpha_faqs: WidgetSetup) -> None:
    from tenants.conversations.models import Message, ReviewItem

    body = alpha_faqs.send("Do you deliver?").json()
    up = alpha_faqs.post("/feedback", {"visitor_id": VISITOR, "message_id": body["message_id"], "value": "up"})
    assert (up.status_code, up.json()) == (200, {"ok": True})
    with alpha_faqs.schema():
        assert ReviewItem.objects.count() == 0
    down = alpha_faqs.post("/feedback", {"visitor_id": VISITOR, "message_id": body["message_id"], "value": "down"})
    assert down.status_code == 200
    # Repeating the same vote changes nothing.
    alpha_faqs.post("/feedback", {"visitor_id": VISITOR, "message_id": body["message_id"], "value": "down"})
    with alpha_faqs.schema():
        assert Message.objects.get(pk=body["message_id"]).feedback == "down"
        assert list(ReviewItem.objects.values_list("kind", "question", "message_id", "reason")) == [
            ("thumbs_down", "Do you deliver?", body["message_id"], "Visitor marked the answer unhelpful")]
    assert [(kind, data.get("value")) for kind, data in _events(alpha_faqs)] == [
        ("message", None), ("feedback", "up"), ("feedback", "down")]


def test_feedback_only_on_the_visitors_own_bot_messages(alpha_faqs: WidgetSetup) -> None:
    body = alpha_faqs.send("Do you deliver?").json()
    stranger = alpha_faqs.post("/feedback", {"visitor_id": "visitor_someone_else_42",
                                             "message_id": body["message_id"], "value": "down"})
    assert (stranger.status_code, stranger.json()["error"]) == (404, "message_not_found")
    own_text = alpha_faqs.post("/feedback", {"visitor_id": VISITOR, "message_id": body["message_id"] - 1,
                                             "value": "down"})
    assert own_text.status_code == 404
    assert row_counts(alpha_faqs.client)["ReviewItem"] == 0


def test_widget_load_is_recorded(alpha: WidgetSetup) -> None:
    response = alpha.post("/events/load", {"page_url": "https://www.alpha.example/menu"})
    assert (response.status_code, response.json()) == (200, {"ok": True})
    assert _events(alpha) == [("widget_load", {"origin": ALPHA_SITE, "page_url": "https://www.alpha.example/menu"})]


def _sse(response: Any) -> list[tuple[str, Any]]:
    assert response["Content-Type"] == "text/event-stream"
    raw = b"".join(response.streaming_content).decode()
    events = []
    for block in raw.strip().split("\n\n"):
        name, data = block.split("\n")
        events.append((name.removeprefix("event: "), json.loads(data.removeprefix("data: "))))
    return events


def test_stream_sends_deltas_then_done_with_the_final_json(alpha_faqs: WidgetSetup) -> None:
    from tenants.conversations.models import Message

    response = alpha_faqs.post("/messages/stream", {"visitor_id": VISITOR, "text": "Do you deliver?"})
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-cache"
    assert response["Access-Control-Allow-Origin"] == ALPHA_SITE
    events = _sse(response)
    names = [name for name, _ in events]
    assert names[-1] == "done"
    assert set(names[:-1]) == {"delta"}
    assert len(names) > 2
    final = events[-1][1]
    assert "".join(data["text"] for name, data in events[:-1]) == final["reply"]
    assert final["reply"].startswith("Yes, through DoorDash, Uber Eats and Grubhub.")
    assert (final["answered_by"], final["is_fallback"]) == ("approved_faq", False)
    assert set(final) == {"conversation_id", "message_id", "reply", "answered_by", "is_fallback", "is_crisis",
                          "asked_for_contact", "lead_captured", "booking_url", "server_ms", "quick_replies"}
    with alpha_faqs.schema():
        assert Message.objects.get(pk=final["message_id"]).text == final["reply"]


def test_stream_refusals_are_plain_json(alpha: WidgetSetup) -> None:
    response = alpha.post("/messages/stream", {"visitor_id": VISITOR, "text": "hi"}, origin="https://evil.example")
    assert response.status_code == 403
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["error"] == "origin_not_allowed"


def test_crisis_message_gets_the_script_and_a_review_item(alpha_faqs: WidgetSetup) -> None:
    from tenants.conversations.models import Conversation, ReviewItem

    body = alpha_faqs.send("I want to kill myself tonight").json()
    assert (body["answered_by"], body["is_crisis"], body["lead_captured"]) == ("crisis_script", True, False)
    assert "988" in body["reply"]
    with alpha_faqs.schema():
        assert Conversation.objects.get(pk=body["conversation_id"]).crisis_level == "crisis"
        assert list(ReviewItem.objects.values_list("kind", flat=True)) == ["crisis"]
    assert [kind for kind, _ in _events(alpha_faqs)] == ["message", "crisis"]


# --- SEC-10: CORS ---------------------------------------------------------------------------------------------

def test_cors_only_for_allowed_origins_and_never_with_credentials(alpha: WidgetSetup) -> None:
    allowed = alpha.get("/config")
    assert allowed["Access-Control-Allow-Origin"] == ALPHA_SITE
    assert allowed["Vary"] == "Origin"
    assert "Access-Control-Allow-Credentials" not in allowed
    refused = alpha.get("/config", origin="https://evil.example")
    assert "Access-Control-Allow-Origin" not in refused
    assert "Access-Control-Allow-Credentials" not in refused


def test_preflight_for_allowed_and_unknown_origins(alpha: WidgetSetup) -> None:
    ok = alpha.http.options("/widget/v1/messages", HTTP_ORIGIN=ALPHA_SITE, HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
                            HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization, content-type")
    assert ok.status_code == 204
    assert ok["Access-Control-Allow-Origin"] == ALPHA_SITE
    assert ok["Access-Control-Allow-Methods"] == "GET, POST"
    assert ok["Access-Control-Allow-Headers"] == "Authorization, Content-Type, X-Shoreline-Embed-Origin, X-Shoreline-Visitor"
    assert "Access-Control-Allow-Credentials" not in ok
    bad = alpha.http.options("/widget/v1/messages", HTTP_ORIGIN="https://evil.example",
                             HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST")
    assert bad.status_code == 403
    assert not [h for h in bad.headers if h.lower().startswith("access-control-")]


@pytest.mark.parametrize("path", ["/healthz", "/login/", "/portal/", "/widget/frame/", "/"])
def test_no_cors_headers_outside_the_widget_api(alpha: WidgetSetup, path: str) -> None:
    response = alpha.http.get(path, HTTP_ORIGIN=ALPHA_SITE)
    assert not [h for h in response.headers if h.lower().startswith("access-control-")], path
    preflight = alpha.http.options(path, HTTP_ORIGIN=ALPHA_SITE, HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST")
    assert not [h for h in preflight.headers if h.lower().startswith("access-control-")], path


def test_no_cors_on_client_hosts_either(alpha: WidgetSetup, http: Any) -> None:
    response = http("alpha").get("/widget/v1/config", HTTP_ORIGIN=ALPHA_SITE,
                                 HTTP_AUTHORIZATION=f"Bearer {alpha.token}")
    # The widget API lives on the public host only; a client host does not serve it at all.
    assert response.status_code == 404
    assert "Access-Control-Allow-Origin" not in response


def test_queries_per_message_in_an_open_conversation(alpha_faqs: WidgetSetup, django_assert_num_queries: Any) -> None:
    """The hot path's database round trips, counted (in a test each transaction is a savepoint pair).

    7 for an approved answer once the process is warm (issue 17; was 17): the client schema's
    search_path, the conversation with its visitor, lead and recent history (one SELECT), the
    approved-FAQ match, then one transaction: the messages, events and conversation counters in one
    statement, and usage. Token, allowlist, public host, bot and configuration come from the
    process's cache; the visitor's last-seen time moves at most once a minute. Retrieval adds 1.
    """
    conversation_id = alpha_faqs.send("Do you deliver?").json()["conversation_id"]
    with django_assert_num_queries(7):
        assert alpha_faqs.send("Do you deliver?", conversation_id=conversation_id).json()["answered_by"] == "approved_faq"
    with django_assert_num_queries(6):  # business facts: no FAQ match, no retrieval
        body = alpha_faqs.send("What are your opening hours?", conversation_id=conversation_id).json()
        assert body["answered_by"] == "facts"
    with django_assert_num_queries(8):
        body = alpha_faqs.send("When does the kitchen stop taking orders?", conversation_id=conversation_id).json()
        assert body["answered_by"] == "extractive"


def test_a_new_conversation_joins_the_visitors_latest_visit_and_marks_it_seen(alpha: WidgetSetup) -> None:
    """Issue 17: the visitor upsert returns the latest widget session for the new conversation."""
    from tenants.conversations.models import Conversation, Visitor, VisitorSession

    assert alpha.post("/sessions", {"visitor_id": VISITOR}).status_code == 200
    second = alpha.post("/sessions", {"visitor_id": VISITOR}).json()["session_id"]
    with alpha.schema():
        seen_before = Visitor.objects.get(visitor_key=VISITOR).last_seen_at
    body = alpha.send("What are your opening hours?").json()
    with alpha.schema():
        conversation = Conversation.objects.select_related("visitor").get(pk=body["conversation_id"])
        assert str(conversation.session_id) == second
        assert VisitorSession.objects.filter(visitor=conversation.visitor).count() == 2
        assert conversation.visitor.session_count == 2
        assert conversation.visitor.last_seen_at > seen_before
        assert Visitor.objects.count() == 1
    # A visitor who never opened a session still gets a conversation, with no visit.
    other = alpha.send("hi", visitor="visitor_never_opened_0001").json()
    with alpha.schema():
        assert Conversation.objects.get(pk=other["conversation_id"]).session_id is None


def test_the_lead_is_scored_from_the_stored_labels_of_earlier_turns(alpha_faqs: WidgetSetup) -> None:
    """Issue 17: earlier visitor turns are read with the labels stored when they were answered, not
    classified again (a forward pass each). Changing the stored labels changes the lead: proof they are read."""
    from tenants.conversations.models import Message
    from tenants.leads.models import Lead

    first = alpha_faqs.send("Can you fit me in for a table tomorrow at 5?").json()
    with alpha_faqs.schema():
        stored = Message.objects.get(conversation_id=first["conversation_id"], role=Message.Role.VISITOR)
        assert (stored.lead_type, stored.crisis_level) == ("appointment", "none")
        assert stored.buying_intent is not None
        Message.objects.filter(pk=stored.pk).update(lead_type="pricing", buying_intent=0.99)
    second = alpha_faqs.send("415-555-0142", conversation_id=first["conversation_id"]).json()
    assert second["lead_captured"] is True
    with alpha_faqs.schema():
        lead = Lead.objects.get()
        assert lead.lead_type == "pricing"
        assert "earlier: “Can you fit me in for a table tomorrow at 5?”" in lead.score_reasons


def test_a_lead_added_by_a_concurrent_turn_is_enriched_not_duplicated(alpha_faqs: WidgetSetup) -> None:
    """The turn inserts a lead without looking when the conversation had none as it was read; if
    another turn added one meanwhile, the insert does nothing and that lead is enriched."""
    from django.db import transaction

    from agents.conversation.results import ContactDetail, LeadEffect
    from tenants.conversations.models import Conversation
    from tenants.leads.models import Lead
    from tenants.leads.services import lead_apply_effect

    first = alpha_faqs.send("Call me at (415) 555-0133").json()
    with alpha_faqs.schema(), transaction.atomic():
        conversation = Conversation.objects.get(pk=first["conversation_id"])
        effect = LeadEffect((ContactDetail("email", "sam@example.com", "sam@example.com"),), "appointment", "hot",
                            ("gave email",))
        lead, created = lead_apply_effect(conversation=conversation, visitor=conversation.visitor, effect=effect,
                                          lead_absent=True)  # stale: the first turn created one
        assert created is False
        assert list(Lead.objects.values_list("pk", "phone", "email", "score")) == [
            (lead.pk, "+14155550133", "sam@example.com", "hot")]
