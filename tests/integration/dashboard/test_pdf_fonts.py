"""PDF exports reuse the parsed DejaVu font per process (tenants/dashboard/pdf.py): the output stays
exactly what fpdf2 makes on its own, and nothing of one document's font — the characters its text
used — reaches another document, whichever client's it is and in whichever thread it is made."""

from __future__ import annotations

import io
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

from django.utils import timezone
from django_tenants.utils import schema_context
from fontTools.ttLib import TTFont
from fpdf import FPDF
from pypdf import PdfReader

from tenants.dashboard import pdf as pdf_module
from tenants.dashboard.pdf import PdfDocument
from tests.conftest import CLIENT_PASSWORD, login
from tests.integration.analytics import builders as b

FIXED = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
ALPHA_ONLY = "Ωmega Grill, Zürich — Жаркое ★"
ALPHA_ONLY_CHARACTERS = {ord(c) for c in "Ωü—Жарке★"}  # no other text below uses them


class FontParsedPerDocument(PdfDocument):
    """The reference: what PdfDocument was before the per-process font, fpdf2's add_font every time."""

    def __init__(self, title: str) -> None:
        FPDF.__init__(self, format="A4")
        self.doc_title = title
        for style, name in pdf_module._BODY_FONTS:
            self.add_font("Body", style, str(pdf_module._FONT_DIR / name))
        self.family = "Body"
        self.set_auto_page_break(True, margin=16)
        self.add_page()


def _document(cls: type[PdfDocument], client: str, lines: list[str]) -> bytes:
    pdf = cls(f"{client} · Conversation transcript")
    pdf.set_creation_date(FIXED)
    pdf.heading(f"Conversation of {client}")
    pdf.rows_table(None, [["Status", "Ended"], ["Messages", str(len(lines))]])
    for line in lines:
        pdf.para("Visitor · 10:00", 8, (90, 100, 115))
        pdf.para(line)
    return bytes(pdf.output())


def _embedded_characters(body: bytes) -> set[int]:
    """Every character the PDF's embedded font subsets can draw (their cmap)."""
    found: set[int] = set()
    for page in PdfReader(io.BytesIO(body)).pages:
        for font in page["/Resources"]["/Font"].values():
            descriptor = font.get_object()["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            found |= set(TTFont(io.BytesIO(descriptor["/FontFile2"].get_data())).getBestCmap())
    return found


def test_pdfs_are_byte_identical_to_fpdf2s_own_font_loading_and_share_nothing_a_document_writes() -> None:
    alpha_lines, bravo_lines = [ALPHA_ONLY, "What time do you open?"], ["Do you have parking?", "Yes, free."]
    alpha = _document(PdfDocument, "Alpha", alpha_lines)
    bravo = _document(PdfDocument, "Bravo", bravo_lines)

    assert alpha == _document(FontParsedPerDocument, "Alpha", alpha_lines)
    assert bravo == _document(FontParsedPerDocument, "Bravo", bravo_lines)
    assert ALPHA_ONLY_CHARACTERS <= _embedded_characters(alpha)
    assert not ALPHA_ONLY_CHARACTERS & _embedded_characters(bravo)

    # Parsed once per process, copied per document: what output() or the text writes is not shared.
    parsed_before = pdf_module._parsed_font.cache_info().misses
    one, two = PdfDocument("One"), PdfDocument("Two")
    assert pdf_module._parsed_font.cache_info().misses == parsed_before
    for key in ("body", "bodyB"):
        a, b_ = one.fonts[key], two.fonts[key]
        for attribute in ("ttfont", "desc", "cw", "glyph_ids", "subset", "missing_glyphs"):
            assert getattr(a, attribute) is not getattr(b_, attribute), attribute


def test_pdfs_made_at_once_in_threads_each_embed_only_their_own_text() -> None:
    texts = {f"client {n}": [f"{'ÀÉÎÕÜ'[n]} question {n} " * 20, "Ωmega" if n % 2 else "plain"] for n in range(5)}
    expected = {client: _document(FontParsedPerDocument, client, lines) for client, lines in texts.items()}
    with ThreadPoolExecutor(max_workers=5) as pool:
        for _ in range(3):
            made = dict(zip(texts, pool.map(lambda item: _document(PdfDocument, *item), texts.items()), strict=True))
            assert made == expected


def test_a_clients_transcript_pdf_embeds_no_glyph_of_another_clients_export(http, client_alpha, client_bravo) -> None:  # type: ignore[no-untyped-def]
    with schema_context(client_alpha.schema_name):
        alpha_conv = b.conversation(timezone.now() - timedelta(hours=2), texts=[ALPHA_ONLY])
    with schema_context(client_bravo.schema_name):
        bravo_conv = b.conversation(timezone.now() - timedelta(hours=2), texts=["Do you have parking?"])
    alpha_owner, bravo_owner = http("alpha"), http("bravo")
    assert login(alpha_owner, "owner@alpha.test", CLIENT_PASSWORD).status_code == 302
    assert login(bravo_owner, "owner@bravo.test", CLIENT_PASSWORD).status_code == 302

    alpha_pdf = alpha_owner.get(f"/conversations/{alpha_conv.pk}/export.pdf")
    bravo_pdf = bravo_owner.get(f"/conversations/{bravo_conv.pk}/export.pdf")

    assert alpha_pdf.status_code == bravo_pdf.status_code == 200
    assert ALPHA_ONLY_CHARACTERS <= _embedded_characters(alpha_pdf.content)
    assert not ALPHA_ONLY_CHARACTERS & _embedded_characters(bravo_pdf.content)
    assert "Ωmega" not in "".join(p.extract_text() for p in PdfReader(io.BytesIO(bravo_pdf.content)).pages)


def test_font_subsetting_does_not_log_every_pdfs_glyph_names() -> None:
    """fontTools' subsetter logs ~70 records per PDF at INFO (each font's glyph names); the settings keep it quiet."""
    import logging

    assert not logging.getLogger("fontTools.subset").isEnabledFor(logging.INFO)
    assert logging.getLogger("fontTools.subset").isEnabledFor(logging.WARNING)
