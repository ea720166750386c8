"""Notification pages: who may do what, and one client's settings and log never show on another's."""

from __future__ import annotations

import pytest
from django.db import connection
from twilio.request_validator import RequestValidator

from controlplane.notifications.models import Delivery, EventKind, NotificationSettings, Recipient
from controlplane.notifications.outbox import delivery_send, outbox_event_plan
from controlplane.notifications.services import notification_emit, recipient_create
from tests.conftest import ADMIN_EMAIL, AGENCY_PASSWORD, CLIENT_PASSWORD, STAFF_EMAIL, login

pytestmark = pytest.mark.django_db

INBOUND = "/notifications/twilio/inbound/"


def _admin(http):
    c = http(None)
    login(c, ADMIN_EMAIL, AGENCY_PASSWORD)
    return c


def _alpha_recipient(client_alpha, **kwargs):
    return recipient_create(client=client_alpha, name="Alpha Owner", email="boss@alpha.test", phone="+15550003333",
                            sms_kinds=[EventKind.LEAD_HOT], email_kinds=[EventKind.LEAD_HOT],
                            sms_opt_in_note="Signed the form", **kwargs)


def test_admin_adds_a_recipient_with_consent(http, client_alpha):
    admin = _admin(http)
    response = admin.post("/portal/clients/alpha/notifications/recipients/", {
        "name": "Maria", "phone": "+1 (555) 000-4444", "email": "maria@alpha.test", "sms_kinds": ["lead.hot", "crisis"],
        "email_kinds": ["crisis"], "weekly_summary": "on", "sms_opt_in_note": "Said yes by phone on 2 March"})
    assert response.status_code == 302
    person = Recipient.objects.get(client=client_alpha, name="Maria")
    assert person.phone == "+15550004444"
    assert person.sms_kinds == ["lead.hot", "crisis"]
    assert person.sms_opt_in_at is not None
    assert person.can_receive_sms
    page = admin.get("/portal/clients/alpha/notifications/").content.decode()
    assert "Maria" in page
    assert "Maria" not in admin.get("/portal/clients/bravo/notifications/").content.decode()


def test_bad_recipient_input_is_explained_and_nothing_is_written(http, client_alpha):
    response = _admin(http).post("/portal/clients/alpha/notifications/recipients/",
                                 {"name": "No phone", "sms_kinds": ["lead.hot"]})
    assert response.status_code == 400
    assert "A phone number is needed for text messages." in response.content.decode()
    assert not Recipient.objects.filter(name="No phone").exists()


def test_staff_cannot_change_who_is_alerted(http, client_alpha):
    staff = http(None)
    login(staff, STAFF_EMAIL, AGENCY_PASSWORD)
    response = staff.post("/portal/clients/alpha/notifications/recipients/",
                          {"name": "Sneaky", "email": "x@y.test", "email_kinds": ["lead.hot"]})
    assert response.status_code == 403
    assert not Recipient.objects.filter(name="Sneaky").exists()
    assert staff.get("/portal/clients/alpha/notifications/log/").status_code == 200  # may read the log


def test_one_clients_ids_do_nothing_under_another_client(http, client_alpha, client_bravo, fake_twilio,
                                                         fake_sendgrid):
    person = _alpha_recipient(client_alpha)
    event = notification_emit(client_id=client_alpha.pk, kind=EventKind.LEAD_HOT, dedupe_key="pages:x",
                              payload={"lead": {"name": "Zed", "score": "hot"}, "link": "http://x/"})
    for delivery_id in outbox_event_plan(event_id=event.pk):
        delivery_send(delivery_id=delivery_id)
    admin = _admin(http)
    assert admin.post(f"/portal/clients/bravo/notifications/recipients/{person.pk}/delete/").status_code == 404
    assert Recipient.objects.filter(pk=person.pk).exists()
    alpha_log = admin.get("/portal/clients/alpha/notifications/log/").content.decode()
    bravo_log = admin.get("/portal/clients/bravo/notifications/log/").content.decode()
    assert "+15550003333" in alpha_log
    assert "boss@alpha.test" in alpha_log
    assert "+15550003333" not in bravo_log
    assert "boss@alpha.test" not in bravo_log
    sms = Delivery.objects.get(event=event, channel="sms")
    assert admin.post(f"/portal/clients/bravo/notifications/log/{sms.pk}/replay/").status_code == 404
    # The client's own page: alpha's owner sees alpha's people; bravo's owner does not.
    owner_alpha, owner_bravo = http("alpha"), http("bravo")
    login(owner_alpha, "owner@alpha.test", CLIENT_PASSWORD)
    login(owner_bravo, "owner@bravo.test", CLIENT_PASSWORD)
    assert "Alpha Owner" in owner_alpha.get("/notifications/").content.decode()
    assert "Alpha Owner" not in owner_bravo.get("/notifications/").content.decode()


def test_owner_turns_the_weekly_email_off_for_their_client_only(http, client_alpha, client_bravo):
    owner = http("alpha")
    login(owner, "owner@alpha.test", CLIENT_PASSWORD)
    assert owner.post("/notifications/weekly-email/").status_code == 302  # no "enabled": off
    assert NotificationSettings.objects.get(client=client_alpha).weekly_digest is False
    assert not NotificationSettings.objects.filter(client=client_bravo, weekly_digest=False).exists()
    assert "It is <strong>off</strong>" in owner.get("/notifications/").content.decode()
    owner.post("/notifications/weekly-email/", {"enabled": "on"})
    assert NotificationSettings.objects.get(client=client_alpha).weekly_digest is True


def _signed_inbound(http, settings, params):
    url = f"http://shoreline.localhost:8000{INBOUND}"
    signature = RequestValidator(settings.TWILIO_AUTH_TOKEN).compute_signature(url, params)
    return http(None).post(INBOUND, params, HTTP_X_TWILIO_SIGNATURE=signature)


def test_stop_stops_sms_and_start_resumes(http, settings, client_alpha, fake_twilio):
    person = _alpha_recipient(client_alpha)
    connection.set_schema_to_public()
    forged = http(None).post(INBOUND, {"From": "+15550003333", "Body": "STOP"}, HTTP_X_TWILIO_SIGNATURE="forged")
    assert forged.status_code == 403
    person.refresh_from_db()
    assert person.sms_stopped_at is None

    response = _signed_inbound(http, settings, {"From": "+15550003333", "Body": " stop ", "To": "+15550100999"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/xml"
    person.refresh_from_db()
    assert person.sms_stopped_at is not None
    event = notification_emit(client_id=client_alpha.pk, kind=EventKind.LEAD_HOT, dedupe_key="pages:stop",
                              payload={"lead": {"name": "Zed", "score": "hot"}})
    for delivery_id in outbox_event_plan(event_id=event.pk):
        delivery_send(delivery_id=delivery_id)
    assert fake_twilio.messages() == []
    assert not Delivery.objects.filter(event=event, channel="sms").exists()

    _signed_inbound(http, settings, {"From": "+15550003333", "Body": "START", "To": "+15550100999"})
    person.refresh_from_db()
    assert person.can_receive_sms


def test_stop_arriving_after_planning_still_stops_the_sms(client_alpha, fake_twilio):
    from controlplane.notifications.services import sms_inbound_keyword

    _alpha_recipient(client_alpha, weekly_summary=False)
    event = notification_emit(client_id=client_alpha.pk, kind=EventKind.LEAD_HOT, dedupe_key="pages:late-stop",
                              payload={"lead": {"name": "Zed", "score": "hot"}})
    due = outbox_event_plan(event_id=event.pk)
    assert sms_inbound_keyword(phone="+15550003333", body="STOP") == "stopped"
    sms = Delivery.objects.get(event=event, channel="sms")
    assert delivery_send(delivery_id=sms.pk) == "failed"
    assert sms.pk in due
    assert fake_twilio.messages() == []


def test_sent_messages_page_shows_what_the_fakes_received(http, settings, client_alpha, fake_twilio, fake_sendgrid,
                                                          receiver):
    from django.core.management import call_command

    settings.NOTIFICATIONS_DEMO_RECEIVER_URL = receiver.base_url
    call_command("notifications_demo_seed")
    call_command("notifications_demo_seed")  # idempotent
    assert Recipient.objects.filter(client=client_alpha).count() == 1
    event = notification_emit(client_id=client_alpha.pk, kind=EventKind.LEAD_CREATED, dedupe_key="pages:demo",
                              payload={"lead": {"name": "Robin", "score": "warm", "lead_type_label": "Pricing"}})
    assert sorted(delivery_send(delivery_id=d) for d in outbox_event_plan(event_id=event.pk)) == ["sent"] * 3
    page = _admin(http).get("/portal/sent-messages/").content.decode()
    assert "Alpha Co new lead: Robin · Warm lead · Pricing." in page
    assert "New lead for Alpha Co" in page
    assert "lead.created" in page
    assert "t=" in page
