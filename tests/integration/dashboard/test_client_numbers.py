"""Issue 16: the numbers a client reads are right: engagement within 0–100 %, over-limit wording, topics, time zones."""

from __future__ import annotations

from datetime import UTC, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from controlplane.billing.metering import current_period
from controlplane.billing.models import UsagePeriod
from tests.integration.analytics import builders as b

pytestmark = pytest.mark.django_db


def test_popular_topics_fill_in_when_tags_arrive_after_the_rollup(alpha_owner, client_alpha, monkeypatch) -> None:
    """A live conversation's case: its day is rolled up first, the worker summarizes (tags) it afterwards."""
    from tenants.analytics.models import DailyRollup
    from tenants.analytics.services import analytics_rollups_update
    from tenants.conversations.models import Conversation
    from tenants.conversations.services import conversation_summarize
    from tenants.demo import history

    monkeypatch.setattr(history, "DAYS", 3)
    history.history_seed_all(clients=[client_alpha], origin="http://localhost:8000")
    with schema_context(client_alpha.schema_name):
        # The seed tags its conversations before rolling up; untag them to roll up ahead of the worker.
        Conversation.objects.update(summary="", tags=[])
        analytics_rollups_update(client=client_alpha, full=True)
        assert not any(DailyRollup.objects.values_list("tags", flat=True))  # not tagged yet
        for pk in Conversation.objects.values_list("pk", flat=True):
            conversation_summarize(conversation_id=pk)
        tagged = sum(len(tags) for tags in Conversation.objects.values_list("tags", flat=True))
        rolled = sum(sum(t.values()) for t in DailyRollup.objects.values_list("tags", flat=True))
    assert tagged > 0
    assert rolled == tagged
    page = alpha_owner.get("/?range=7")
    assert page.context["topics"]
    assert "No topics yet" not in page.content.decode()


def test_engagement_is_a_share_of_visits_that_cannot_exceed_100_percent(alpha_owner, client_alpha) -> None:
    now = timezone.now() - timedelta(hours=2)
    with schema_context(client_alpha.schema_name):
        v = b.visitor(now)
        visit = b.session(v, now)
        for i in range(3):  # three conversations in one visit: once counted as 300 %
            b.conversation(now + timedelta(minutes=40 * i), v=v, session=visit)
        b.session(b.visitor(now), now)  # a visit without a message
    from tenants.analytics.services import analytics_rollups_update

    with schema_context(client_alpha.schema_name):
        analytics_rollups_update(client=client_alpha, full=True)
    tiles = {t.label: t for t in alpha_owner.get("/?range=7").context["tiles"]}
    assert "Chats per visit" not in tiles
    tile = tiles["Engagement"]
    assert tile.value == "50%"  # one of the two visits had a chat
    assert tile.foot == "1 of 2 visits had a chat"
    assert tile.help == "Share of widget visits in which the visitor sent at least one message."


def test_over_the_quota_is_worded_as_over(alpha_owner, admin_user, client_alpha, http) -> None:
    from tests.conftest import ADMIN_EMAIL, AGENCY_PASSWORD, login

    quota = client_alpha.plan.monthly_message_quota
    UsagePeriod.objects.update_or_create(client=client_alpha, period=current_period(),
                                         defaults={"messages": quota + 25})
    body = alpha_owner.get("/setup/").content.decode()
    assert "Over the limit by 25 messages" in body
    assert "before the assistant reaches its limit" not in body
    portal = http(None)
    login(portal, ADMIN_EMAIL, AGENCY_PASSWORD)
    row = portal.get("/portal/").content.decode()
    assert "Over limit" in row
    assert "Near limit" not in row
    UsagePeriod.objects.filter(client=client_alpha, period=current_period()).update(messages=int(quota * 0.9))
    row = portal.get("/portal/").content.decode()
    assert "Near limit" in row
    assert "Over limit" not in row


def test_list_times_are_in_the_clients_zone_and_say_which(alpha_owner, client_alpha) -> None:
    from controlplane.clients.models import Client

    Client.objects.filter(pk=client_alpha.pk).update(timezone="America/New_York")
    at = (timezone.now() - timedelta(days=1)).replace(hour=15, minute=7, second=0, microsecond=0, tzinfo=UTC)
    with schema_context(client_alpha.schema_name):
        conv = b.conversation(at, lead="hot")
    zone = ZoneInfo("America/New_York")
    lead_at = at + timedelta(minutes=1)  # the builder captures the lead a minute in
    for path, when in (("/conversations/?range=7", at), ("/leads/?range=7", lead_at),
                       (f"/conversations/{conv.pk}/", at)):
        body = alpha_owner.get(path).content.decode()
        assert f"{when.astimezone(zone):%H:%M}" in body, path
        assert f"{when:%H:%M}" not in body, path  # not UTC
        assert "New York time" in body, path


def test_conversation_page_does_not_pop_its_transcript_as_toasts(alpha_owner, client_alpha) -> None:
    with schema_context(client_alpha.schema_name):
        conv = b.conversation(timezone.now() - timedelta(hours=1), turns=3, texts=["first?", "second?", "third?"])
    body = alpha_owner.get(f"/conversations/{conv.pk}/").content.decode()
    region = body[body.index("data-toast-region"):]
    region = region[:region.index("</div>")]
    assert 'class="toast' not in region
    assert body.count("transcript__msg--visitor") == 3


def test_csv_phones_import_as_e164_while_formulas_stay_neutralised(alpha_owner, client_alpha) -> None:
    import csv
    import io

    from tenants.leads.models import Lead

    with schema_context(client_alpha.schema_name):
        conv = b.conversation(timezone.now() - timedelta(hours=3), lead="hot")
        Lead.objects.filter(conversation=conv).update(phone="+15553547468", name="=HYPERLINK(\"x\")")
    text = b"".join(alpha_owner.get("/leads/export.csv?range=7").streaming_content).decode()
    row = next(r for r in csv.DictReader(io.StringIO(text)) if r["conversation_id"] == str(conv.pk))
    assert row["phone"] == "+15553547468"
    assert row["name"].startswith("'=")


def test_transcript_pdf_has_no_empty_header_row_and_names_the_zone(alpha_owner, client_alpha) -> None:
    import io

    from pypdf import PdfReader

    with schema_context(client_alpha.schema_name):
        conv = b.conversation(timezone.now() - timedelta(hours=3), lead="warm", tags=["hours_location", "menu"])
    body = alpha_owner.get(f"/conversations/{conv.pk}/export.pdf").content
    lines = [line.strip() for line in PdfReader(io.BytesIO(body)).pages[0].extract_text().splitlines() if line.strip()]
    heading = next(i for i, line in enumerate(lines) if line.startswith("Conversation of"))
    assert "New York time" in lines[heading]
    assert lines[heading + 1].startswith("Status")
    # Six facts (status, messages, lead type, sentiment, topics, lead) × two cells: no empty heading row.
    content = PdfReader(io.BytesIO(body)).pages[0].get_contents().get_data().decode("latin-1")
    assert content.count(" re ") == 12
    assert any("Hours & location, Menu" in line for line in lines)


def test_report_pdf_has_summary_highlights_and_charts_with_the_dashboards_numbers(alpha_owner, client_alpha) -> None:
    import io

    from pypdf import PdfReader

    from tenants.analytics.services import analytics_rollups_update

    now = timezone.now() - timedelta(hours=4)
    with schema_context(client_alpha.schema_name):
        for i in range(3):
            b.conversation(now - timedelta(days=i), turns=2, lead="hot" if i == 0 else None, tags=["menu"])
        analytics_rollups_update(client=client_alpha, full=True)
    page = alpha_owner.get("/?range=30")
    tiles = {t.label: t.value for t in page.context["tiles"]}
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(alpha_owner.get("/report.pdf?range=30").content)).pages)
    flat = " ".join(text.split())
    assert f"your assistant answered {tiles['Messages']} messages in 3 conversations" in flat
    assert "captured 1 lead (1 hot)" in flat
    assert "Highlights" in flat
    for legend in ("Messages and conversations per day", "Widget sessions", "Leads and booking clicks", "Funnel"):
        assert legend in flat
    assert "Menu" in flat  # topics in words
    assert "docs/" not in flat


def test_a_widget_visit_with_a_message_counts_as_engaged(client_alpha) -> None:
    """Through the real widget API: the conversation is linked to the visit it happened in, so the
    visit counts as engaged; a visit without a message does not."""
    from tenants.analytics import metrics
    from tenants.conversations.models import Conversation
    from tests.integration.widget.support import VISITOR, widget_setup

    alpha = widget_setup(client_alpha, "https://alpha.example")
    assert alpha.post("/sessions", {"visitor_id": "visitor_fedcba9876543210"}).status_code == 200  # opened, never wrote
    assert alpha.post("/sessions", {"visitor_id": VISITOR}).status_code == 200
    assert alpha.send("What are your opening hours?").status_code == 200
    with schema_context(client_alpha.schema_name):
        conversation = Conversation.objects.get(visitor__visitor_key=VISITOR)
        assert conversation.session is not None
        assert conversation.session.visitor_id == conversation.visitor_id
        assert metrics.engaged_sessions_rows(timezone.now()).count() == 1
        assert metrics.sessions_rows(timezone.now()).count() == 2
