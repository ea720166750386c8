"""Lead type (ADM-8) and buying intent (ADM-7) from lexicons, bot intents and embeddings."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from typing import Final

from agents.detection.labels import LEAD_TYPES, LeadType
from agents.detection.lexicons import BUYING_SIGNAL_PATTERNS, LEAD_TYPE_LEXICON
from agents.detection.prototypes import intent_similarity_gap, lead_type_similarities
from agents.embeddings.base import Embedder, FloatMatrix


@dataclass(frozen=True, slots=True)
class IntentRule:
    """A bot intent configured by the agency (BOT-3): keywords that mean a given lead type."""

    name: str
    lead_type: LeadType
    keywords: tuple[str, ...] = field(default_factory=tuple)


# A configured intent keyword is the agency telling us what a phrase means for this client.
INTENT_KEYWORD_WEIGHT: Final = 0.35
# Below this best prototype similarity and without lexicon evidence, the message is "other".
MIN_LEAD_TYPE_SIMILARITY: Final = 0.30
# Base buying intent per lead type: someone booking is closer to buying than someone complaining.
LEAD_TYPE_INTENT_PRIOR: Final[dict[LeadType, float]] = {
    "appointment": 0.5,
    "service_request": 0.45,
    "pricing": 0.35,
    "hours_location": 0.2,
    "general_question": 0.15,
    "complaint": 0.05,
    "other": 0.05,
}

_COMPILED_LEXICON = {
    label: tuple((re.compile(pattern, re.I), weight) for pattern, weight in rules)
    for label, rules in LEAD_TYPE_LEXICON.items()
}
_COMPILED_BUYING = tuple((re.compile(p, re.I), w, r) for p, w, r in BUYING_SIGNAL_PATTERNS)


def lexicon_scores(text: str, intents: tuple[IntentRule, ...] = ()) -> dict[LeadType, float]:
    scores: dict[LeadType, float] = dict.fromkeys(LEAD_TYPES, 0.0)
    for label, rules in _COMPILED_LEXICON.items():
        for pattern, weight in rules:
            hits = len(pattern.findall(text))
            # Repeated words add a little, but one message full of "price" is still one signal.
            scores[label] += weight * min(hits, 2) if hits else 0.0
    lowered = text.lower()
    for rule in intents:
        keywords = _keywords_pattern(rule.keywords)
        if keywords is not None and keywords.search(lowered):
            scores[rule.lead_type] += INTENT_KEYWORD_WEIGHT
    return scores


@functools.lru_cache(maxsize=4096)
def _keywords_pattern(keywords: tuple[str, ...]) -> re.Pattern[str] | None:
    """One compiled alternation per intent's keywords (whole words, lower case); None when it has none."""
    words = [re.escape(k.strip().lower()) for k in keywords if k.strip()]
    return re.compile(r"\b(?:" + "|".join(words) + r")\b") if words else None


def classify_lead_type(
    text: str,
    *,
    embedding: FloatMatrix | None,
    embedder: Embedder | None,
    intents: tuple[IntentRule, ...] = (),
) -> LeadType:
    lexical = lexicon_scores(text, intents)
    similarities = (
        lead_type_similarities(embedder, embedding)
        if embedding is not None and embedder is not None
        else dict.fromkeys(LEAD_TYPES, 0.0)
    )
    combined = {label: similarities[label] + lexical[label] for label in LEAD_TYPES}
    best = max(LEAD_TYPES, key=lambda label: combined[label])
    if max(similarities.values()) < MIN_LEAD_TYPE_SIMILARITY and max(lexical.values()) == 0.0:
        return "other"
    return best


@dataclass(frozen=True, slots=True)
class BuyingIntent:
    value: float
    reasons: tuple[str, ...]


def estimate_buying_intent(
    text: str,
    *,
    lead_type: LeadType,
    has_contact: bool,
    embedding: FloatMatrix | None,
    embedder: Embedder | None,
) -> BuyingIntent:
    value = LEAD_TYPE_INTENT_PRIOR[lead_type]
    reasons: list[str] = []
    for pattern, weight, reason in _COMPILED_BUYING:
        if pattern.search(text):
            value += weight
            reasons.append(reason)
    if has_contact:
        value += 0.2
        reasons.append("shared contact details")
    if embedding is not None and embedder is not None:
        # The gap is small in practice (±0.3); scaled so it nudges rather than decides.
        value += 0.5 * intent_similarity_gap(embedder, embedding)
    return BuyingIntent(round(min(1.0, max(0.0, value)), 3), tuple(reasons))
