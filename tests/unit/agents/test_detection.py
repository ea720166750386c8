from __future__ import annotations

import pytest

from agents.detection import assess_crisis, classify_text, score_lead
from agents.embeddings import Embedder


@pytest.mark.parametrize(
    "text",
    [
        "I want to kill myself",
        "I relapsed and took too many pills",
        "I think my roommate overdosed, he's not breathing",
        "i don't want to live anymore",
        "I've been thinking about ending my life",
        "everyone would be better off if I was dead, I wish I were dead",
    ],
)
def test_crisis_messages_are_flagged_as_crisis(text: str, embedder: Embedder) -> None:
    assert classify_text(text, embedder=embedder).crisis_level == "crisis"


@pytest.mark.parametrize(
    "text",
    [
        "this deal is killer",
        "I'm dying to try your burger",
        "your wings are to die for",
        "my feet are killing me after leg day",
        "I'm going to kill it at the gym today",
        "these prices are murder lol",
        "Can I get a room for my son?",
    ],
)
def test_idioms_are_not_crisis(text: str, embedder: Embedder) -> None:
    assert classify_text(text, embedder=embedder).crisis_level == "none"


def test_relapse_without_danger_is_at_risk_and_with_danger_is_crisis() -> None:
    assert assess_crisis("I relapsed last weekend").level == "at_risk"
    assert assess_crisis("I relapsed and I'm alone and scared").level == "crisis"


def test_sensitivity_moves_thresholds_not_patterns() -> None:
    cravings = "the cravings are bad tonight"  # weight 0.4
    assert assess_crisis(cravings, sensitivity="low").level == "none"
    assert assess_crisis(cravings, sensitivity="medium").level == "at_risk"
    assert assess_crisis("I relapsed and the cravings won't stop", sensitivity="high").level == "at_risk"
    assert assess_crisis("I relapsed and the cravings won't stop", sensitivity="medium").level == "at_risk"
    assert assess_crisis("I feel hopeless and the cravings won't stop", sensitivity="high").level == "crisis"
    assert assess_crisis("I feel hopeless and the cravings won't stop", sensitivity="medium").level == "at_risk"


def test_custom_crisis_keywords_from_bot_settings() -> None:
    assert assess_crisis("I'm in withdrawl again", custom_keywords=("withdrawl",)).level == "at_risk"
    assert assess_crisis("I'm in withdrawl again").level == "none"


def test_classify_text_booking_with_contact(embedder: Embedder) -> None:
    result = classify_text("Can I book a haircut for tomorrow at 3pm? My name is Dana, 415-555-0132", embedder=embedder)
    record = result.to_record()
    assert record["lead_type"] == "appointment"
    assert record["lead_score"] == "hot"
    assert record["sentiment"] == "neutral"
    assert record["crisis_level"] == "none"
    assert record["contacts"] == [
        {"label": "name", "text": "Dana", "start": 53, "end": 57},
        {"label": "phone", "text": "415-555-0132", "start": 59, "end": 71},
    ]
    assert set(record) == {"lead_type", "buying_intent", "lead_score", "sentiment", "crisis_level", "contacts"}
    assert 0.9 <= record["buying_intent"] <= 1.0


@pytest.mark.parametrize(
    ("text", "lead_type", "sentiment"),
    [
        ("How much is a fade?", "pricing", "neutral"),
        ("What time do you close on Sunday?", "hours_location", "neutral"),
        ("My car was supposed to be ready yesterday and nobody called me. Terrible.", "complaint", "negative"),
        ("Thanks so much, the food was amazing!", "other", "positive"),
        ("Do you allow pets in the apartment?", "general_question", "neutral"),
    ],
)
def test_classify_text_lead_type_and_sentiment(text: str, lead_type: str, sentiment: str, embedder: Embedder) -> None:
    result = classify_text(text, embedder=embedder)
    assert (result.lead_type, result.sentiment) == (lead_type, sentiment)


def test_crisis_is_never_a_hot_lead(embedder: Embedder) -> None:
    result = classify_text("I want to book a room today, I took too many pills", embedder=embedder)
    assert (result.crisis_level, result.lead_score, result.buying_intent) == ("crisis", "cold", 0.0)


def test_lead_score_reasons_are_readable() -> None:
    scoring = score_lead(
        text="can I come in this week?",
        lead_type="appointment",
        buying_intent=0.8,
        contact_labels=("phone",),
        crisis_level="none",
    )
    assert scoring.score == "hot"
    assert scoring.reasons == ("gave phone number", "wants an appointment", "wants it soon (this week)", "buying intent 0.80")
