"""Message detection: contacts (ADM-6), lead type (ADM-8), buying intent (ADM-7), lead score (ADM-5),
sentiment (VAL-6) and crisis level (BOT-2)."""

from agents.detection.classify import Classification, Detection, classify_text, detect_message
from agents.detection.contacts import ContactSpan, find_contacts
from agents.detection.crisis import CrisisAssessment, assess_crisis
from agents.detection.intent import IntentRule
from agents.detection.labels import (
    CrisisLevel,
    CrisisSensitivity,
    IndustryMode,
    LeadScore,
    LeadType,
    Sentiment,
)
from agents.detection.lead_scoring import LeadScoring, score_lead

__all__ = [
    "Classification",
    "ContactSpan",
    "CrisisAssessment",
    "CrisisLevel",
    "CrisisSensitivity",
    "Detection",
    "IndustryMode",
    "IntentRule",
    "LeadScore",
    "LeadScoring",
    "LeadType",
    "Sentiment",
    "assess_crisis",
    "classify_text",
    "detect_message",
    "find_contacts",
    "score_lead",
]
