"""BEY-1: what a visitor who asks for a person is told about when to expect contact, from the
client's opening hours (business facts: hours per weekday, holidays, time zone). Honest wording
only: "open now" when the business is open at this moment, else the next opening, else no promise.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tenants.bots.config import BusinessInfo

DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
OPEN_NOW = "We're open now — someone from the team will reply shortly."
NO_HOURS = "Someone from the team will get back to you as soon as they can."


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _minutes(hhmm: str) -> int:
    hour, minute = (int(x) for x in hhmm.split(":"))
    return hour * 60 + minute


def _spans(business: BusinessInfo, day: dt.date) -> list[tuple[int, int]]:
    """Opening spans of one local date in minutes after midnight (a holiday replaces its weekday)."""
    holiday = next((h for h in business.holidays if h.date == day), None)
    if holiday is not None:
        return (
            [(_minutes(holiday.opens), _minutes(holiday.closes))] if holiday.opens and holiday.closes else []
        )
    spans = []
    for hours in business.hours:
        if hours.weekday == day.weekday():
            opens, closes = _minutes(hours.opens), _minutes(hours.closes)
            spans.append((opens, closes if closes > opens else 24 * 60))  # past midnight: open until midnight
    return sorted(spans)


def zone_words(name: str) -> str:
    """'America/New_York' -> 'New York time' (never the raw zone name in visitor text)."""
    if "/" not in name:
        return f"{name} time"
    return f"{name.rsplit('/', 1)[1].replace('_', ' ')} time"


def _clock(minutes: int) -> str:
    return f"{minutes // 60}:{minutes % 60:02d}"


def contact_expectation(business: BusinessInfo, now: dt.datetime) -> str:
    """The sentence a visitor reads after asking for a person, at `now` (any aware datetime)."""
    if not business.hours:
        return NO_HOURS
    local = now.astimezone(_zone(business.timezone))
    minute = local.hour * 60 + local.minute
    today = local.date()
    if any(opens <= minute < closes for opens, closes in _spans(business, today)):
        return OPEN_NOW
    for ahead in range(0, 15):
        day = today + dt.timedelta(days=ahead)
        starts = [opens for opens, _ in _spans(business, day) if ahead or opens > minute]
        if not starts:
            continue
        when = "later today" if ahead == 0 else "tomorrow" if ahead == 1 else DAY_NAMES[day.weekday()]
        if ahead >= 7:
            when = f"{DAY_NAMES[day.weekday()]} {day.strftime('%B')} {day.day}"
        return (
            f"We're closed right now; we open {when} at {_clock(min(starts))} ({zone_words(business.timezone)})"
            " — we'll get back to you then."
        )
    return NO_HOURS
