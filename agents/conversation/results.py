"""What one visitor turn produced. The caller (a Django service) persists these effects."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from agents.conversation.ports import TokenUsage
from agents.detection.classify import Classification
from agents.detection.contacts import ContactLabel
from agents.detection.labels import LeadScore, LeadType

# "canned": greetings, thanks and "we got your details" get a fixed reply: they are not unanswered
# questions, so no fallback and no review item.
AnsweredBy = Literal["model", "extractive", "approved_faq", "crisis_script", "at_risk_script", "fallback", "canned",
                     "facts", "action", "did_you_mean"]
ReviewKind = Literal["unknown_question", "crisis", "fallback"]


@dataclass(frozen=True, slots=True)
class ReviewItem:
    kind: ReviewKind
    reason: str


@dataclass(frozen=True, slots=True)
class ContactDetail:
    label: ContactLabel
    value: str  # E.164 for phones, lower-case address for emails, the name as written
    text: str  # exactly as the visitor typed it


@dataclass(frozen=True, slots=True)
class LeadEffect:
    contacts: tuple[ContactDetail, ...]
    lead_type: LeadType
    score: LeadScore
    score_reasons: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class CrisisAlert:
    """BOT-2: an alert event for staff; the notifications service delivers it."""

    level: str  # "crisis" | "at_risk"
    reasons: tuple[str, ...]
    recipients: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class DetectionSummary:
    classification: Classification
    lead_score_reasons: tuple[str, ...]
    crisis_reasons: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class TurnResult:
    reply: str
    answered_by: AnsweredBy
    is_fallback: bool
    is_crisis: bool
    detection: DetectionSummary
    lead: LeadEffect | None
    review_items: tuple[ReviewItem, ...]
    asked_for_contact: bool
    citations: tuple[str, ...]
    model_ms: float
    total_ms: float
    usage: TokenUsage
    alert: CrisisAlert | None = None
    handoff_offered: bool = False
    # "Did you mean …?": the FAQ questions offered as quick replies.
    suggestions: tuple[str, ...] = ()
