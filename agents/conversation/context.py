"""Per-run facts about the client and bot (BOT-1/BOT-2 settings). Passed to the graph as its
runtime context, never stored in graph state: state is what the graph learns, context is given."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from agents.conversation.facts import BusinessFacts
from agents.detection.contacts import ContactLabel
from agents.detection.intent import IntentRule
from agents.detection.labels import CrisisSensitivity, IndustryMode

DEFAULT_FALLBACK_MESSAGE: Final = (
    "I'm not sure about that one. Leave your name and phone number or email and a team member will get back to you."
)


@dataclass(frozen=True, slots=True)
class CrisisResource:
    name: str
    contact: str


@dataclass(frozen=True, slots=True)
class CrisisSettings:
    keywords: tuple[str, ...] = ()
    sensitivity: CrisisSensitivity = "medium"
    # Empty script: the graph uses a safe default that always names 988 and 911.
    script: str = ""
    resources: tuple[CrisisResource, ...] = ()
    # The supportive reply for `at_risk` messages; empty uses the safe default in prompts.py.
    at_risk_script: str = ""
    # Who the alert event names (owner phone/email, staff); delivery is the notifications' job.
    alert_recipients: tuple[str, ...] = ()
    alert_owner: bool = True


@dataclass(frozen=True, slots=True)
class QuickReply:
    label: str
    message: str | None = None
    action: str | None = None


@dataclass(frozen=True, slots=True)
class Trigger:
    key: str
    phrases: tuple[str, ...]
    action: str
    reply: str = ""


@dataclass(frozen=True, slots=True)
class BotRunContext:
    client_slug: str
    bot_id: str
    business_name: str
    persona: str = ""
    booking_url: str | None = None
    fallback_message: str = DEFAULT_FALLBACK_MESSAGE
    crisis: CrisisSettings = field(default_factory=CrisisSettings)
    dragon_mode_enabled: bool = False
    intents: tuple[IntentRule, ...] = ()
    industry_mode: IndustryMode | None = None
    lead_fields_wanted: tuple[ContactLabel, ...] = ("name", "phone", "email")
    # Facts about this conversation that the caller keeps between turns.
    contact_known: bool = False
    already_asked_for_contact: bool = False
    retrieval_k: int = 5
    # BOT-1: the business's own facts, and the pack's structured data its actions read (IND-1..6).
    facts: BusinessFacts = field(default_factory=BusinessFacts)
    pack_data: Mapping[str, Any] = field(default_factory=dict)
    quick_replies: tuple[QuickReply, ...] = ()
    triggers: tuple[Trigger, ...] = ()
    dragon_style_notes: tuple[str, ...] = ()
