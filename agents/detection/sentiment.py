"""Sentiment (VAL-6) from a small lexicon with negation: cheap, explainable, good enough for trends."""

from __future__ import annotations

from typing import Final

from agents.detection.labels import LeadType, Sentiment
from agents.detection.lexicons import (
    NEGATIVE_WORDS,
    NEGATORS,
    NEUTRALISING_PHRASES,
    POSITIVE_WORDS,
    WORD_PATTERN,
)

# The neutral band: a message commits to positive/negative only at this lexicon score or beyond.
# Calibrated on the dev half of agents/evaluation/sentiment_devset.jsonl (docs/quality.md).
SENTIMENT_COMMIT_MARGIN: Final = 1.0


def classify_sentiment(text: str, *, lead_type: LeadType | None = None,
                       margin: float = SENTIMENT_COMMIT_MARGIN) -> Sentiment:
    cleaned = NEUTRALISING_PHRASES.sub(" ", text.lower())
    words = WORD_PATTERN.findall(cleaned)
    score = 0.0
    for index, word in enumerate(words):
        polarity = 1.0 if word in POSITIVE_WORDS else -1.0 if word in NEGATIVE_WORDS else 0.0
        if polarity == 0.0:
            continue
        # "not great", "wasn't happy": a negator in the previous three words flips the polarity.
        if any(w in NEGATORS for w in words[max(0, index - 3) : index]):
            polarity = -polarity
        score += polarity
    if "!" in text and score != 0.0:
        score *= 1.25
    if lead_type == "complaint":
        score -= 1.0
    # "thanks" alone is politeness, not delight: require a clear margin for positive.
    if score >= margin and not (words and set(words) <= {"thanks", "thank", "you", "so", "much", "ok"}):
        return "positive"
    if score <= -margin:
        return "negative"
    return "neutral"
