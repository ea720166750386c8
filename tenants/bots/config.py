"""BOT-1: the one typed configuration of a bot, stored as versions (see models.BotConfigVersion).

Everything the engine, the widget and the dashboards need to know about a bot lives here;
industry packs (industry_modes/) only provide starting values.
"""

from __future__ import annotations

import datetime
import re
import zoneinfo
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

CONFIG_SCHEMA_VERSION = 1
LeadType = Literal["service_request", "appointment", "pricing", "hours_location", "complaint",
                   "general_question", "other"]
_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")
_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


class ConfigModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class OpeningHours(ConfigModel):
    weekday: Annotated[int, Field(ge=0, le=6)]  # 0 = Monday
    opens: str
    closes: str

    @field_validator("opens", "closes")
    @classmethod
    def _hhmm(cls, value: str) -> str:
        if not _HHMM.fullmatch(value):
            raise ValueError("use 24-hour HH:MM, e.g. 09:00")
        return value


class HolidayException(ConfigModel):
    """A date with other hours than its weekday (or closed: no opens/closes)."""

    date: datetime.date
    name: Annotated[str, Field(max_length=80)] = "Holiday"
    opens: str | None = None
    closes: str | None = None

    @field_validator("opens", "closes")
    @classmethod
    def _hhmm(cls, value: str | None) -> str | None:
        if value is not None and not _HHMM.fullmatch(value):
            raise ValueError("use 24-hour HH:MM, e.g. 09:00")
        return value


class ServiceItem(ConfigModel):
    """BOT-1: one service or product the bot can quote."""

    name: Annotated[str, Field(min_length=1, max_length=120)]
    price: Annotated[float, Field(ge=0)] | None = None
    price_note: Annotated[str, Field(max_length=20)] = ""  # "from", "per month"
    duration_minutes: Annotated[int, Field(ge=1, le=24 * 60)] | None = None
    description: Annotated[str, Field(max_length=500)] = ""


class FactNoteConfig(ConfigModel):
    """A short business fact with the words visitors use for it ("parking": park, parking)."""

    topic: Annotated[str, Field(min_length=1, max_length=60)]
    keywords: tuple[str, ...]
    text: Annotated[str, Field(min_length=1, max_length=1000)]


class BusinessInfo(ConfigModel):
    name: Annotated[str, Field(min_length=1, max_length=120)]
    description: str = ""
    address: str = ""
    phone: str = ""
    email: str = ""
    website: str = ""
    timezone: str = "America/New_York"
    hours: tuple[OpeningHours, ...] = ()
    holidays: tuple[HolidayException, ...] = ()
    services: tuple[ServiceItem, ...] = ()
    notes: tuple[FactNoteConfig, ...] = ()

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise ValueError("use a time zone name such as America/New_York") from None
        return value


def missing_business_facts(business: BusinessInfo) -> list[str]:
    """BOT-1/BOT-5: what must be filled in before a bot may be published."""
    missing = []
    if not business.hours:
        missing.append("opening hours")
    if not (business.phone or business.email):
        missing.append("a phone number or email")
    return missing


class WidgetLook(ConfigModel):
    theme: Literal["light", "dark", "coastal"] = "coastal"
    bubble_color: str = "#0ea5b7"
    welcome_message: Annotated[str, Field(max_length=500)] = "Hi! How can I help you today?"
    avatar_url: str = ""

    @field_validator("bubble_color")
    @classmethod
    def _hex(cls, value: str) -> str:
        if not _HEX.fullmatch(value):
            raise ValueError("use a hex colour like #0ea5b7")
        return value.lower()


class ContactRouting(ConfigModel):
    owner_phone: str = ""
    owner_email: str = ""
    sms_on_new_lead: bool = False
    email_on_handoff: bool = True
    # No longer read: what a visitor is promised comes from the opening hours (tenants.bots.availability).
    # Kept so stored config versions that carry it still load.
    handoff_promise: str = ""


class IntentConfig(ConfigModel):
    name: str
    lead_type: LeadType
    keywords: tuple[str, ...] = ()


class TriggerConfig(ConfigModel):
    key: str
    phrases: tuple[str, ...]
    action: str
    reply: str = ""


class QuickReplyConfig(ConfigModel):
    label: Annotated[str, Field(max_length=40)]
    message: str | None = None
    action: str | None = None


class CrisisResourceConfig(ConfigModel):
    name: str
    contact: str
    available: str = ""


class CrisisConfig(ConfigModel):
    enabled: bool = True
    sensitivity: Literal["low", "medium", "high"] = "medium"
    keywords: tuple[str, ...] = ()
    script: str = ""
    resources: tuple[CrisisResourceConfig, ...] = (
        CrisisResourceConfig(name="988 Suicide & Crisis Lifeline", contact="Call or text 988", available="24/7"),
        CrisisResourceConfig(name="Emergency services", contact="Call 911", available="24/7"),
    )
    alert_owner: bool = True
    # BOT-2: who the crisis alert names (emails or phone numbers); the owner too when alert_owner.
    alert_recipients: tuple[str, ...] = ()
    # The supportive reply to at-risk messages; empty uses the built-in one (SAMHSA, 988, a person).
    at_risk_script: str = ""


class DragonModeConfig(ConfigModel):
    enabled: bool = False
    style_notes: tuple[str, ...] = ()


class PersonaConfig(ConfigModel):
    name: str = "Assistant"
    tone: str = "friendly and concise"
    avoid_phrases: tuple[str, ...] = ()


class BotConfig(ConfigModel):
    schema_version: int = CONFIG_SCHEMA_VERSION
    industry_mode: str = ""
    persona: PersonaConfig = PersonaConfig()
    business: BusinessInfo
    booking_url: str = ""
    # The pack's other links for this client (menu_url, ordering_url, doordash_url, listings_url, ...).
    links: dict[str, str] = {}
    widget: WidgetLook = WidgetLook()
    routing: ContactRouting = ContactRouting()
    intents: tuple[IntentConfig, ...] = ()
    triggers: tuple[TriggerConfig, ...] = ()
    quick_replies: tuple[QuickReplyConfig, ...] = ()
    lead_fields: tuple[str, ...] = ("name", "phone", "email")
    crisis: CrisisConfig = CrisisConfig()
    dragon_mode: DragonModeConfig = DragonModeConfig()
    fallback_message: str = (
        "I'm not sure about that one. Leave your name and phone number or email and we'll get back to you."
    )
    paused_message: str = "Our chat assistant is taking a short break. Please call us or try again later."
    over_limit_message: str = "Our chat assistant is unavailable right now. Please call us or try again later."


_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")
# Said in place of a business detail the agency has not entered yet; the bot is then marked
# needs_update (BOT-5) until the real details are in.
_FALLBACK_TEXT = {"business_phone": "our team", "business_email": "our team", "business_address": "our location",
                  "agent_name": "our agent"}


def missing_details(pack: object, details: dict[str, str]) -> list[str]:
    # Lazy: industry_modes parses its YAML packs on first import (decision 0013).
    from industry_modes import pack_placeholders

    return sorted(name for name in pack_placeholders(pack) if not details.get(name))  # type: ignore[arg-type]


def fill_placeholders(text: str, details: dict[str, str]) -> str:
    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if details.get(name):
            return details[name]
        return _FALLBACK_TEXT.get(name, "our website" if name.endswith("_url") else match.group(0))

    return _PLACEHOLDER.sub(value, text)


def bot_config_from_pack(pack: object, *, business_name: str, details: dict[str, str] | None = None) -> BotConfig:
    """Starting configuration for a bot from an industry pack (industry_modes.IndustryPack).

    `details` fills the pack's placeholders ({business_phone}, {booking_url}, …).
    """
    # Lazy: industry_modes parses its YAML packs on first import (decision 0013).
    from industry_modes import IndustryPack

    assert isinstance(pack, IndustryPack)
    details = {"business_name": business_name, **(details or {})}
    lead_fields = tuple(f for f in pack.lead_capture.fields if f in ("name", "phone", "email")) or (
        "name", "phone", "email")
    return BotConfig(
        industry_mode=pack.key,
        persona=PersonaConfig(
            name=pack.persona.name, tone=pack.persona.tone,
            avoid_phrases=tuple(rule.avoid for rule in pack.persona.safe_wording),
        ),
        business=BusinessInfo(name=business_name, phone=details.get("business_phone", ""),
                              email=details.get("business_email", ""), address=details.get("business_address", ""),
                              website=details.get("website_url", ""), services=pack_services(pack),
                              hours=parse_hours_detail(details.get("business_hours", ""))),
        booking_url=details.get("booking_url", ""),
        links={k: v for k, v in details.items() if k.endswith("_url") and k not in ("booking_url", "website_url") and v}
        | ({"agent_name": details["agent_name"]} if details.get("agent_name") else {}),
        widget=WidgetLook(welcome_message=fill_placeholders(pack.persona.greeting, details)[:500]),
        intents=tuple(IntentConfig(name=i.name, lead_type=i.lead_type, keywords=tuple(i.keywords))
                      for i in pack.intents),
        triggers=tuple(TriggerConfig(key=t.key, phrases=tuple(t.phrases), action=t.action, reply=fill_placeholders(t.reply, details))
                       for t in pack.triggers),
        quick_replies=tuple(QuickReplyConfig(label=q.label, message=fill_placeholders(q.message, details) if q.message else None,
                                             action=q.action)
                            for q in pack.quick_replies),
        lead_fields=lead_fields,
        crisis=CrisisConfig(
            enabled=pack.crisis.enabled, sensitivity=pack.crisis.sensitivity, keywords=tuple(pack.crisis.keywords),
            script=fill_placeholders(pack.crisis.script, details),
            resources=tuple(CrisisResourceConfig(name=r.name, contact=r.contact, available=r.available)
                            for r in pack.crisis.resources),
            alert_owner=pack.crisis.alert_owner,
        ),
        dragon_mode=DragonModeConfig(enabled=pack.dragon_mode.enabled, style_notes=tuple(pack.dragon_mode.style_notes)),
        fallback_message=fill_placeholders(pack.fallback_message, details),
        paused_message=fill_placeholders(pack.paused_message, details),
        over_limit_message=fill_placeholders(pack.paused_message, details),
    )


def pack_services(pack: object) -> tuple[ServiceItem, ...]:
    """IND-*: the priced items of a pack's structured data (styles, memberships, menu items) as
    starting services the admin can edit."""
    section = pack.industry.model_dump(mode="json")  # type: ignore[attr-defined]
    items: list[ServiceItem] = []
    for style in section.get("styles") or []:
        items.append(ServiceItem(name=style["name"], price=float(style["price"]),
                                 price_note="from" if style.get("price_is_starting") else "",
                                 duration_minutes=style.get("duration_minutes"),
                                 description=style.get("description") or ""))
    for plan in section.get("memberships") or []:
        items.append(ServiceItem(name=f"{plan['name']} membership", price=float(plan["monthly_price"]),
                                 price_note="per month", description=", ".join(plan.get("perks") or [])[:500]))
    for menu in section.get("menu_sections") or []:
        for item in menu.get("items") or []:
            if item.get("price") is not None:
                items.append(ServiceItem(name=item["name"], price=float(item["price"]),
                                         description=item.get("description") or ""))
    return tuple(items)


_DAY_KEYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_RANGE = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-4]):([0-5]\d)$")


def parse_day_hours(day: str, value: str) -> tuple[OpeningHours, ...]:
    """One weekday's hours written "HH:MM-HH:MM" (or several, comma separated), or "closed"."""
    if day not in _DAY_KEYS:
        raise ValueError(f"unknown day {day!r}: use one of {', '.join(_DAY_KEYS)}")
    value = value.strip().lower()
    if value == "closed":
        return ()
    spans = []
    for part in value.split(","):
        match = _RANGE.fullmatch(part.strip().replace(" ", ""))
        if match is None:
            raise ValueError(f"{day}: {part.strip()!r} is not HH:MM-HH:MM or 'closed'")
        opens, closes = f"{match.group(1)}:{match.group(2)}", f"{match.group(3)}:{match.group(4)}"
        if closes == "24:00":
            closes = "23:59"
        if closes <= opens:
            raise ValueError(f"{day}: closing time {closes} must be after opening time {opens}")
        spans.append(OpeningHours(weekday=_DAY_KEYS.index(day), opens=opens, closes=closes))
    return tuple(spans)


def parse_hours_detail(text: str) -> tuple[OpeningHours, ...]:
    """A compact week: "mon-fri 09:00-17:00; sat 10:00-14:00; sun closed"."""
    hours: list[OpeningHours] = []
    for part in filter(None, (p.strip() for p in text.split(";"))):
        days, _, span = part.partition(" ")
        first, _, last = days.lower().partition("-")
        last = last or first
        if first not in _DAY_KEYS or last not in _DAY_KEYS:
            raise ValueError(f"{part!r}: start with a day or day range like mon-fri")
        for index in range(_DAY_KEYS.index(first), _DAY_KEYS.index(last) + 1):
            hours.extend(parse_day_hours(_DAY_KEYS[index], span))
    return tuple(hours)
