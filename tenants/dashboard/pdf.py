"""The PDF layout of dashboard exports (fpdf2), imported only when a PDF is made (exports.pdf_document)."""

from __future__ import annotations

import copy
import io
import pickle
from functools import cache
from pathlib import Path

from fpdf import FPDF
from fpdf.fonts import SubsetMap, TTFFont

_FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
_BODY_FONTS = (("", "DejaVuSans.ttf"), ("B", "DejaVuSans-Bold.ttf"))
# OpenType layout tables that fpdf2's output drops from every embedded subset (fpdf/output.py,
# `options.drop_tables`) — and fontTools' subsetter drops `kern` when GPOS is there. The subsetter
# decompiles them completely before dropping them; removing them up front gives the same bytes.
_LAYOUT_TABLES_DROPPED_ON_OUTPUT = ("GDEF", "GPOS", "GSUB")


@cache
def _parsed_font(path: str, style: str) -> tuple[TTFFont, bytes]:
    """What fpdf2's add_font derives from the TTF (cmap, widths, glyph ids, descriptor, names) and the
    fontTools font with the tables output() subsets already decompiled, pickled: parsed once per
    process instead of for every PDF (~45 ms at add_font, ~35 ms of table loading at output()).

    The pickle is made here from our own objects and only ever read back in this process — never
    from a file or the network (fpdf2 removed its .pkl font files because those were read from disk).
    Never handed to a document as is: `_font_for_document` copies it (see there).
    """
    holder = FPDF()
    holder.add_font("Body", style, path)
    parsed = holder.fonts[f"body{style}"]
    if not isinstance(parsed, TTFFont) or parsed.color_font is not None:  # DejaVu: outlines, no colour glyphs
        raise TypeError(f"{path}: expected a TrueType outline font")
    ttfont = parsed.ttfont
    if "GPOS" in ttfont and "kern" in ttfont:
        del ttfont["kern"]
    for tag in _LAYOUT_TABLES_DROPPED_ON_OUTPUT:
        if tag in ttfont:
            del ttfont[tag]
    for tag in ("glyf", "loca", "maxp", "hmtx", "cmap", "post"):
        if tag in ttfont:
            ttfont[tag]  # noqa: B018 (decompiles the table once, here)
    # Read what is left from memory, not from the file: unpickling a font that reads from a file
    # reopens that file (fontTools' SFNTReader), one open file per PDF until the GC closes it.
    file = ttfont.reader.file
    ttfont.reader.file = io.BytesIO(Path(path).read_bytes())
    file.close()
    ttfont_pickle = pickle.dumps(ttfont, protocol=pickle.HIGHEST_PROTOCOL)
    # The copies carry their own; this one's ~6,000 glyph objects would only lengthen every full
    # garbage collection of the process (they are created after the start-up heap is frozen).
    del parsed.ttfont
    return parsed, ttfont_pickle


def _font_for_document(pdf: FPDF, path: str, style: str) -> TTFFont:
    """A TTFFont for one document from the per-process parse, sharing only what no document changes.

    fpdf2 itself shares `cmap` between copies of a font (TTFFont.__deepcopy__, for FPDFRecorder);
    everything a document writes to is its own here: the subset map of the characters it used,
    missing glyphs, biggest size, the width and glyph-id tables (copied, as fpdf2 copies them), the
    font descriptor (output() sets its object id, name and embedded font stream on it) and the
    fontTools font (output() subsets it in place to this document's characters; a fresh unpickled
    copy each time). So one client's text never reaches another client's PDF, and two threads can
    write PDFs at once (tests/integration/dashboard/test_pdf_fonts.py).
    """
    parsed, ttfont_pickle = _parsed_font(path, style)
    font = copy.copy(parsed)
    font.i = len(pdf.fonts) + 1
    font.ttfont = pickle.loads(ttfont_pickle)  # noqa: S301 (our own bytes, made in this process)
    font.desc = copy.copy(parsed.desc)
    font.cw = copy.copy(parsed.cw)
    font.glyph_ids = dict(parsed.glyph_ids)
    font.missing_glyphs = []
    font.biggest_size_pt = 0
    font._hbfont = None
    font.subset = SubsetMap(font)
    return font


class PdfDocument(FPDF):
    def __init__(self, title: str) -> None:
        super().__init__(format="A4")
        self.doc_title = title
        if (_FONT_DIR / "DejaVuSans.ttf").exists():
            # What add_font("Body", style, path) does, without re-parsing the TTF for every PDF.
            for style, name in _BODY_FONTS:
                self.fonts[f"body{style}"] = _font_for_document(self, str(_FONT_DIR / name), style)
            self.family = "Body"
        else:  # core font: Latin-1 only
            self.family = "Helvetica"
        self.set_auto_page_break(True, margin=16)
        self.add_page()

    def text_safe(self, text: str) -> str:
        return text if self.family == "Body" else text.encode("latin-1", "replace").decode("latin-1")

    def header(self) -> None:
        self.set_font(self.family, "B", 9)
        self.set_text_color(90, 100, 115)
        self.cell(0, 6, self.text_safe(self.doc_title), new_x="LMARGIN", new_y="NEXT")
        self.ln(2)

    def heading(self, text: str, size: int = 16) -> None:
        self.set_font(self.family, "B", size)
        self.set_text_color(11, 26, 44)
        self.multi_cell(0, size * 0.5, self.text_safe(text), new_x="LMARGIN", new_y="NEXT")
        self.ln(2)

    def para(self, text: str, size: int = 10, color: tuple[int, int, int] = (30, 41, 59)) -> None:
        self.set_font(self.family, "", size)
        self.set_text_color(*color)
        self.multi_cell(0, size * 0.5, self.text_safe(text), new_x="LMARGIN", new_y="NEXT")

    def rows_table(self, header: list[str] | None, rows: list[list[str]]) -> None:
        """A table; `header=None` for a key/value list (no empty heading row)."""
        self.set_font(self.family, "", 9)
        self.set_text_color(30, 41, 59)
        self.set_fill_color(241, 245, 249)  # heading row; charts leave their own colours set
        self.set_draw_color(203, 213, 225)
        with super().table(text_align="LEFT", first_row_as_headings=header is not None, line_height=6) as t:
            for row in [header, *rows] if header is not None else rows:
                r = t.row()
                for value in row:
                    r.cell(self.text_safe(str(value)))
        self.ln(3)
