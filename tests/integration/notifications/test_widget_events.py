"""Events from real widget traffic: a hot lead, a crisis and a handoff each reach the outbox in the
same transaction as the conversation, and go out through the fakes."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from controlplane.notifications.models import EventKind, OutboxEvent
from controlplane.notifications.outbox import delivery_send, outbox_event_plan
from controlplane.notifications.services import notification_settings_update, recipient_create
from tests.integration.widget.support import (  # noqa: F401 (shared fixtures)
    ALPHA_DETAILS,
    WidgetSetup,
    _fresh_cors_cache,
    alpha,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def alpha_faqs(alpha: WidgetSetup) -> WidgetSetup:  # noqa: F811
    from tenants.knowledge.services import knowledge_seed_from_pack

    with alpha.schema():
        knowledge_seed_from_pack(bot_id=alpha.bot_id, pack_key="restaurant", details=ALPHA_DETAILS)
    return alpha


@pytest.fixture
def owner(client_alpha: Any) -> Any:
    return recipient_create(client=client_alpha, name="Owner", phone="+15550005555", email="owner@alpha.test",
                            sms_kinds=[EventKind.LEAD_HOT, EventKind.CRISIS, EventKind.HANDOFF_REQUESTED],
                            email_kinds=[EventKind.CRISIS, EventKind.HANDOFF_REQUESTED],
                            sms_opt_in_note="Signed the form")


def _deliver_all(client: Any) -> list[str]:
    sent = []
    for event in OutboxEvent.objects.filter(client=client).order_by("id"):
        sent += [delivery_send(delivery_id=d) for d in outbox_event_plan(event_id=event.pk)]
    return sent


def test_hot_lead_from_the_widget_sends_one_sms_without_the_leads_number(alpha_faqs, owner, fake_twilio,
                                                                         fake_sendgrid, client_alpha):
    body = alpha_faqs.send("I want to book a table for 6 on Friday, my name is Sam and my number is 415-555-0133").json()
    assert body["lead_captured"] is True
    kinds = list(OutboxEvent.objects.filter(client=client_alpha).order_by("id").values_list("kind", flat=True))
    assert kinds == ["lead.created", "lead.hot"]
    assert _deliver_all(client_alpha) == ["sent"]  # the owner gets hot leads by SMS only
    [sms] = fake_twilio.messages()
    assert sms["to"] == "+15550005555"
    assert sms["body"].startswith("Alpha Co hot lead: Sam · Hot lead · Appointment. Asked: “I want to book a table")
    assert sms["body"].endswith(f"http://alpha.shoreline.localhost:8000/conversations/{body['conversation_id']}/")
    assert "555-0133" not in sms["body"]
    assert "4155550133" not in sms["body"]
    assert "my number is [phone]" in sms["body"]
    # A later message in the same conversation is no second "hot lead" alert.
    alpha_faqs.send("Also, is there parking?", conversation_id=body["conversation_id"])
    _deliver_all(client_alpha)
    assert len(fake_twilio.messages()) == 1


def test_crisis_alert_goes_out_at_once_even_in_quiet_hours(alpha_faqs, owner, fake_twilio, fake_sendgrid,
                                                          client_alpha):
    local = timezone.now().astimezone(ZoneInfo(client_alpha.timezone))
    notification_settings_update(client=client_alpha, quiet_start=(local - timedelta(hours=2)).time(),
                                 quiet_end=(local + timedelta(hours=2)).time())
    body = alpha_faqs.send("I want to kill myself tonight").json()
    assert body["is_crisis"] is True
    assert list(OutboxEvent.objects.filter(client=client_alpha).values_list("kind", flat=True)) == ["crisis"]
    assert sorted(_deliver_all(client_alpha)) == ["sent", "sent"]
    [sms] = fake_twilio.messages()
    assert sms["body"].startswith("URGENT Alpha Co: a visitor may be in crisis.")
    [mail] = fake_sendgrid.emails()
    assert mail["subject"] == "Urgent: a visitor may be in crisis (Alpha Co)"
    assert mail["to"] == ["owner@alpha.test"]


def test_handoff_request_alerts_by_sms_and_email_once(alpha_faqs, owner, fake_twilio, fake_sendgrid, client_alpha):
    first = alpha_faqs.post("/handoff", {"visitor_id": "visitor_0123456789abcdef"})
    assert first.status_code == 200
    again = alpha_faqs.post("/handoff", {"visitor_id": "visitor_0123456789abcdef",
                                         "conversation_id": first.json()["conversation_id"]})
    assert again.status_code == 200
    assert list(OutboxEvent.objects.filter(client=client_alpha).values_list("kind", flat=True)) == [
        "handoff.requested"]
    assert sorted(_deliver_all(client_alpha)) == ["sent", "sent"]
    assert fake_twilio.messages()[0]["body"].startswith("Alpha Co: a visitor asked to talk to a person.")
    assert fake_sendgrid.emails()[0]["subject"] == "A visitor asked to talk to a person (Alpha Co)"


def test_ended_conversation_reaches_a_subscribed_webhook_with_its_summary(alpha_faqs, client_alpha, receiver):
    import json

    from controlplane.notifications.services import webhook_endpoint_create
    from tenants.conversations.services import conversation_end, conversation_summarize

    webhook_endpoint_create(client=client_alpha, url=f"{receiver.base_url}/crm", kinds=["conversation.ended"])
    body = alpha_faqs.send("Do you have parking?").json()
    with alpha_faqs.schema():
        assert conversation_end(conversation_id=body["conversation_id"]) is True
        conversation = conversation_summarize(conversation_id=body["conversation_id"])
        conversation_summarize(conversation_id=body["conversation_id"])  # a retried task: one event
    [event] = OutboxEvent.objects.filter(client=client_alpha, kind=EventKind.CONVERSATION_ENDED)
    assert _deliver_all(client_alpha) == ["sent"]
    [hit] = receiver.snapshot()
    data = json.loads(hit["body"])["data"]
    assert data["conversation_id"] == body["conversation_id"]
    assert data["summary"] == conversation.summary != ""
    assert data["message_count"] == 2
    assert event.payload == data
