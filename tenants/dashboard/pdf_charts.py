"""Charts drawn into the PDF report with fpdf2 primitives, from the same chart specs the dashboard
draws with ECharts (overview.charts), so the report and the page show the same numbers."""

from __future__ import annotations

from typing import Any

from fpdf import FPDF

PALETTE = ((14, 165, 183), (129, 140, 248), (245, 158, 11), (239, 68, 68))
INK = (30, 41, 59)
MUTED = (100, 116, 139)
GRID = (226, 232, 240)


def hex_rgb(value: str, default: tuple[int, int, int] = PALETTE[0]) -> tuple[int, int, int]:
    if isinstance(value, str) and len(value) == 7 and value.startswith("#"):
        try:
            return int(value[1:3], 16), int(value[3:5], 16), int(value[5:7], 16)
        except ValueError:
            return default
    return default


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000, 20000, 50000, 100000):
        if value <= step * 4:
            return step * 4 if value > step * 2 else step * 2
    return value * 1.1


def bar_chart(pdf: FPDF, spec: dict[str, Any], *, title: str, accent: tuple[int, int, int],
              height: float = 48, max_labels: int = 8) -> None:
    """Grouped bars, one group per label, one colour per series; a legend and a few axis labels."""
    labels: list[str] = list(spec.get("labels", []))
    series: list[dict[str, Any]] = list(spec.get("series", []))
    if not labels or not series:
        return
    if pdf.will_page_break(height + 22):
        pdf.add_page()
    colors = [accent, *PALETTE[1:]]
    pdf.set_font(pdf.font_family, "B", 10)
    pdf.set_text_color(*INK)
    pdf.cell(0, 6, title, new_x="LMARGIN", new_y="NEXT")
    x0, y0 = pdf.l_margin + 10, pdf.get_y() + 2
    width = pdf.w - pdf.l_margin - pdf.r_margin - 10
    top = _nice_max(max((max(s["data"] or [0]) for s in series), default=0))
    pdf.set_font(pdf.font_family, "", 7)
    pdf.set_text_color(*MUTED)
    pdf.set_draw_color(*GRID)
    for i in range(5):  # horizontal grid with values
        y = y0 + height - height * i / 4
        pdf.line(x0, y, x0 + width, y)
        pdf.set_xy(pdf.l_margin, y - 2)
        pdf.cell(9, 4, f"{top * i / 4:g}", align="R")
    group = width / len(labels)
    bar = max(0.4, group * 0.8 / len(series))
    for gi, _label in enumerate(labels):
        for si, s in enumerate(series):
            value = s["data"][gi] if gi < len(s["data"]) else 0
            h = height * (value or 0) / top
            if h > 0:
                pdf.set_fill_color(*colors[si % len(colors)])
                pdf.rect(x0 + gi * group + group * 0.1 + si * bar, y0 + height - h, bar, h, style="F")
    every = max(1, -(-len(labels) // max_labels))
    for gi in range(0, len(labels), every):
        pdf.set_xy(x0 + gi * group, y0 + height + 1)
        pdf.cell(group * every, 4, str(labels[gi]), align="L")
    pdf.set_xy(x0, y0 + height + 6)
    for si, s in enumerate(series):  # legend
        pdf.set_fill_color(*colors[si % len(colors)])
        pdf.rect(pdf.get_x(), pdf.get_y() + 1, 3, 3, style="F")
        pdf.set_x(pdf.get_x() + 4)
        pdf.set_text_color(*INK)
        pdf.cell(pdf.get_string_width(s["name"]) + 6, 5, s["name"])
    pdf.set_y(y0 + height + 13)
