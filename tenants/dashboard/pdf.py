"""The PDF layout of dashboard exports (fpdf2), imported only when a PDF is made (exports.pdf_document)."""

from __future__ import annotations

from pathlib import Path

from fpdf import FPDF

_FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")


class PdfDocument(FPDF):
    def __init__(self, title: str) -> None:
        super().__init__(format="A4")
        self.doc_title = title
        if (_FONT_DIR / "DejaVuSans.ttf").exists():
            self.add_font("Body", "", str(_FONT_DIR / "DejaVuSans.ttf"))
            self.add_font("Body", "B", str(_FONT_DIR / "DejaVuSans-Bold.ttf"))
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
