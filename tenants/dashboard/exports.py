"""CXI-1 / CXI-2: CSV exports of the filtered lists and PDFs of one conversation and of the overview.

Every export is audited (SEC-9) with its filters and row count. CSV cells that a spreadsheet
would run as a formula are prefixed with a quote (CSV injection).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from controlplane.audit.services import audit_record
from tenants.analytics.labels import human_label, human_labels, zone_label
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


_E164 = re.compile(r"^\+[1-9]\d{6,14}$")
_FORMULA_START = frozenset(("=", "+", "-", "@", "\t", "\r"))


def _cell(value: Any) -> str:
    """A CSV cell a spreadsheet cannot run: a leading quote on anything that could start a formula,
    except an E.164 phone number (+15551234567), which CRMs import as is."""
    text = "" if value is None else value if type(value) is str else str(value)
    if text[:1] in _FORMULA_START and not _E164.match(text):
        return "'" + text
    return text


def _local(dt: Any, tz: Any) -> str:
    """YYYY-MM-DD HH:MM in the client's zone (formatted by hand: strftime is most of a CSV row's time)."""
    if not dt:
        return ""
    d = dt.astimezone(tz)
    return f"{d.year:04d}-{d.month:02d}-{d.day:02d} {d.hour:02d}:{d.minute:02d}"


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


# The columns the exports read, fetched as tuples (no model instances: a third of a row's time was
# building a Conversation and a Lead for each row). A conversation without a lead has lead id None.
_CONVERSATION_FIELDS = ("pk", "started_at", "last_message_at", "status", "message_count", "lead_type", "sentiment",
                        "crisis_level", "tags", "summary", "lead__id", "lead__score", "lead__name", "lead__phone",
                        "lead__email")
_LEAD_FIELDS = ("pk", "created_at", "score", "lead_type", "name", "phone", "email", "conversation_id",
                "conversation__sentiment", "conversation__tags", "conversation__summary")


def conversations_csv(f: ListFilters, *, redact: bool = False) -> Iterator[str]:
    """One row per conversation, exactly the rows of the filtered list (all pages)."""
    tz = f.range.tz
    rows = (
        (pk, _local(started, tz), _local(last, tz), status, count, lead_type, sentiment, crisis, ";".join(tags),
         _free_text(summary, name if lead_id is not None else "", redact),
         *((score, *_contact(name, phone, email, redact)) if lead_id is not None else ("", "", "", "")))
        for (pk, started, last, status, count, lead_type, sentiment, crisis, tags, summary, lead_id, score, name,
             phone, email) in conversations_filtered(f).values_list(*_CONVERSATION_FIELDS).iterator(chunk_size=2000)
    )
    return _csv_lines(CONVERSATION_COLUMNS, rows)


def leads_csv(f: ListFilters, *, redact: bool = False) -> Iterator[str]:
    tz = f.range.tz
    rows = (
        (pk, _local(created, tz), score, lead_type, *_contact(name, phone, email, redact), conversation_id,
         sentiment, ";".join(tags), _free_text(summary, name, redact))
        for (pk, created, score, lead_type, name, phone, email, conversation_id, sentiment, tags, summary)
        in leads_filtered(f).values_list(*_LEAD_FIELDS).iterator(chunk_size=2000)
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
    pdf.heading(f"Conversation of {_local(conversation.started_at, tz)} ({zone_label(tz)})")
    lead = getattr(conversation, "lead", None)
    facts = [["Status", human_label(conversation.status)], ["Messages", str(conversation.message_count)],
             ["Lead type", human_label(conversation.lead_type) or "–"],
             ["Sentiment", human_label(conversation.sentiment) or "–"],
             ["Topics", ", ".join(human_labels(conversation.tags)) or "–"]]
    name = lead.name if lead else ""
    if lead:
        contact = " ".join(_contact(lead.name, lead.phone, lead.email, redact))
        facts.append(["Lead", f"{human_label(lead.score)} · {contact}".strip()])
    pdf.rows_table(None, facts)
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


@dataclass(frozen=True)
class ReportBrand:
    """Whose report it is: the client's logo and colour, and the agency's "Powered by" ("" hides it)."""

    logo_png: bytes | None = None
    accent: str = "#0ea5b7"
    powered_by: str = ""


# The charts of the dashboard the report carries, with the dashboard's titles.
REPORT_CHARTS = (("activity", "Messages and conversations per day"), ("leads", "Leads and booking clicks"),
                 ("funnel", "Funnel"), ("business_hours", "Business hours vs after hours"))


def overview_pdf(*, client_name: str, range_label: str, tiles: list[Any], insights: list[Any],
                 sentiment: list[tuple[str, int, str]], lead_values: list[tuple[str, int, str, str]],
                 topics: list[tuple[str, int]], tz: Any, summary: str = "", charts: dict[str, Any] | None = None,
                 brand: ReportBrand | None = None) -> bytes:
    # Lazy, like the document itself: the chart drawing imports fpdf.
    from tenants.dashboard.pdf_charts import bar_chart, hex_rgb

    brand = brand or ReportBrand()
    pdf = pdf_document(f"{client_name} · Chatbot report")
    accent = hex_rgb(brand.accent)
    if brand.logo_png:
        pdf.image(io.BytesIO(brand.logo_png), x=pdf.l_margin, h=14, keep_aspect_ratio=True)
        pdf.ln(2)
    pdf.set_fill_color(*accent)
    pdf.rect(pdf.l_margin, pdf.get_y(), pdf.w - pdf.l_margin - pdf.r_margin, 1.2, style="F")
    pdf.ln(3)
    pdf.heading(f"{client_name}: {range_label}")
    pdf.para(f"Generated {_local(timezone.now(), tz)} ({zone_label(tz)}).", 8, (90, 100, 115))
    pdf.ln(3)
    if summary:
        pdf.para(summary, 10)
        pdf.ln(3)
    pdf.rows_table(["Metric", "Value", "Change"], [[t.label, t.value, t.delta or "–"] for t in tiles])
    if insights:
        pdf.heading("Highlights", 12)
        for insight in insights:
            pdf.para(f"{insight.title}: {insight.body}")
        pdf.ln(2)
    for key, title in REPORT_CHARTS:
        if charts and key in charts:
            bar_chart(pdf, charts[key], title=title, accent=accent)
    pdf.heading("Sentiment", 12)
    pdf.rows_table(["Sentiment", "Conversations", "Share"], [[s.capitalize(), str(n), p] for s, n, p in sentiment])
    if lead_values:
        pdf.heading("Lead value", 12)
        pdf.rows_table(["Lead type", "Leads", "Average sale", "Value"], [[a, str(b), c, d] for a, b, c, d in lead_values])
    if topics:
        pdf.heading("Popular topics", 12)
        pdf.rows_table(["Topic", "Conversations"], [[human_label(t), str(n)] for t, n in topics])
    if brand.powered_by:
        pdf.ln(4)
        pdf.para(f"Powered by {brand.powered_by}", 8, (90, 100, 115))
    return bytes(pdf.output())


def client_report_pdf(*, client: Any, data: Any, range_label: str, tz: Any) -> bytes:
    """The client's branded report for one period: the dashboard's own figures, charts and insights.

    One builder for the dashboard's "Download report" and the weekly email's attachment.
    """
    from controlplane.clients.branding import agency_brand, logo_bytes
    from tenants.dashboard import overview

    return overview_pdf(
        client_name=client.name, range_label=range_label, tiles=overview.tiles(data),
        insights=overview.insights(data), sentiment=overview.sentiment_split(data),
        lead_values=overview.lead_value_rows(data, client.avg_sale_value_cents),
        topics=data.current.tags.most_common(8), tz=tz, charts=overview.charts(data),
        summary=overview.summary(data, range_label.lower()),
        brand=ReportBrand(logo_png=logo_bytes(client.logo_name), accent=client.accent_color,
                          powered_by=agency_brand().powered_by))
