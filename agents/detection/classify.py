"""One entry point for message classification: the code path the live bot uses offline."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from agents.detection.contacts import ContactSpan, find_contacts
from agents.detection.crisis import CrisisAssessment, assess_crisis
from agents.detection.intent import IntentRule, classify_lead_type, estimate_buying_intent
from agents.detection.labels import CrisisLevel, CrisisSensitivity, LeadScore, LeadType, Sentiment
from agents.detection.lead_scoring import LeadScoring, score_lead
from agents.detection.sentiment import classify_sentiment
from agents.embeddings.base import Embedder, FloatMatrix


@dataclass(frozen=True, slots=True)
class Classification:
    lead_type: LeadType
    buying_intent: float
    lead_score: LeadScore
    sentiment: Sentiment
    crisis_level: CrisisLevel
    contacts: tuple[ContactSpan, ...]

    def to_record(self) -> dict[str, Any]:
        """The exact JSON shape of the evaluation CLI and exports."""
        return {
            "lead_type": self.lead_type,
            "buying_intent": self.buying_intent,
            "lead_score": self.lead_score,
            "sentiment": self.sentiment,
            "crisis_level": self.crisis_level,
            "contacts": [{"label": c.label, "text": c.text, "start": c.start, "end": c.end} for c in self.contacts],
        }


@dataclass(frozen=True, slots=True)
class Detection:
    """Everything the conversation graph learns about one message, with the why."""

    classification: Classification
    lead_scoring: LeadScoring
    crisis: CrisisAssessment
    buying_intent_reasons: tuple[str, ...]


def detect_message(
    text: str,
    *,
    embedder: Embedder | None,
    embedding: FloatMatrix | None = None,
    intents: tuple[IntentRule, ...] = (),
    crisis_keywords: tuple[str, ...] = (),
    crisis_sensitivity: CrisisSensitivity = "medium",
) -> Detection:
    """Classify `text`. Pass `embedding` when the caller already embedded it (saves a forward pass)."""
    if embedding is None and embedder is not None:
        embedding = embedder.embed([text])[0]
    contacts = tuple(find_contacts(text))
    crisis = assess_crisis(
        text, sensitivity=crisis_sensitivity, custom_keywords=crisis_keywords, embedding=embedding, embedder=embedder
    )
    lead_type = classify_lead_type(text, embedding=embedding, embedder=embedder, intents=intents)
    if crisis.level == "crisis":
        lead_type = "other"  # a person in crisis is not asking for a service, whatever the words
    intent = estimate_buying_intent(
        text, lead_type=lead_type, has_contact=bool(contacts), embedding=embedding, embedder=embedder
    )
    buying_intent = 0.0 if crisis.level == "crisis" else intent.value
    scoring = score_lead(
        text=text,
        lead_type=lead_type,
        buying_intent=buying_intent,
        contact_labels=tuple(c.label for c in contacts),
        crisis_level=crisis.level,
    )
    sentiment = "negative" if crisis.level != "none" else classify_sentiment(text, lead_type=lead_type)
    classification = Classification(
        lead_type=lead_type,
        buying_intent=buying_intent,
        lead_score=scoring.score,
        sentiment=sentiment,
        crisis_level=crisis.level,
        contacts=contacts,
    )
    return Detection(classification, scoring, crisis, intent.reasons)


def classify_text(
    text: str,
    *,
    embedder: Embedder | None,
    intents: tuple[IntentRule, ...] = (),
    crisis_keywords: tuple[str, ...] = (),
    crisis_sensitivity: CrisisSensitivity = "medium",
) -> Classification:
    """Lead type, buying intent, lead score, sentiment, crisis level and contacts of one message.

    `embedder=None` runs lexicons and rules only (no semantic similarity); pass a `MiniLMEmbedder`
    for the full offline classifier.
    """
    return detect_message(
        text,
        embedder=embedder,
        intents=intents,
        crisis_keywords=crisis_keywords,
        crisis_sensitivity=crisis_sensitivity,
    ).classification
