"""BOT-1: the one typed configuration of a bot, stored as versions (see models.BotConfigVersion).

Everything the engine, the widget and the dashboards need to know about a bot lives here;
industry packs (industry_modes/) only provide starting values.
"""

from __future__ import annotations

import re
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


class BusinessInfo(ConfigModel):
    name: Annotated[str, Field(min_length=1, max_length=120)]
    description: str = ""
    address: str = ""
    phone: str = ""
    email: str = ""
    website: str = ""
    timezone: str = "America/New_York"
    hours: tuple[OpeningHours, ...] = ()


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
    handoff_promise: str = "A team member will contact you within one business day."


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
                              website=details.get("website_url", "")),
        booking_url=details.get("booking_url", ""),
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
