"""Issue 17: the SQL statements one visitor message costs, counted, with a budget per kind of turn.

Every statement the turn sends is counted through Django's execute wrapper (CaptureQueriesContext),
`SET search_path` included, and the after-commit work too (the review count of a fallback turn).
In a test the turn's transaction is a SAVEPOINT/RELEASE pair inside the test's transaction; both are
counted, standing for the BEGIN/COMMIT of production.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.integration.widget.support import WidgetSetup

pytestmark = pytest.mark.django_db

ANSWERED_BUDGET = 8
FALLBACK_BUDGET = 10
# A new lead writes what an answer does plus the lead, its lead_captured event, its outbox events (one
# statement for lead.created and lead.hot) and, after commit, the triage entry's new lead score.
LEAD_BUDGET = 10


def _turn(setup: WidgetSetup, text: str, conversation_id: str, capture: Any) -> tuple[dict[str, Any], list[str]]:
    with CaptureQueriesContext(connection) as ctx:
        with capture(execute=False) as callbacks:
            body = setup.send(text, conversation_id=conversation_id).json()
        in_request = len(ctx.captured_queries)
        for callback in callbacks:
            callback()
    statements = [q["sql"] for q in ctx.captured_queries]
    # Here the after-commit callbacks run after the request, from the public schema, which costs a
    # `SET search_path` production does not send: there they run at COMMIT, still inside the client's
    # schema, whose search_path includes public.
    after_commit = [sql for sql in statements[in_request:] if not sql.startswith("SET search_path")]
    return body, statements[:in_request] + after_commit


def test_statements_per_turn_stay_within_budget(alpha_faqs: WidgetSetup,
                                                django_capture_on_commit_callbacks: Any) -> None:
    conversation_id = alpha_faqs.send("Do you deliver?").json()["conversation_id"]
    alpha_faqs.send("Do you deliver?", conversation_id=conversation_id)  # caches warm, as in a live process

    answered = {}
    for text, kind in [("Do you deliver?", "approved_faq"), ("What are your opening hours?", "facts"),
                       ("When does the kitchen stop taking orders?", "extractive")]:
        body, statements = _turn(alpha_faqs, text, conversation_id, django_capture_on_commit_callbacks)
        assert body["answered_by"] == kind
        answered[kind] = statements
    body, fallback = _turn(alpha_faqs, "what is the meaning of life", conversation_id,
                           django_capture_on_commit_callbacks)
    assert body["is_fallback"] is True
    # A lead in a conversation that has an open review item (the fallback above): the lead, its
    # lead_captured event, lead.created + lead.hot, and the triage entry's new lead score.
    body, lead = _turn(alpha_faqs, "Book me a table for 4 tonight, my number is 415-555-0188", conversation_id,
                       django_capture_on_commit_callbacks)
    assert body["lead_captured"] is True

    for kind, statements in answered.items():
        assert len(statements) <= ANSWERED_BUDGET, (kind, statements)
    assert len(fallback) <= FALLBACK_BUDGET, fallback
    assert len(lead) <= LEAD_BUDGET, lead
    # The lead is inserted without a lookup first (the conversation was read with its lead: none).
    assert not any(sql.startswith('SELECT "leads_lead"') for sql in lead), lead
    assert sum("notifications_outboxevent" in sql for sql in lead) == 1, lead
    # The review count moved after commit, by one, without recounting the open items.
    assert any("review_queue_clientreviewcount" in sql for sql in fallback), fallback
    assert not any("count(" in sql.lower() for sql in fallback), fallback


def test_the_hot_path_reads_no_access_or_config_rows_once_cached(alpha_faqs: WidgetSetup) -> None:
    """Token, allowlist, public host, bot and its configuration come from the process's cache."""
    conversation_id = alpha_faqs.send("Do you deliver?").json()["conversation_id"]
    with CaptureQueriesContext(connection) as ctx:
        alpha_faqs.send("Do you deliver?", conversation_id=conversation_id)
    tables = " ".join(q["sql"] for q in ctx.captured_queries)
    for table in ("widgets_widgettoken", "widgets_allowedorigin", "clients_domain", "bots_bot"):
        assert table not in tables, table
