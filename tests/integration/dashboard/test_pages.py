"""Exports hold exactly the filtered rows and are audited; every page runs a fixed number of queries."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import schema_context

from controlplane.audit.models import AuditLog
from tenants.analytics.services import analytics_rollups_update
from tenants.dashboard.exports import CONVERSATION_COLUMNS, LEAD_COLUMNS
from tests.integration.analytics import builders as b

pytestmark = pytest.mark.django_db


def _csv(response) -> list[dict[str, str]]:  # type: ignore[no-untyped-def]
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(text)))


@pytest.fixture
def mixed(client_alpha):  # type: ignore[no-untyped-def]
    now = timezone.now()
    with schema_context(client_alpha.schema_name):
        made = {
            "hot_menu": b.conversation(now - timedelta(days=1), turns=2, lead="hot", tags=["menu"],
                                       sentiment="positive", lead_type="appointment"),
            "cold_menu": b.conversation(now - timedelta(days=2), turns=1, lead="cold", tags=["menu", "parking"],
                                        sentiment="negative", lead_type="pricing"),
            "no_lead": b.conversation(now - timedelta(days=3), turns=1, tags=["parking"], sentiment="neutral"),
            "old_hot": b.conversation(now - timedelta(days=20), turns=1, lead="hot", tags=["menu"],
                                      lead_type="appointment"),
            "formula": b.conversation(now - timedelta(days=4), turns=1, lead="warm", texts=["=HYPERLINK()?"]),
        }
        from tenants.conversations.models import Conversation

        Conversation.objects.filter(pk=made["formula"].pk).update(summary="=cmd|' /C calc'!A0")
    return made


def test_conversation_export_holds_exactly_the_filtered_rows(alpha_owner, mixed) -> None:
    rows = _csv(alpha_owner.get("/conversations/export.csv?range=7&tag=menu"))
    assert {r["conversation_id"] for r in rows} == {str(mixed["hot_menu"].pk), str(mixed["cold_menu"].pk)}
    assert list(rows[0].keys()) == list(CONVERSATION_COLUMNS)
    rows = _csv(alpha_owner.get("/conversations/export.csv?range=30&score=hot"))
    assert {r["conversation_id"] for r in rows} == {str(mixed["hot_menu"].pk), str(mixed["old_hot"].pk)}
    rows = _csv(alpha_owner.get("/conversations/export.csv?range=7&sentiment=negative"))
    assert [r["conversation_id"] for r in rows] == [str(mixed["cold_menu"].pk)]
    rows = _csv(alpha_owner.get("/conversations/export.csv?range=7"))
    assert len(rows) == 4  # one row per conversation, the 20-day-old one is outside 7 days
    formula = next(r for r in rows if r["conversation_id"] == str(mixed["formula"].pk))
    assert formula["summary"].startswith("'=")  # CSV injection neutralised
    page = alpha_owner.get("/conversations/?range=7&tag=menu")
    assert {c.pk for c in page.context["page"]} == {mixed["hot_menu"].pk, mixed["cold_menu"].pk}


def test_lead_export_matches_the_list_and_is_audited(alpha_owner, mixed) -> None:
    before = AuditLog.objects.filter(action="export.leads_csv").count()
    rows = _csv(alpha_owner.get("/leads/export.csv?range=30&lead_type=appointment"))
    assert list(rows[0].keys()) == list(LEAD_COLUMNS)
    assert {r["conversation_id"] for r in rows} == {str(mixed["hot_menu"].pk), str(mixed["old_hot"].pk)}
    page = alpha_owner.get("/leads/?range=30&lead_type=appointment")
    assert {lead.conversation_id for lead in page.context["page"]} == {mixed["hot_menu"].pk, mixed["old_hot"].pk}
    entry = AuditLog.objects.filter(action="export.leads_csv").order_by("-id").first()
    assert AuditLog.objects.filter(action="export.leads_csv").count() == before + 1
    assert entry.actor_email == "owner@alpha.test"
    assert entry.client_slug == "alpha"
    assert entry.data["rows"] == 2
    assert entry.data["filters"]["lead_type"] == "appointment"


def test_pdfs_are_pdfs_and_audited(alpha_owner, mixed) -> None:
    conv = mixed["hot_menu"]
    response = alpha_owner.get(f"/conversations/{conv.pk}/export.pdf")
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
    assert AuditLog.objects.filter(action="export.conversation_pdf", target_id=str(conv.pk)).exists()
    response = alpha_owner.get("/report.pdf?range=30")
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
    assert AuditLog.objects.filter(action="export.overview_pdf").exists()


def test_conversation_view_shows_transcript_summary_tags(alpha_owner, mixed) -> None:
    response = alpha_owner.get(f"/conversations/{mixed['cold_menu'].pk}/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "question 0?" in body
    assert "Parking" in body  # the tag, in words
    assert "answer" in body


def _grow(client, n: int) -> None:  # type: ignore[no-untyped-def]
    now = timezone.now()
    with schema_context(client.schema_name):
        for i in range(n):
            b.conversation(now - timedelta(days=i % 80, hours=i % 24), turns=1 + i % 3, lead=["hot", None, "warm"][i % 3],
                           tags=[["menu"], ["parking", "hours"], []][i % 3], booking=i % 4 == 0)
        analytics_rollups_update(client=client, full=True)


PAGES = ["/", "/?range=90", "/?range=custom&start=2026-01-01&end=2026-11-01", "/setup/", "/leads/",
         "/leads/?range=90&score=hot&page=2", "/conversations/", "/conversations/?range=90&tag=menu&page=2",
         "/insights/questions/?range=90"]


def _counts(browser) -> dict[str, int]:  # type: ignore[no-untyped-def]
    out = {}
    for path in PAGES:
        with CaptureQueriesContext(connection) as ctx:
            assert browser.get(path).status_code == 200
        out[path] = len(ctx.captured_queries)
    return out


def test_query_counts_do_not_grow_with_data(alpha_owner, client_alpha, django_assert_max_num_queries) -> None:
    _grow(client_alpha, 5)
    small = _counts(alpha_owner)
    _grow(client_alpha, 120)
    large = _counts(alpha_owner)
    assert large == small
    for path in PAGES:
        # 17: issue 16 added one read of the agency's brand (white label) per page.
        with django_assert_max_num_queries(17):
            alpha_owner.get(path)


def test_long_ranges_chart_weeks_with_the_same_totals(alpha_owner, client_alpha) -> None:
    _grow(client_alpha, 30)
    long = alpha_owner.get("/?range=90").context
    assert long["charts"]["activity"]["labels"][0].startswith("Wk of") is False  # 90 days: still daily
    year = alpha_owner.get(f"/?range=custom&start={(timezone.now() - timedelta(days=200)).date()}"
                           f"&end={timezone.now().date()}").context
    labels = year["charts"]["activity"]["labels"]
    assert labels[0].startswith("Wk of")
    assert len(labels) == 29
    messages = year["charts"]["activity"]["series"][0]["data"]
    assert sum(messages) == year["overview"].current.totals.messages
