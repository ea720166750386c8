"""CXI-6: the weekly summary email: the dashboard's numbers, HTML + text + the PDF, Mondays locally."""

from __future__ import annotations

import base64
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context

from controlplane.notifications.models import Delivery, EventKind, OutboxEvent
from controlplane.notifications.outbox import delivery_send, outbox_event_plan
from controlplane.notifications.services import recipient_create, weekly_digest_set
from tests.conftest import ADMIN_EMAIL, AGENCY_PASSWORD, STAFF_EMAIL, login
from tests.integration.widget.support import (  # noqa: F401 (shared fixtures)
    ALPHA_DETAILS,
    WidgetSetup,
    _fresh_cors_cache,
    alpha,
)

pytestmark = pytest.mark.django_db
VISITOR = "visitor_0123456789abcdef"


@pytest.fixture
def busy_week(alpha: WidgetSetup, client_alpha: Any) -> Any:  # noqa: F811
    """Real widget traffic this week: 2 visitor messages, 1 hot lead, 1 booking click; rollups refreshed."""
    from tenants.analytics.ranges import DateRange
    from tenants.analytics.services import analytics_rollups_update
    from tenants.knowledge.services import knowledge_seed_from_pack

    with alpha.schema():
        knowledge_seed_from_pack(bot_id=alpha.bot_id, pack_key="restaurant", details=ALPHA_DETAILS)
    first = alpha.send("I want to book a table for 6 on Friday, my name is Sam and my number is 415-555-0133").json()
    alpha.send("Do you have parking?", conversation_id=first["conversation_id"])
    alpha.post("/events/booking-click", {"visitor_id": VISITOR, "conversation_id": first["conversation_id"]})
    with tenant_context(client_alpha):
        analytics_rollups_update(client=client_alpha, full=True)
    today = timezone.now().astimezone(ZoneInfo(client_alpha.timezone)).date()
    return DateRange(today - timedelta(days=6), today, client_alpha.timezone, None)


def test_summary_has_the_dashboards_numbers_and_the_pdf(busy_week, client_alpha, fake_sendgrid):
    from tenants.analytics.selectors import overview_read
    from tenants.dashboard.weekly_summary import weekly_summary_build, weekly_summary_emit

    recipient_create(client=client_alpha, name="Owner", email="owner@alpha.test", sms_kinds=[], email_kinds=[],
                     weekly_summary=True)
    recipient_create(client=client_alpha, name="Cook", email="cook@alpha.test", sms_kinds=[], email_kinds=[])
    with tenant_context(client_alpha):
        summary = weekly_summary_build(client=client_alpha, week=busy_week)
        dashboard = overview_read(rng=busy_week, default_sale_cents=0).current.totals
        event = weekly_summary_emit(client=client_alpha, summary=summary)
    assert (dashboard.messages, dashboard.leads, dashboard.hot_leads, dashboard.booking_clicks) == (2, 1, 1, 1)
    assert "Messages: 2\nLeads: 1\nHot leads: 1\nBooking clicks: 1\n" in summary.text
    assert summary.pdf.startswith(b"%PDF")
    assert [delivery_send(delivery_id=d) for d in outbox_event_plan(event_id=event.pk)] == ["sent"]
    [mail] = fake_sendgrid.emails()
    assert mail["to"] == ["owner@alpha.test"]  # only who asked for it
    assert mail["subject"].startswith("Alpha Co: your chatbot's week (")
    assert "Messages: 2" in mail["text"]
    assert ">Hot leads</div>" in mail["html"]
    [attachment] = mail["attachments"]
    assert attachment["type"] == "application/pdf"
    assert base64.b64decode(attachment["content"]) == summary.pdf


def test_owner_opt_out_means_no_weekly_email(client_alpha, fake_sendgrid):
    from tenants.dashboard.weekly_summary import weekly_summary_build, weekly_summary_emit

    recipient_create(client=client_alpha, name="Owner", email="owner@alpha.test", sms_kinds=[], email_kinds=[],
                     weekly_summary=True)
    weekly_digest_set(client=client_alpha, enabled=False)
    with tenant_context(client_alpha):
        event = weekly_summary_emit(client=client_alpha, summary=weekly_summary_build(client=client_alpha))
    assert outbox_event_plan(event_id=event.pk) == []
    assert not Delivery.objects.filter(event=event).exists()


def test_due_on_monday_morning_in_the_clients_time_zone_once(client_alpha):
    from tenants.dashboard.weekly_summary import weekly_summary_due, weekly_summary_send_if_due

    zone = ZoneInfo(client_alpha.timezone)  # America/New_York
    monday_early = datetime(2026, 3, 2, 7, 59, tzinfo=zone)
    monday = datetime(2026, 3, 2, 8, 30, tzinfo=zone)
    sunday_utc_monday = datetime(2026, 3, 2, 2, 0, tzinfo=ZoneInfo("UTC"))  # still Sunday in New York
    tuesday = datetime(2026, 3, 3, 9, 0, tzinfo=zone)
    assert [weekly_summary_due(client=client_alpha, now=t) for t in (monday_early, sunday_utc_monday, tuesday)] == [
        False, False, False]
    assert weekly_summary_due(client=client_alpha, now=monday) is True
    with tenant_context(client_alpha):
        assert weekly_summary_send_if_due(now=monday) is True
        assert weekly_summary_send_if_due(now=monday + timedelta(hours=1)) is False
    [event] = OutboxEvent.objects.filter(client=client_alpha, kind=EventKind.WEEKLY_SUMMARY)
    assert event.payload["week"] == "2026-02-23"  # Monday to Sunday before


def test_preview_for_agency_send_now_for_admins_only(http, client_alpha):
    staff = http(None)
    login(staff, STAFF_EMAIL, AGENCY_PASSWORD)
    page = staff.get("/portal/clients/alpha/weekly-summary/")
    assert page.status_code == 200
    assert "Plain-text part" in page.content.decode()
    assert staff.post("/portal/clients/alpha/weekly-summary/send/").status_code == 403
    assert not OutboxEvent.objects.filter(kind=EventKind.WEEKLY_SUMMARY).exists()
    admin = http(None)
    login(admin, ADMIN_EMAIL, AGENCY_PASSWORD)
    assert admin.post("/portal/clients/alpha/weekly-summary/send/").status_code == 302
    assert admin.post("/portal/clients/bravo/weekly-summary/send/").status_code == 302
    assert OutboxEvent.objects.filter(kind=EventKind.WEEKLY_SUMMARY, client=client_alpha).count() == 1
    [bravo_event] = OutboxEvent.objects.filter(kind=EventKind.WEEKLY_SUMMARY).exclude(client=client_alpha)
    assert bravo_event.payload["subject"].startswith("Bravo Co")
