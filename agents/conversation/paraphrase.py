"""FAQ paraphrases, generated once when an FAQ is approved (issue 11, BEY-4).

Visitors rarely ask an FAQ's question the way the agency wrote it ("Do you offer delivery?" →
"delivery?", "can you guys deliver"). Matching a visitor message against the question *and* a few
paraphrases of it lifts the verbatim-answer rate without lowering the similarity threshold.

Offline and deterministic: rewrite rules for the common question shapes, a small synonym table and a
keywords-only form. With a model configured, the caller may add model-written paraphrases; these
rules always run, so the result never depends on a network call.
"""

from __future__ import annotations

import re
from typing import Final

MAX_PARAPHRASES: Final = 8

_STOPWORDS: Final = frozenset(
    "a an the do does did you your yours we our i me my is are was were be can could would will should shall "
    "there it its of to for in on at with and or if any some what whats how when where which who why "
    "have has get got please much tell about this that these those guys u ya".split()
)
# One swap per variant; each pair is tried both ways.
_SYNONYMS: Final[tuple[tuple[str, str], ...]] = (
    ("price", "cost"), ("prices", "rates"), ("hours", "opening times"),
    ("open", "opening hours"), ("book", "schedule"), ("appointment", "booking"), ("reservation", "booking"),
    ("located", "based"), ("address", "location"), ("parking", "park"), ("deliver", "do delivery"),
    ("delivery", "takeout delivery"), ("cancel", "cancellation"), ("accept", "take"), ("offer", "have"),
    ("kids", "children"), ("dogs", "pets"), ("walk-ins", "walk in without an appointment"),
    ("membership", "plan"), ("trial", "trial pass"), ("insurance", "coverage"), ("visit", "come by"),
    ("warranty", "guarantee"), ("freeze", "pause"), ("walk-ins", "walk in"), ("catering", "cater events"),
    ("kids", "my son or daughter"), ("beginner", "never done this before"), ("video tour", "video call tour"),
    ("worth", "value"), ("family", "visitors"), ("contract", "commitment"), ("vegan", "plant based"),
)
_SHAPES: Final[tuple[tuple[re.Pattern[str], tuple[str, ...]], ...]] = tuple(
    (re.compile(pattern, re.I), templates)
    for pattern, templates in (
        (r"^(?:do|does)\s+(?:you|your\s+\w+|the\s+\w+)\s+(?P<rest>.+)$",
         ("can you {rest}", "do you guys {rest}", "is it possible to {rest}", "{rest}")),
        (r"^(?:can|could|may)\s+i\s+(?P<rest>.+)$", ("am i able to {rest}", "is it ok to {rest}", "{rest} ok")),
        (r"^(?:can|could|will)\s+you\s+(?P<rest>.+)$", ("do you {rest}", "are you able to {rest}", "{rest}")),
        (r"^(?:is|are)\s+there\s+(?:a|an|any)?\s*(?P<rest>.+)$", ("do you have {rest}", "any {rest}", "{rest}")),
        (r"^(?:what|which)\s+(?:is|are)\s+(?:your|the)\s+(?P<rest>.+)$", ("tell me about your {rest}", "your {rest}",
                                                                         "{rest}")),
        (r"^how\s+much\s+(?:is|are|does|do)\s+(?:a|an|the)?\s*(?P<rest>.+?)(?:\s+cost)?$",
         ("what does {rest} cost", "price of {rest}", "{rest} price")),
        (r"^how\s+(?:do|can)\s+i\s+(?P<rest>.+)$", ("how can i {rest}", "what's the way to {rest}", "{rest}")),
        (r"^where\s+(?:is|are)\s+(?P<rest>.+)$", ("where can i find {rest}", "location of {rest}")),
        (r"^(?:is|are)\s+(?P<rest>.+)$", ("{rest}",)),
    )
)


def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", text.strip().rstrip("?!. ")).strip()


def _swap(text: str, old: str, new: str) -> str | None:
    pattern = re.compile(rf"(?<![\w-]){re.escape(old)}(?![\w-])", re.I)
    return pattern.sub(new, text, count=1) if pattern.search(text) else None


def rule_paraphrases(question: str) -> tuple[str, ...]:
    """Up to `MAX_PARAPHRASES` rewordings of one FAQ question, always the same for the same question."""
    base = _clean(question).lower()
    if not base:
        return ()
    found: list[str] = []
    for pattern, templates in _SHAPES:
        match = pattern.match(base)
        if match:
            rest = match.group("rest").strip()
            found += [t.format(rest=rest) for t in templates]
            break
    for old, new in _SYNONYMS:
        for a, b in ((old, new), (new, old)):
            swapped = _swap(base, a, b)
            if swapped:
                found.append(swapped)
    keywords = [w for w in re.findall(r"[\w'-]+", base) if w not in _STOPWORDS]
    if 0 < len(keywords) <= 4:
        found.append(" ".join(keywords))
    seen = {base}
    out: list[str] = []
    for candidate in found:
        candidate = _clean(candidate)
        if len(candidate) >= 3 and candidate not in seen:
            seen.add(candidate)
            out.append(candidate)
    return tuple(out[:MAX_PARAPHRASES])


def merge_paraphrases(question: str, *groups: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """Rule paraphrases first, then any model-written ones, without duplicates or the question itself."""
    seen = {_clean(question).lower()}
    out: list[str] = []
    for group in (rule_paraphrases(question), *groups):
        for text in group:
            cleaned = _clean(str(text))[:300]
            if cleaned and cleaned.lower() not in seen:
                seen.add(cleaned.lower())
                out.append(cleaned)
    return tuple(out[: MAX_PARAPHRASES * 2])
