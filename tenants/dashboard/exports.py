"""CXI-1 / CXI-2: CSV exports of the filtered lists and PDFs of one conversation and of the overview.

Every export is audited (SEC-9) with its filters and row count. CSV cells that a spreadsheet
would run as a formula are prefixed with a quote (CSV injection).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from controlplane.audit.services import audit_record
from tenants.conversations.models import Conversation, Message
from tenants.dashboard.filters import ListFilters, conversations_filtered, leads_filtered
from tenants.privacy.services import mask_email, mask_name, mask_phone, redact_text

if TYPE_CHECKING:
    from tenants.dashboard.pdf import PdfDocument

CONVERSATION_COLUMNS = ("conversation_id", "started_at", "last_message_at", "status", "messages", "lead_type",
                        "sentiment", "crisis_level", "tags", "summary", "lead_score", "lead_name", "lead_phone",
                        "lead_email")
LEAD_COLUMNS = ("lead_id", "captured_at", "score", "lead_type", "name", "phone", "email", "conversation_id",
                "sentiment", "tags", "summary")


def _cell(value: Any) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _local(dt: Any, tz: Any) -> str:
    return dt.astimezone(tz).strftime("%Y-%m-%d %H:%M") if dt else ""


def _csv_lines(header: Iterable[str], rows: Iterable[Iterable[Any]]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow([_cell(v) for v in row])
        if buffer.tell() > 32_000:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def _contact(name: str, phone: str, email: str, redact: bool) -> tuple[str, str, str]:
    """BEY-6: with `redact`, names, phones and emails leave only as masks (J., ***42, j***@e***)."""
    return (mask_name(name), mask_phone(phone), mask_email(email)) if redact else (name, phone, email)


def _free_text(text: str, name: str, redact: bool) -> str:
    return redact_text(text, [name]) if redact else text


def conversations_csv(f: ListFilters, *, redact: bool = False) -> Iterator[str]:
    """One row per conversation, exactly the rows of the filtered list (all pages)."""
    tz = f.range.tz
    rows = (
        (c.pk, _local(c.started_at, tz), _local(c.last_message_at, tz), c.status, c.message_count, c.lead_type,
         c.sentiment, c.crisis_level, ";".join(c.tags),
         _free_text(c.summary, getattr(getattr(c, "lead", None), "name", ""), redact),
         *(_lead_fields(c, redact)))
        for c in conversations_filtered(f).select_related("lead").iterator(chunk_size=2000)
    )
    return _csv_lines(CONVERSATION_COLUMNS, rows)


def _lead_fields(c: Conversation, redact: bool = False) -> tuple[str, str, str, str]:
    lead = getattr(c, "lead", None)
    return (lead.score, *_contact(lead.name, lead.phone, lead.email, redact)) if lead else ("", "", "", "")


def leads_csv(f: ListFilters, *, redact: bool = False) -> Iterator[str]:
    tz = f.range.tz
    rows = (
        (lead.pk, _local(lead.created_at, tz), lead.score, lead.lead_type,
         *_contact(lead.name, lead.phone, lead.email, redact),
         lead.conversation_id, lead.conversation.sentiment, ";".join(lead.conversation.tags),
         _free_text(lead.conversation.summary, lead.name, redact))
        for lead in leads_filtered(f).select_related("conversation").iterator(chunk_size=2000)
    )
    return _csv_lines(LEAD_COLUMNS, rows)


def export_audit(*, request: Any, kind: str, filters: ListFilters | None = None, rows: int = 0,
                 target_id: str = "", redacted: bool = False) -> None:
    audit_record(action=f"export.{kind}", actor=request.user, request=request, target_type="dashboard.export",
                 target_id=target_id, data={"filters": filters.as_audit() if filters else {}, "rows": rows,
                                            "redacted": redacted})


def pdf_document(title: str) -> PdfDocument:
    # Lazy: fpdf (and Pillow under it) costs ~1 s of import; only PDF exports need it, not every
    # Django process that loads the URL conf (docs/decisions/0013-lazy-agent-stack.md).
    from tenants.dashboard.pdf import PdfDocument

    return PdfDocument(title)


def conversation_pdf(*, conversation: Conversation, messages: list[Message], client_name: str, tz: Any,
                     redact: bool = False) -> bytes:
    pdf = pdf_document(f"{client_name} · Conversation transcript")
    pdf.heading(f"Conversation of {_local(conversation.started_at, tz)}")
    lead = getattr(conversation, "lead", None)
    facts = [["Status", conversation.status], ["Messages", str(conversation.message_count)],
             ["Lead type", conversation.lead_type or "–"], ["Sentiment", conversation.sentiment or "–"],
             ["Tags", ", ".join(conversation.tags) or "–"]]
    name = lead.name if lead else ""
    if lead:
        facts.append(["Lead", f"{lead.score} · {' '.join(_contact(lead.name, lead.phone, lead.email, redact))}".strip()])
    pdf.rows_table(["", ""], facts)
    if conversation.summary:
        pdf.heading("Summary", 12)
        pdf.para(_free_text(conversation.summary, name, redact))
        pdf.ln(2)
    pdf.heading("Transcript", 12)
    for m in messages:
        who = "Visitor" if m.role == Message.Role.VISITOR else "Bot"
        pdf.para(f"{who} · {m.created_at.astimezone(tz):%H:%M}", 8, (90, 100, 115))
        pdf.para(_free_text(m.text, name, redact))
        pdf.ln(1.5)
    return bytes(pdf.output())


def overview_pdf(*, client_name: str, range_label: str, tiles: list[Any], insights: list[Any],
                 sentiment: list[tuple[str, int, str]], lead_values: list[tuple[str, int, str, str]],
                 topics: list[tuple[str, int]]) -> bytes:
    pdf = pdf_document(f"{client_name} · Chatbot report")
    pdf.heading(f"{client_name}: {range_label}")
    pdf.para(f"Generated {timezone.now():%Y-%m-%d %H:%M} UTC. Definitions: docs/metrics.md.", 8, (90, 100, 115))
    pdf.ln(3)
    pdf.rows_table(["Metric", "Value", "Change"], [[t.label, t.value, t.delta or "–"] for t in tiles])
    if insights:
        pdf.heading("Highlights", 12)
        for insight in insights:
            pdf.para(f"{insight.title}: {insight.body}")
        pdf.ln(2)
    pdf.heading("Sentiment", 12)
    pdf.rows_table(["Sentiment", "Conversations", "Share"], [[s.capitalize(), str(n), p] for s, n, p in sentiment])
    if lead_values:
        pdf.heading("Lead value", 12)
        pdf.rows_table(["Lead type", "Leads", "Average sale", "Value"], [[a, str(b), c, d] for a, b, c, d in lead_values])
    if topics:
        pdf.heading("Popular topics", 12)
        pdf.rows_table(["Topic", "Conversations"], [[t, str(n)] for t, n in topics])
    return bytes(pdf.output())
