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
    (r"\b(?:kill|killing|hurt|hurting|harm|harming|cut|cutting|hang|hanging|shoot|shooting|burn|burning|starve|starving)\s+my\s?self\b", 1.0, "self-harm wording"),
    (r"\b(?:suicide|suicidal|kms|unalive\s+my\s?self)\b", 1.0, "suicide wording"),
    (r"\bend(?:ing)?\s+(?:my\s+(?:own\s+)?life|it\s+all|everything|things)\b", 1.0, "wants to end their life"),
    # "thinking about ending it", "I'm going to end it tonight": "it" with a first-person plan.
    (r"\b(?:think|thinking|thought|thoughts|plan|planning|going|gonna|want|wanna|ready|decided|about)\s+(?:about\s+|of\s+|to\s+)?end(?:ing)?\s+it\b(?!\s+(?:with|between))", 1.0, "wants to end it"),
    (r"\b(?:want|wanna|going|plan|planning|ready|trying)\s+to\s+die\b", 1.0, "wants to die"),
    (r"\bwish\s+i\s+(?:was|were|could\s+be)\s+dead\b|\bbetter\s+off\s+(?:dead|without\s+me)\b|\bwish\s+i\s+(?:could\s+)?(?:disappear|never\s+wake\s+up|wasn'?t\s+(?:here|alive|born))\b", 1.0, "wishes to be dead"),
    (r"\b(?:don'?t|do\s+not|dont)\s+want\s+to\s+(?:live|be\s+alive|wake\s+up|exist|be\s+here\s+any\s?more)\b", 1.0, "does not want to live"),
    # Indirect intent: "not sure I want to be here tomorrow", "won't be around much longer".
    (r"\bnot\s+sure\s+(?:i|if\s+i)\s+(?:want|wanna)\s+to\s+(?:be\s+(?:here|alive|around)|live|wake\s+up)\b", 1.0, "unsure they want to live"),
    (r"\b(?:won'?t|will\s+not|might\s+not|may\s+not)\s+be\s+(?:here|around|alive)\s+(?:tomorrow|much\s+longer|anymore|by\s+\w+)\b", 1.0, "says they will not be here"),
    (r"\b(?:goodbye|suicide)\s+(?:note|letter)\b|\b(?:said|saying|say)\s+(?:my\s+)?goodbyes?\s+to\s+(?:everyone|my\s+(?:family|kids))\b|\bgiving\s+away\s+(?:all\s+)?my\s+(?:stuff|things)\b", 1.0, "saying goodbye"),
    (r"\bno\s+(?:reason|point)\s+(?:to|in)\s+(?:live|living|going\s+on|being\s+here)\b|\bnot\s+worth\s+living\b|\b(?:can'?t|don'?t)\s+see\s+(?:the|any)\s+point\s+(?:any\s?more|in\s+(?:anything|living|going\s+on))\b", 1.0, "no reason to live"),
    (r"\b(?:pills|gun|rope|razor|blade|bottle\s+of\s+\w+)\s+(?:is\s+|are\s+)?(?:in\s+front\s+of\s+me|in\s+my\s+hand|next\s+to\s+me|ready)\b|\b(?:stockpil\w+|saving\s+up)\s+(?:my\s+)?(?:pills|meds)\b", 1.0, "has the means at hand"),
    # Means plus a self-directed plan without the word "kill": "I bought a gun and I'm going to use it
    # on myself", "going to turn it on myself".
    (r"\b(?:use|turn|point|aim)\s+(?:it|them|that|this|the\s+\w+)\s+(?:on|at)\s+my\s?self\b", 1.0, "means turned on themselves"),
    (r"\b(?:jump|jumping)\s+(?:off|from|in\s+front\s+of)\s+(?:a|the|this|that)\s+(?:bridge|building|roof|cliff|overpass|train|car|truck)\b", 1.0, "plans to jump"),
    (r"\b(?:would\s+it\s+take|does\s+it\s+take|it\s+takes|takes|enough)\s+to\s+(?:die|not\s+wake\s+up|kill\s+(?:me|a\s+person|someone))\b|\b(?:painless|easiest|quickest|best)\s+ways?\s+to\s+(?:die|go)\b|\blooking\s+up\s+(?:how|ways)\s+to\s+die\b", 1.0, "researching a method"),
    (r"\b(?:go\s+to\s+sleep|fall\s+asleep)\s+and\s+(?:never|not)\s+wake\s+up\b|\b(?:don'?t|do\s+not)\s+plan\s+(?:on|to)\s+(?:be(?:ing)?\s+)?(?:here|around|alive)\b|\bmy\s+last\s+(?:night|day)\s+(?:alive|on\s+earth)\b|\bthis\s+is\s+my\s+(?:last\s+message|goodbye)\b", 1.0, "plans not to be alive"),
    (r"\bi(?:'ve|\s+have|\s+just|\s+finally|\s+went\s+and)?\s+(?:bought|got|have|found|loaded)\s+(?:a|the|my|my\s+\w+'?s?)\s+(?:gun|rope|noose|pistol)\b(?!\s+(?:climb|course|wall|swing|show|range|class|license|permit|safe)).*\b(?:tonight|going\s+to|gonna|do\s+with\s+it|when\s+(?:everyone|nobody)|ready|for\s+me)\b", 1.0, "has the means and a plan"),
    (r"\b(?:overdos(?:e|ed|ing)|od'?d|od'?ing)\b", 1.0, "overdose"),
    (r"\b(?:took|taken|take|swallowed|popped|used|shot\s+up|snorted)\s+(?:way\s+|far\s+|a\s+lot\s+|a\s+little\s+)?too\s+(?:many|much)\b(?!\s+(?:time|money|food|of\s+your\s+time))", 1.0, "took too much"),
    (r"\b(?:took|swallowed)\s+(?:a\s+(?:whole\s+)?bottle|all\s+(?:of\s+)?my|a\s+bunch\s+of|a\s+handful\s+of)\b.*\b(?:pills|meds|tablets|xanax|oxy\w*|percs?|bars)\b", 1.0, "took a lot of pills"),
    (r"\bmixed\s+(?:pills|xanax|benzos|meds|opioids)\s+(?:and|with)\s+(?:alcohol|booze|drinking)\b", 1.0, "mixed pills and alcohol"),
    (r"\b(?:not\s+breathing|unresponsive|won'?t\s+wake\s+up|lips\s+(?:are\s+)?(?:blue|turning\s+blue)|need\s+narcan|can'?t\s+breathe|having\s+a\s+seizure|seizures?\s+from\s+(?:withdrawal|detox)|chest\s+pains?\s+(?:after|from)\s+(?:using|drinking|the\s+pills))\b", 1.0, "medical emergency"),
)
_MODERATE: Final[tuple[tuple[str, float, str], ...]] = (
    # First-person (or a family member's fresh) relapse. "What happens if someone relapses at your
    # house?" is a policy question and has no first-person subject, so it does not match.
    (r"\b(?:i|i'?ve|i\s+have|i\s+just|i\s+kind\s+of|i\s+think\s+i|my\s+(?:son|daughter|husband|wife|brother|sister|partner|mom|dad|friend)\s+(?:just\s+)?(?:has\s+)?)\s*(?:relapsed|slipped|used\s+again|drank\s+again|started\s+(?:using|drinking)\s+again|fell\s+off\s+the\s+wagon|went\s+back\s+to\s+(?:using|drinking))\b|\b(?:i'?m|i\s+am)\s+(?:relapsing|using\s+again|drinking\s+again|high\s+right\s+now|drunk\s+right\s+now|back\s+on\s+(?:drugs|meth|heroin|pills|fent\w*|coke|the\s+bottle))\b|\bi\s+(?:used|drank|got\s+high|got\s+drunk)\s+(?:again|last\s+night|today|this\s+morning)\b", 0.5, "relapse"),
    (r"\b(?:i\s+have\s+|i'?ve\s+got\s+|having\s+|bad\s+|strong\s+)?(?:cravings?|craving|urge\s+to\s+(?:use|drink)|want\s+to\s+(?:use|drink)\s+so\s+bad|need\s+a\s+drink\s+so\s+bad)\b", 0.4, "cravings"),
    (r"\b(?:hopeless|worthless|can'?t\s+go\s+on|can'?t\s+take\s+(?:it|this)\s+any\s?more|can'?t\s+do\s+this\s+any\s?more|give\s+up\s+on\s+(?:life|everything)|(?:feel\s+like\s+)?giving\s+up\s+on\s+(?:life|everything|myself)|nobody\s+(?:cares|would\s+miss\s+me)|no\s+one\s+would\s+miss\s+me|don'?t\s+want\s+to\s+be\s+here\s+any\s?more|what'?s\s+the\s+point\s+(?:any\s?more|of\s+(?:anything|trying))|so\s+alone|falling\s+apart|(?:i'?m|i\s+am|feel\s+like)\s+(?:just\s+)?a\s+burden|(?:everyone|they|people|my\s+(?:family|kids))\s+would\s+be\s+(?:happier|better)\s+(?:off\s+)?(?:if\s+i\s+(?:just\s+)?(?:disappeared|was\s+gone|wasn'?t\s+here|left)|without\s+me))\b", 0.6, "hopelessness"),
    (r"\b(?:panic\s+attack|can'?t\s+stop\s+shaking|shaking\s+and\s+sweating|withdrawals?|detoxing|dope\s?sick|the\s+shakes|d\.?t\.?s|hallucinat\w+)\b", 0.5, "withdrawal or panic"),
    (r"\b(?:heart\s+(?:is\s+)?(?:racing|pounding)|can'?t\s+feel\s+my\s+(?:hands|legs|face)|throwing\s+up\s+and\s+shaking)\b", 0.45, "physical distress"),
    (r"\bi\s+(?:cut|burned|hurt|scratched)\s+(?:again|last\s+night|today)\b|\bself[-\s]?harm(?:ing)?\b", 0.6, "self-harm"),
)
# Relapse becomes a crisis when it comes with danger: combined with these, relapse scores 1.0.
_DANGER_WITH_RELAPSE = re.compile(r"\b(?:pills|too\s+much|scared|alone|dying|can'?t\s+breathe|passed\s+out|blacked\s+out|heart\s+(?:is\s+)?racing|seizure)\b", re.I)
# Withdrawal or physical distress with a substance word: a medical emergency, not just distress.
_SUBSTANCE = re.compile(r"\b(?:took|pills|drink|drinking|drank|using|used|high|dose|xanax|oxy\w*|heroin|fent\w*|meth|coke|alcohol|booze)\b", re.I)
_NEGATED = re.compile(r"\b(?:not|never|no\s+longer|isn'?t|wasn'?t|aren'?t)\s+(?:\w+\s+)?$", re.I)
# Talk about the past ("my son overdosed two years ago") is a history, not an emergency.
_PAST_MARKERS = re.compile(r"\b(?:years?\s+ago|months\s+ago|last\s+year|in\s+the\s+past|history\s+of|used\s+to|been\s+clean|sober\s+(?:for|since))\b", re.I)
# A policy question about other people ("what happens if someone relapses?", "do you take people
# who overdosed before?") is not a person in danger: embedding similarity alone never flags it.
_FIRST_PERSON = re.compile(r"\b(?:i|i'?m|i'?ve|i'?ll|me|my|myself|mine)\b", re.I)

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
                found.append((0.3, f"{reason} (negated)"))
            elif historical:
                found.append((0.45, f"{reason} (in the past)"))
            else:
                found.append((weight, reason))
    for pattern, weight, reason in _COMPILED_MODERATE:
        moderate = pattern.search(text)
        if moderate is None:
            continue
        match = moderate
        about_service = reason in ("withdrawal or panic", "physical distress") and not _FIRST_PERSON.search(text)
        if _NEGATED.search(text[: match.start()][-30:]) or historical or about_service:
            # "Does the program help with withdrawal?" asks about a service, not about the visitor.
            found.append((min(weight, 0.3), f"{reason} (negated or in the past)"))
        elif reason == "relapse" and _DANGER_WITH_RELAPSE.search(text):
            found.append((1.0, "relapse with danger"))
        elif reason in ("withdrawal or panic", "physical distress") and _SUBSTANCE.search(text) and re.search(
                r"\b(?:seizure|hallucinat\w+|can'?t\s+breathe|heart\s+(?:is\s+)?(?:racing|pounding)|chest)\b", text, re.I):
            found.append((1.0, "withdrawal or overdose symptoms"))
        else:
            found.append((weight, reason))
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
    # Embedding similarity alone only counts when the visitor speaks about themselves.
    if embedding is not None and embedder is not None and (weights or _FIRST_PERSON.search(text)):
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
