"""Lead score hot/warm/cold (ADM-5) with reasons a client can read on the lead card."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from agents.detection.labels import CrisisLevel, LeadScore, LeadType
from agents.detection.lexicons import SOON_PATTERN

HOT_INTENT: Final = 0.65
HOT_INTENT_WITH_CONTACT: Final = 0.5
WARM_INTENT: Final = 0.35

_LEAD_TYPE_REASONS: Final[dict[LeadType, str]] = {
    "appointment": "wants an appointment",
    "service_request": "asked for a service",
    "pricing": "asked about pricing",
    "hours_location": "asked about hours or location",
    "complaint": "has a complaint",
    "general_question": "asked a general question",
    "other": "general chat",
}


@dataclass(frozen=True, slots=True)
class LeadScoring:
    score: LeadScore
    reasons: tuple[str, ...]


def score_lead(
    *,
    text: str,
    lead_type: LeadType,
    buying_intent: float,
    contact_labels: tuple[str, ...],
    crisis_level: CrisisLevel,
) -> LeadScoring:
    reasons: list[str] = []
    if "phone" in contact_labels:
        reasons.append("gave phone number")
    if "email" in contact_labels:
        reasons.append("gave email address")
    if "name" in contact_labels:
        reasons.append("gave their name")
    reasons.append(_LEAD_TYPE_REASONS[lead_type])
    soon = SOON_PATTERN.search(text)
    if soon and lead_type in ("appointment", "service_request"):
        reasons.append(f"wants it soon ({soon.group(0).lower()})")
    reasons.append(f"buying intent {buying_intent:.2f}")
    # A person in crisis is never a sales lead, whatever words they used.
    if crisis_level != "none" or lead_type == "complaint":
        return LeadScoring("cold", tuple(reasons))
    has_reachable_contact = "phone" in contact_labels or "email" in contact_labels
    if buying_intent >= HOT_INTENT or (has_reachable_contact and buying_intent >= HOT_INTENT_WITH_CONTACT):
        return LeadScoring("hot", tuple(reasons))
    if buying_intent >= WARM_INTENT or has_reachable_contact:
        return LeadScoring("warm", tuple(reasons))
    return LeadScoring("cold", tuple(reasons))
