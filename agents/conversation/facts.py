"""Business facts (BOT-1/BOT-5) as typed data, and the offline answers drawn from them.

Facts are the business's own answers to the questions visitors ask most: hours, phone, email,
address, booking link, services with prices. They are given to the graph in the run context (the
approved bot version), never guessed: a question about a fact that is not filled in falls through
to the rest of the graph.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Final
from zoneinfo import ZoneInfo

WEEKDAYS: Final = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_DAY_WORDS: Final = {
    "monday": 0, "mon": 0, "mondays": 0, "tuesday": 1, "tue": 1, "tues": 1, "tuesdays": 1,
    "wednesday": 2, "wed": 2, "weds": 2, "wednesdays": 2, "thursday": 3, "thu": 3, "thur": 3, "thurs": 3,
    "thursdays": 3, "friday": 4, "fri": 4, "fridays": 4, "saturday": 5, "sat": 5, "saturdays": 5,
    "sunday": 6, "sun": 6, "sundays": 6,
}
_DAY_PATTERN: Final = re.compile(r"\b(" + "|".join(sorted(_DAY_WORDS, key=len, reverse=True)) + r")\b", re.I)
_RELATIVE_DAY: Final = re.compile(r"\b(today|tonight|tomorrow|weekend|weekends|holidays?|christmas|thanksgiving|new\s+year'?s?)\b", re.I)

TOPIC_PATTERNS: Final[dict[str, re.Pattern[str]]] = {
    "hours": re.compile(
        r"\b(?:hours?|open|opens|opening|close|closes|closing|closed|what\s+time|when\s+(?:are|do)\s+you\s+(?:open|close)|"
        r"until\s+when|how\s+late|how\s+early)\b", re.I),
    "phone": re.compile(r"\b(?:phone|call\s+(?:you|the\s+\w+)|(?:your|the|ur|a|contact)\s+number|number\s+(?:for|to\s+call)|text\s+you|telephone|ring\s+you|"
                       r"how\s+(?:do|can)\s+i\s+(?:reach|contact|get\s+(?:in\s+touch\s+with|a\s+hold\s+of))|contact\s+(?:info|details))\b", re.I),
    "email": re.compile(r"\b(?:e-?mail|email\s+address)\b", re.I),
    "address": re.compile(
        r"\b(?:address|located|location|where\s+(?:are|r)\s+(?:you|u|ya)|where\s+is\s+(?:the|your)\s+(?:shop|store|gym|"
        r"restaurant|house|office|garage|place)|where'?s\s+(?:the|your)\s+(?:shop|store|gym|restaurant|house|office|garage|place)|"
        r"directions|find\s+you|how\s+do\s+i\s+get\s+there|what\s+street)\b", re.I),
    "booking": re.compile(r"\b(?:book|booking|reserve|reservation|appointment|appt|schedule\s+(?:a|an|my)|sign\s+up)\b", re.I),
    "prices": re.compile(r"\b(?:how\s+much|price|prices|pricing|cost|costs|charge|rates?|fees?|\$)\b", re.I),
    "services": re.compile(r"\b(?:services|what\s+do\s+you\s+(?:offer|do|have)|menu|price\s+list|options)\b", re.I),
}
_STOP: Final = frozenset(
    "a an the and or of for to in on at is are do does you your we i me my it its how much what whats what's "
    "price cost costs charge get with can please much be there this that per".split()
)
_WORD: Final = re.compile(r"[a-z0-9']+")


@dataclass(frozen=True, slots=True)
class DayHours:
    weekday: int  # 0 = Monday
    opens: str  # "09:00"
    closes: str


@dataclass(frozen=True, slots=True)
class HolidayHours:
    day: date
    name: str
    opens: str | None = None  # None: closed all day
    closes: str | None = None


@dataclass(frozen=True, slots=True)
class ServiceFact:
    name: str
    price: float | None = None
    price_note: str = ""  # "from", "per month", shown with the price
    duration_minutes: int | None = None
    description: str = ""


@dataclass(frozen=True, slots=True)
class FactNote:
    """A short fact with its own topic words ("parking": [park, parking]) from the business facts."""

    topic: str
    keywords: tuple[str, ...]
    text: str


@dataclass(frozen=True, slots=True)
class BusinessFacts:
    phone: str = ""
    email: str = ""
    address: str = ""
    timezone: str = "America/New_York"
    hours: tuple[DayHours, ...] = ()
    holidays: tuple[HolidayHours, ...] = ()
    booking_url: str = ""
    services: tuple[ServiceFact, ...] = ()
    notes: tuple[FactNote, ...] = field(default_factory=tuple)

    @property
    def has_hours(self) -> bool:
        return bool(self.hours)


@dataclass(frozen=True, slots=True)
class FactAnswer:
    topic: str
    text: str


def _clock(value: str) -> str:
    hour, minute = (int(x) for x in value.split(":"))
    suffix = "am" if hour < 12 else "pm"
    shown = hour % 12 or 12
    return f"{shown}{suffix}" if minute == 0 else f"{shown}:{minute:02d}{suffix}"


def _money(value: float) -> str:
    return f"${value:,.0f}" if float(value).is_integer() else f"${value:,.2f}"


def hours_for(facts: BusinessFacts, weekday: int) -> str:
    spans = [h for h in facts.hours if h.weekday == weekday]
    if not spans:
        return "closed"
    return " and ".join(f"{_clock(h.opens)}–{_clock(h.closes)}" for h in spans)


def hours_summary(facts: BusinessFacts) -> str:
    """'Monday–Friday 9am–7pm; Saturday 10am–4pm; Sunday closed', grouping equal days."""
    groups: list[tuple[int, int, str]] = []
    for day in range(7):
        text = hours_for(facts, day)
        if groups and groups[-1][2] == text and groups[-1][1] == day - 1:
            groups[-1] = (groups[-1][0], day, text)
        else:
            groups.append((day, day, text))
    parts = []
    for first, last, text in groups:
        days = WEEKDAYS[first].title() if first == last else f"{WEEKDAYS[first].title()}–{WEEKDAYS[last].title()}"
        parts.append(f"{days} {text}")
    return "; ".join(parts)


def _today(facts: BusinessFacts, now: datetime | None) -> date:
    try:
        zone = ZoneInfo(facts.timezone)
    except Exception:  # noqa: BLE001 - an unknown zone name must not break a chat
        zone = ZoneInfo("UTC")
    return (now or datetime.now(tz=zone)).astimezone(zone).date()


def _day_hours_sentence(facts: BusinessFacts, day: date, label: str) -> str:
    holiday = next((h for h in facts.holidays if h.day == day), None)
    if holiday is not None:
        if holiday.opens and holiday.closes:
            return f"{label} ({holiday.name}) we're open {_clock(holiday.opens)}–{_clock(holiday.closes)}."
        return f"{label} ({holiday.name}) we're closed."
    text = hours_for(facts, day.weekday())
    return f"{label} we're closed." if text == "closed" else f"{label} we're open {text}."


def answer_hours(facts: BusinessFacts, message: str, *, now: datetime | None = None) -> str:
    lowered = message.lower()
    today = _today(facts, now)
    relative = _RELATIVE_DAY.search(lowered)
    day_match = _DAY_PATTERN.search(lowered)
    if relative and relative.group(1).startswith("holiday"):
        upcoming = sorted((h for h in facts.holidays if h.day >= today), key=lambda h: h.day) if facts.holidays else []
        if not upcoming:
            return f"Our regular hours are {hours_summary(facts)}. Holiday hours may differ; please call to check."
        lines = [_day_hours_sentence(facts, h.day, h.day.strftime("%A %B %-d")) for h in upcoming[:4]]
        return "Holiday hours: " + " ".join(lines)
    if relative and relative.group(1) in ("today", "tonight"):
        return _day_hours_sentence(facts, today, "Today")
    if relative and relative.group(1) == "tomorrow":
        return _day_hours_sentence(facts, today + timedelta(days=1), "Tomorrow")
    if relative and relative.group(1).startswith("weekend"):
        return f"Saturday: {hours_for(facts, 5)}. Sunday: {hours_for(facts, 6)}."
    if day_match:
        weekday = _DAY_WORDS[day_match.group(1).lower()]
        ahead = (weekday - today.weekday()) % 7
        target = today + timedelta(days=ahead)
        return _day_hours_sentence(facts, target, f"On {WEEKDAYS[weekday].title()}")
    return f"Our hours are {hours_summary(facts)}."


def _stem(word: str) -> str:
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


def _words(text: str) -> set[str]:
    return {_stem(w) for w in _WORD.findall(text.lower()) if w not in _STOP}


def best_service(facts: BusinessFacts, message: str) -> ServiceFact | None:
    asked = _words(message)
    best: tuple[int, float, ServiceFact] | None = None
    for service in facts.services:
        name_words = _words(re.sub(r"\(.*?\)", " ", service.name))
        if not name_words:
            continue
        shared = len(asked & name_words)
        overlap = shared / len(name_words)
        if shared and overlap >= 0.5 and (best is None or (shared, overlap) > best[:2]):
            best = (shared, overlap, service)
    return best[2] if best else None


def service_line(service: ServiceFact) -> str:
    parts = [service.name]
    if service.price is not None:
        price = _money(service.price)
        if service.price_note:
            price = f"{service.price_note} {price}" if service.price_note in ("from", "starting at") else f"{price} {service.price_note}"
        parts.append(price)
    if service.duration_minutes:
        parts.append(f"about {service.duration_minutes} min")
    return ": ".join(parts[:2]) + (f" ({parts[2]})" if len(parts) > 2 else "")


def price_list(facts: BusinessFacts, limit: int = 12) -> str:
    lines = [f"- {service_line(s)}" for s in facts.services[:limit]]
    return "Here are our prices:\n" + "\n".join(lines)


def detect_topics(message: str) -> list[str]:
    return [topic for topic, pattern in TOPIC_PATTERNS.items() if pattern.search(message)]


def _note_for(facts: BusinessFacts, message: str) -> FactNote | None:
    lowered = message.lower()
    for note in facts.notes:
        if any(re.search(rf"\b{re.escape(k.lower())}", lowered) for k in note.keywords):
            return note
    return None


def is_day_follow_up(message: str) -> bool:
    """'and on sunday?', 'what about saturday', 'tomorrow?': a day alone, leaning on the last question."""
    words = _WORD.findall(message.lower())
    return bool(words) and len(words) <= 5 and bool(_DAY_PATTERN.search(message) or _RELATIVE_DAY.search(message)) \
        and not any(TOPIC_PATTERNS[t].search(message) for t in ("prices", "booking", "phone", "email", "address"))


# The menu as a whole ("what's on the menu", "can I see your menu"), not a question about something on
# it ("any vegan dishes on the menu?", "does the menu change with the seasons?"), which retrieval answers.
_WHOLE_MENU: Final = re.compile(
    r"\b(?:what(?:'s|\s+is)\s+(?:on\s+)?(?:the|your)\s+menu|(?:see|send|show|have|get|read|view)\s+(?:me\s+)?(?:the|your|a)\s+menu)"
    r"|^\s*(?:(?:the|your)\s+)?menu\b",
    re.I,
)


def answer_from_facts(
    facts: BusinessFacts, message: str, *, previous_topics: tuple[str, ...] = (), now: datetime | None = None,
) -> FactAnswer | None:
    """A whole answer from the business facts, or None when the facts do not cover the question."""
    topics = detect_topics(message)
    if not topics and is_day_follow_up(message) and "hours" in previous_topics:
        topics = ["hours"]
    note = _note_for(facts, message)
    service = best_service(facts, message) if ({"prices", "services"} & set(topics)) else None
    if note is not None and (service is None or service.price is None):
        return FactAnswer(note.topic, note.text)
    if "prices" in topics or ("services" in topics and facts.services):
        if service is not None and service.price is not None:
            sentence = f"{service.name} is {_money(service.price)}" if not service.price_note else service_line(service)
            extra = f", and takes about {service.duration_minutes} minutes" if service.duration_minutes else ""
            desc = f" {service.description.rstrip('.')}." if service.description else ""
            return FactAnswer("prices", f"{sentence}{extra}.{desc}".replace("..", "."))
        if facts.services and not ({"hours", "phone", "address", "email"} & set(topics)):
            if re.search(r"\b(?:prices|price\s+list|rates|services|how\s+much\s+(?:are|do)\s+(?:your|you))\b", message, re.I) \
                    or _WHOLE_MENU.search(message) or len(_words(message)) <= 2:
                return FactAnswer("prices", price_list(facts))
    answers: list[tuple[str, str]] = []
    if "hours" in topics and facts.hours:
        answers.append(("hours", answer_hours(facts, message, now=now)))
    if "phone" in topics and facts.phone:
        answers.append(("phone", f"You can reach us at {facts.phone}."))
    if "email" in topics and facts.email:
        answers.append(("email", f"Our email is {facts.email}."))
    if "address" in topics and facts.address:
        answers.append(("address", f"We're at {facts.address}."))
    if not answers:
        return None
    return FactAnswer(answers[0][0], " ".join(text for _, text in answers))


def facts_brief(facts: BusinessFacts, limit: int = 12) -> str:
    """Every approved business fact in a few lines: the model's excerpt for composing an answer."""
    lines = []
    if facts.phone:
        lines.append(f"Phone: {facts.phone}")
    if facts.email:
        lines.append(f"Email: {facts.email}")
    if facts.address:
        lines.append(f"Address: {facts.address}")
    if facts.hours:
        lines.append(f"Opening hours ({facts.timezone}): {hours_summary(facts)}")
    if facts.booking_url:
        lines.append(f"Booking link: {facts.booking_url}")
    lines += [f"Service: {service_line(s)}" for s in facts.services[:limit]]
    lines += [f"Note ({n.topic}): {n.text}" for n in facts.notes]
    return "\n".join(lines)
