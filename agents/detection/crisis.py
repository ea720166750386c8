"""Crisis detection (BOT-2): self-harm, suicide, overdose and relapse-in-danger wording.

Recall matters more than precision here: a missed crisis is a person in danger, a false alarm is a
review item. Idioms ("this deal is killer", "dying to try your burger") never match because every
strong pattern needs a self-directed object ("myself", "my life") or a danger word (overdose, pills).

Each matched pattern carries a weight; the message score is the strongest weight plus a little for
each further match. The bot's sensitivity setting moves the thresholds, not the patterns.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

import numpy as np

from agents.detection.labels import CrisisLevel, CrisisSensitivity
from agents.detection.prototypes import CRISIS_PROTOTYPES, prototype_matrix
from agents.embeddings.base import Embedder, FloatMatrix

# (pattern, weight, reason). Weight 1.0 = crisis at every sensitivity.
_STRONG: Final[tuple[tuple[str, float, str], ...]] = (
    (r"\b(?:kill|killing|hurt|hurting|harm|harming|cut|cutting|hang|hanging|shoot|shooting)\s+my\s?self\b", 1.0, "self-harm wording"),
    (r"\b(?:suicide|suicidal|kms)\b", 1.0, "suicide wording"),
    (r"\bend(?:ing)?\s+(?:my\s+(?:own\s+)?life|it\s+all|everything)\b", 1.0, "wants to end their life"),
    (r"\b(?:want|wanna|going|plan|planning|ready|trying)\s+to\s+die\b", 1.0, "wants to die"),
    (r"\bwish\s+i\s+(?:was|were)\s+dead\b|\bbetter\s+off\s+dead\b", 1.0, "wishes to be dead"),
    (r"\b(?:don'?t|do\s+not)\s+want\s+to\s+(?:live|be\s+alive|wake\s+up)\b", 1.0, "does not want to live"),
    (r"\bno\s+(?:reason|point)\s+(?:to|in)\s+(?:live|living|going\s+on)\b|\bnot\s+worth\s+living\b", 1.0, "no reason to live"),
    (r"\b(?:overdos(?:e|ed|ing)|od'?d|od'?ing)\b", 1.0, "overdose"),
    (r"\b(?:took|taken|take|swallowed|popped)\s+(?:way\s+)?too\s+many\b", 1.0, "took too many pills"),
    (r"\b(?:took|swallowed)\s+(?:a\s+(?:whole\s+)?bottle|all\s+(?:of\s+)?my|a\s+bunch\s+of)\b.*\b(?:pills|meds|tablets|xanax|oxy\w*|percs?)\b", 1.0, "took a lot of pills"),
    (r"\b(?:not\s+breathing|unresponsive|won'?t\s+wake\s+up|lips\s+(?:are\s+)?(?:blue|turning\s+blue)|need\s+narcan)\b", 1.0, "medical emergency"),
)
_MODERATE: Final[tuple[tuple[str, float, str], ...]] = (
    (r"\b(?:relapsed|relapsing|relapse|using\s+again|drinking\s+again|high\s+right\s+now|drunk\s+right\s+now|fell\s+off\s+the\s+wagon|back\s+on\s+(?:drugs|meth|heroin|pills|fent\w*|coke|the\s+bottle))\b", 0.5, "relapse"),
    (r"\b(?:cravings?|craving|urge\s+to\s+(?:use|drink)|want\s+to\s+(?:use|drink)\s+so\s+bad)\b", 0.4, "cravings"),
    (r"\b(?:hopeless|worthless|can'?t\s+go\s+on|can'?t\s+take\s+(?:it|this)\s+any\s?more|give\s+up\s+on\s+(?:life|everything)|(?:feel\s+like\s+)?giving\s+up\s+on\s+(?:life|everything|myself)|nobody\s+(?:cares|would\s+miss\s+me)|don'?t\s+want\s+to\s+be\s+here\s+any\s?more)\b", 0.6, "hopelessness"),
    (r"\b(?:panic\s+attack|can'?t\s+stop\s+shaking|withdrawals?|detoxing|dope\s?sick)\b", 0.4, "withdrawal or panic"),
)
# Relapse becomes a crisis when it comes with danger: combined with these, relapse scores 1.0.
_DANGER_WITH_RELAPSE = re.compile(r"\b(?:pills|too\s+much|scared|alone|dying|can'?t\s+breathe|passed\s+out|blacked\s+out)\b", re.I)
_NEGATED = re.compile(r"\b(?:not|never|no\s+longer|isn'?t|wasn'?t|aren'?t)\s+(?:\w+\s+)?$", re.I)
# Talk about the past ("my son overdosed two years ago") is a history, not an emergency.
_PAST_MARKERS = re.compile(r"\b(?:years?\s+ago|months\s+ago|last\s+year|in\s+the\s+past|history\s+of|used\s+to|been\s+clean|sober\s+(?:for|since))\b", re.I)

_COMPILED_STRONG = tuple((re.compile(p, re.I), w, r) for p, w, r in _STRONG)
_COMPILED_MODERATE = tuple((re.compile(p, re.I), w, r) for p, w, r in _MODERATE)

# Score thresholds per sensitivity: (at_risk, crisis). "high" sensitivity flags earlier.
CRISIS_THRESHOLDS: Final[dict[CrisisSensitivity, tuple[float, float]]] = {
    "low": (0.6, 0.95),
    "medium": (0.4, 0.85),
    "high": (0.3, 0.65),
}
# Bot-configured keywords (BOT-2) were chosen by the agency for this client: at_risk at any sensitivity.
CUSTOM_KEYWORD_WEIGHT = 0.65
# MiniLM cosine to the crisis prototypes. Calibrated so food/deal idioms stay well below (≈0.3).
EMBEDDING_CRISIS_SIMILARITY = 0.72
EMBEDDING_AT_RISK_SIMILARITY = 0.60


@dataclass(frozen=True, slots=True)
class CrisisAssessment:
    level: CrisisLevel
    score: float
    reasons: tuple[str, ...]


def _pattern_weights(text: str) -> list[tuple[float, str]]:
    found: list[tuple[float, str]] = []
    historical = _PAST_MARKERS.search(text) is not None
    for pattern, weight, reason in _COMPILED_STRONG:
        for match in pattern.finditer(text):
            if _NEGATED.search(text[: match.start()][-30:]):
                found.append((0.4, f"{reason} (negated)"))
            elif historical:
                found.append((0.45, f"{reason} (in the past)"))
            else:
                found.append((weight, reason))
    for pattern, weight, reason in _COMPILED_MODERATE:
        if pattern.search(text):
            danger = reason == "relapse" and _DANGER_WITH_RELAPSE.search(text) and not historical
            found.append((1.0, "relapse with danger") if danger else (weight, reason))
    return found


def assess_crisis(
    text: str,
    *,
    sensitivity: CrisisSensitivity = "medium",
    custom_keywords: tuple[str, ...] = (),
    embedding: FloatMatrix | None = None,
    embedder: Embedder | None = None,
) -> CrisisAssessment:
    """Crisis level of one visitor message. `embedding` is the message's unit vector if known."""
    weights = _pattern_weights(text)
    lowered = text.lower()
    for keyword in custom_keywords:
        if keyword.strip() and re.search(rf"\b{re.escape(keyword.strip().lower())}\b", lowered):
            weights.append((CUSTOM_KEYWORD_WEIGHT, f"matched crisis keyword '{keyword.strip()}'"))
    if embedding is not None and embedder is not None:
        similarity = float(np.max(prototype_matrix(embedder, CRISIS_PROTOTYPES) @ embedding))
        if similarity >= EMBEDDING_CRISIS_SIMILARITY:
            weights.append((0.9, "close to crisis examples"))
        elif similarity >= EMBEDDING_AT_RISK_SIMILARITY:
            weights.append((0.45, "similar to crisis examples"))
    if not weights:
        return CrisisAssessment("none", 0.0, ())
    ordered = sorted(weights, reverse=True)
    score = min(1.0, ordered[0][0] + 0.1 * (len(ordered) - 1))
    at_risk_threshold, crisis_threshold = CRISIS_THRESHOLDS[sensitivity]
    level: CrisisLevel = "crisis" if score >= crisis_threshold else "at_risk" if score >= at_risk_threshold else "none"
    return CrisisAssessment(level, round(score, 3), tuple(dict.fromkeys(r for _, r in ordered)))
