"""Template tags of the design system: `{% load shoreline_ui %}`.

Small on purpose: markup lives in templates/components/*.html; these tags only prepare context
that templates cannot compute (icon URLs, widget attributes, chart tables, active navigation).
"""

from __future__ import annotations

import itertools
import re
from typing import Any

from django import forms, template
from django.templatetags.static import static
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html

register = template.Library()

_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")
_ids = itertools.count(1)


@register.simple_tag
def icon(name: str, css: str = "", label: str = "") -> str:
    """An icon from the built sprite; decorative unless a label is given."""
    href = f"{static('shoreline/icons.svg')}#{name}"
    if label:
        return format_html('<svg class="icon {}" role="img" aria-label="{}"><use href="{}"></use></svg>',
                           css, label, href)
    return format_html('<svg class="icon {}" aria-hidden="true" focusable="false"><use href="{}"></use></svg>',
                       css, href)


def _luminance(hex_color: str) -> float:
    channels = [int(hex_color[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(a: str, b: str) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


@register.filter
def ink_for(background: str) -> str:
    """The text color (white or near-black) that reads best on a client's accent color."""
    if not isinstance(background, str) or not _HEX.match(background):
        return "#ffffff"
    dark = "#0b1a2c"
    return "#ffffff" if contrast_ratio(background, "#ffffff") >= contrast_ratio(background, dark) else dark


@register.filter
def initials(name: str) -> str:
    words = [w for w in re.split(r"[\s@._-]+", str(name or "")) if w]
    return "".join(w[0] for w in words[:2]).upper() or "?"


@register.inclusion_tag("components/field.html")
def form_field(field: forms.BoundField, label: str = "", css: str = "") -> dict[str, Any]:
    """A Django form field with its label, help text and inline errors, wired for screen readers."""
    described = []
    if field.help_text:
        described.append(f"{field.auto_id}_help")
    if field.errors:
        described.append(f"{field.auto_id}_error")
    attrs: dict[str, Any] = {}
    if described:
        attrs["aria-describedby"] = " ".join(described)
    if field.errors:
        attrs["aria-invalid"] = "true"
    if field.field.required and not isinstance(field.field.widget, forms.CheckboxInput):
        attrs["required"] = True
    return {
        "field": field,
        "widget": field.as_widget(attrs=attrs),
        "label": label or field.label,
        "is_check": isinstance(field.field.widget, forms.CheckboxInput),
        "css": css,
    }


@register.inclusion_tag("components/nav_link.html", takes_context=True)
def nav_link(context: template.Context, url_name: str, label: str, icon_name: str, *prefixes: str) -> dict[str, Any]:
    """A navigation link, marked aria-current when the page is it or lies under one of `prefixes`."""
    try:
        url = reverse(url_name)
    except NoReverseMatch:
        url = "#"
    request = context.get("request")
    path = getattr(request, "path", "")
    current = path == url or any(path.startswith(p) for p in prefixes)
    return {"url": url, "label": label, "icon_name": icon_name, "current": current}


@register.inclusion_tag("components/chart_frame.html")
def chart_frame(spec: dict[str, Any], title: str, description: str = "", height: str = "16rem",
                chart_id: str = "") -> dict[str, Any]:
    """A chart (ECharts, drawn after first paint) with an accessible data table of the same numbers.

    spec: {"kind": "line"|"bar"|"funnel", "labels": [...], "series": [{"name", "data"}], "unit": ""}
      or  {"kind": "heatmap", "labels": [x...], "y_labels": [y...], "values": [[row per y]]}.
    """
    chart_id = chart_id or f"chart-{next(_ids)}"
    if spec.get("kind") == "heatmap":
        columns = [""] + list(spec.get("labels", []))
        rows = [[y, *values] for y, values in zip(spec.get("y_labels", []), spec.get("values", []), strict=False)]
    else:
        series = spec.get("series", [])
        columns = [""] + [s["name"] for s in series]
        rows = [[label, *(s["data"][i] if i < len(s["data"]) else "" for s in series)]
                for i, label in enumerate(spec.get("labels", []))]
    return {"spec": spec, "title": title, "description": description, "height": height, "chart_id": chart_id, "spec_id": f"{chart_id}-spec",
            "columns": columns, "rows": rows}
