"""Turns an analytics Overview into what the page, the PDF report and (later) emails show:
stat tiles, chart specs for components/chart_frame.html, insight cards. No queries here."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tenants.analytics import metrics
from tenants.analytics.labels import human_label
from tenants.analytics.selectors import WEEKDAYS, Overview, busiest_window


@dataclass(frozen=True)
class Tile:
    label: str
    value: str
    icon: str
    delta: str = ""
    trend: str = "flat"
    foot: str = ""
    help: str = ""


def pct(value: float | None, digits: int = 0) -> str:
    return "–" if value is None else f"{value * 100:.{digits}f}%"


def money(cents: int) -> str:
    return f"${cents / 100:,.0f}"


def ms(value: int | None) -> str:
    if value is None:
        return "–"
    return f"≤ {value} ms" if value < 1000 else f"≤ {value / 1000:g} s"


def hour_label(hour: int) -> str:
    hour %= 24
    suffix = "AM" if hour < 12 else "PM"
    return f"{(hour % 12) or 12} {suffix}"


def _delta(current: float | None, previous: float | None, *, lower_is_better: bool = False) -> tuple[str, str]:
    change = metrics.change(current, previous)
    if change is None:
        return "", "flat"
    good = change < 0 if lower_is_better else change > 0
    trend = "flat" if abs(change) < 0.005 else ("up" if good else "down")
    return f"{change * 100:+.0f}%", trend


def _tile(key: str, current: float | None, previous: float | None, shown: str, icon: str,
          lower_is_better: bool = False, foot: str = "") -> Tile:
    """A stat tile; its label and help come from metrics.METRIC_TEXT (one wording per metric)."""
    delta, trend = _delta(current, previous, lower_is_better=lower_is_better)
    text = metrics.METRIC_TEXT[key]
    return Tile(label=text.label, value=shown, icon=icon, delta=delta, trend=trend,
                foot=foot or ("vs previous period" if delta else ""), help=text.help)


def tiles(o: Overview) -> list[Tile]:
    c, p = o.current.totals, o.previous.totals
    p95, p95_before = (metrics.percentile_ms(c.server_ms_histogram, 0.95),
                       metrics.percentile_ms(p.server_ms_histogram, 0.95))
    p50 = metrics.percentile_ms(c.server_ms_histogram, 0.5)
    model_p50 = metrics.percentile_ms(c.model_ms_histogram, 0.5)
    return [
        _tile("messages", c.messages, p.messages, f"{c.messages:,}", icon="message-square"),
        _tile("leads", c.leads, p.leads, f"{c.leads:,}", icon="users"),
        _tile("hot_leads", c.hot_leads, p.hot_leads, f"{c.hot_leads:,}", icon="zap"),
        _tile("booking_clicks", c.booking_clicks, p.booking_clicks, f"{c.booking_clicks:,}", icon="check-circle-2"),
        _tile("lead_value", o.lead_value_cents, o.previous_lead_value_cents, money(o.lead_value_cents), icon="wallet",
              foot="leads × average sale value"),
        _tile("engagement", metrics.engagement_rate(c), metrics.engagement_rate(p),
              pct(metrics.engagement_rate(c)), icon="activity",
              foot=f"{c.engaged_sessions:,} of {c.sessions:,} visits had a chat"),
        _tile("return_visitors", metrics.return_visitor_rate(c), metrics.return_visitor_rate(p),
              pct(metrics.return_visitor_rate(c)), icon="user", foot=f"{c.returning_sessions:,} return visits"),
        _tile("completion_rate", metrics.completion_rate(c), metrics.completion_rate(p),
              pct(metrics.completion_rate(c)), icon="check"),
        _tile("fallback_rate", metrics.fallback_rate(c), metrics.fallback_rate(p), pct(metrics.fallback_rate(c), 1),
              icon="circle-help", lower_is_better=True),
        _tile("response_time", p95, p95_before, ms(p95), icon="clock", lower_is_better=True,
              foot=f"median {ms(p50)} · model median {ms(model_p50)}"),
    ]


# Long ranges are charted per week: a year stays ~53 points (and table rows) instead of 365.
WEEKLY_AFTER_DAYS = 92


def _buckets(o: Overview) -> list[tuple[str, list[Any]]]:
    """(label, day rows) per chart point: one day each, or one week each for long ranges."""
    days = o.range.day_list()
    step = 7 if len(days) > WEEKLY_AFTER_DAYS else 1
    out = []
    for i in range(0, len(days), step):
        chunk = days[i:i + step]
        label = f"{chunk[0]:%b %-d}" if step == 1 else f"Wk of {chunk[0]:%b %-d}"
        out.append((label, [o.current.by_day[d] for d in chunk if d in o.current.by_day]))
    return out


def _day_labels(o: Overview) -> list[str]:
    return [label for label, _ in _buckets(o)]


def _series(o: Overview, key: str) -> list[int]:
    return [sum(getattr(row, key) for row in rows) for _, rows in _buckets(o)]


def _rate_series(o: Overview, reader: Any, digits: int = 1) -> list[float]:
    """A rate per point, by the same reader as the tiles (it takes a day row or summed Totals)."""
    out = []
    for _, rows in _buckets(o):
        value = reader(rows[0] if len(rows) == 1 else metrics.totals_of(rows)) if rows else None
        out.append(round(value * 100, digits) if value is not None else 0)
    return out


def charts(o: Overview) -> dict[str, dict[str, Any]]:
    labels = _day_labels(o)
    c = o.current.totals
    weekly_sentiment = _sentiment_trend(o)
    heat_hours = list(range(24))
    b, a = o.profile.business, o.profile.after_hours
    return {
        "activity": {"kind": "line", "labels": labels, "series": [
            {"name": "Messages", "data": _series(o, "messages")},
            {"name": "Conversations", "data": _series(o, "conversations")},
            {"name": "Widget sessions", "data": _series(o, "sessions")}]},
        "leads": {"kind": "bar", "labels": labels, "series": [
            {"name": "Leads", "data": _series(o, "leads")},
            {"name": "Hot leads", "data": _series(o, "hot_leads")},
            {"name": "Booking clicks", "data": _series(o, "booking_clicks")}]},
        "return_visitors": {"kind": "bar", "labels": labels, "series": [
            {"name": "Return visits", "data": _series(o, "returning_sessions")}]},
        "quality": {"kind": "line", "labels": labels, "unit": "%", "series": [
            {"name": "Completion rate", "data": _rate_series(o, metrics.completion_rate)},
            {"name": "Fallback rate", "data": _rate_series(o, metrics.fallback_rate)}]},
        "response": {"kind": "line", "labels": labels, "unit": " ms", "series": [
            {"name": "p50", "data": _percentile_series(o, 0.5)},
            {"name": "p95", "data": _percentile_series(o, 0.95)}]},
        "funnel": {"kind": "funnel", "labels": ["Messages", "Leads", "Booking clicks"],
                   "series": [{"name": o.range.label(), "data": [c.messages, c.leads, c.booking_clicks]}]},
        "heatmap": {"kind": "heatmap", "labels": [hour_label(h) for h in heat_hours], "y_labels": list(WEEKDAYS),
                    "values": o.profile.heatmap},
        "business_hours": {"kind": "bar", "labels": ["Messages", "Leads", "Booking clicks"], "series": [
            {"name": "Business hours", "data": [b.messages, b.leads, b.booking_clicks]},
            {"name": "After hours", "data": [a.messages, a.leads, a.booking_clicks]}]},
        "sentiment": {"kind": "line", "unit": "%", **weekly_sentiment},
        "topics": {"kind": "bar", "labels": [human_label(t) for t, _ in o.current.tags.most_common(8)],
                   "series": [{"name": "Conversations", "data": [n for _, n in o.current.tags.most_common(8)]}]},
    }


def _percentile_series(o: Overview, q: float) -> list[int]:
    out = []
    for _, rows in _buckets(o):
        histogram = [0] * metrics.HISTOGRAM_SIZE
        for row in rows:
            metrics.histogram_add(histogram, row.server_ms_histogram)
        out.append(metrics.percentile_ms(histogram, q) or 0)
    return out


def _sentiment_trend(o: Overview) -> dict[str, Any]:
    """PRM-3: share of positive and negative conversations per week (per day for ranges up to 14 days)."""
    days = o.range.day_list()
    step = 1 if len(days) <= 14 else 7
    labels, positive, negative = [], [], []
    for i in range(0, len(days), step):
        chunk = [o.current.by_day[d] for d in days[i:i + step] if d in o.current.by_day]
        pos = sum(r.sentiment_positive for r in chunk)
        neg = sum(r.sentiment_negative for r in chunk)
        total = pos + neg + sum(r.sentiment_neutral for r in chunk)
        labels.append(f"{days[i]:%b %-d}")
        positive.append(round(pos * 100 / total, 1) if total else 0)
        negative.append(round(neg * 100 / total, 1) if total else 0)
    return {"labels": labels, "series": [{"name": "Positive", "data": positive},
                                         {"name": "Negative", "data": negative}]}


@dataclass(frozen=True)
class Insight:
    title: str
    body: str
    icon: str


def insights(o: Overview) -> list[Insight]:
    """PRM-1: plain sentences from the same numbers (the most-asked question comes with the questions panel)."""
    c = o.current.totals
    out = []
    saved = metrics.hours_saved(c)
    if c.bot_replies:
        out.append(Insight("Time saved", f"Your bot answered {c.bot_replies - c.fallback_replies:,} questions: about "
                           f"{saved:,.1f} hours your team did not spend on chat.", icon="clock"))
    window = busiest_window(o.profile.by_hour)
    if window:
        after = o.profile.after_hours.messages
        share = after / c.messages if c.messages else 0
        out.append(Insight("Busiest time", f"{hour_label(window[0])}–{hour_label(window[1])} is when visitors chat "
                           f"most. {share:.0%} of messages arrive outside business hours.", icon="activity"))
    if o.current.tags:
        tag, count = o.current.tags.most_common(1)[0]
        out.append(Insight("Top topic", f"“{human_label(tag)}” came up in {count:,} conversations.", icon="sparkles"))
    return out


def summary(o: Overview, period: str) -> str:
    """One paragraph for the PDF report (and emails): the period's figures in sentences, from the tiles' numbers."""
    c = o.current.totals
    if not c.messages and not c.sessions:
        return f"No visitor chatted with your assistant in the {period}."
    parts = [f"In the {period} your assistant answered {c.messages:,} message{'s' if c.messages != 1 else ''} "
             f"in {c.conversations:,} conversation{'s' if c.conversations != 1 else ''}"]
    lead_bits = f"captured {c.leads:,} lead{'s' if c.leads != 1 else ''}"
    if c.hot_leads:
        lead_bits += f" ({c.hot_leads:,} hot)"
    if c.booking_clicks:
        lead_bits += f" and sent {c.booking_clicks:,} visitor{'s' if c.booking_clicks != 1 else ''} to your booking page"
    parts.append(lead_bits)
    text = ", ".join(parts) + "."
    if o.lead_value_cents:
        text += f" Those leads are worth about {money(o.lead_value_cents)} at your average sale values."
    change = metrics.change(c.leads, o.previous.totals.leads)
    if change is not None and abs(change) >= 0.05:
        text += f" Leads are {'up' if change > 0 else 'down'} {abs(change) * 100:.0f}% on the period before."
    saved = metrics.hours_saved(c)
    if saved >= 1:
        text += f" It saved your team about {saved:,.0f} hours of chat."
    return text


def sentiment_split(o: Overview) -> list[tuple[str, int, str]]:
    total = sum(o.current.sentiment.values())
    return [(label, n, pct(n / total if total else None)) for label, n in o.current.sentiment.items()]


def lead_value_rows(o: Overview, default_cents: int) -> list[tuple[str, int, str, str]]:
    rows = []
    for lead_type, count in o.current.leads_by_type.most_common():
        value = metrics.lead_type_value_cents(lead_type, o.values, default_cents)
        rows.append((human_label(lead_type), count, money(value), money(value * count)))
    return rows
