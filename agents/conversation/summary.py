"""ADM-3 conversation summaries and ADM-4 topic tags, computed when a conversation ends.

Offline and deterministic: the summary is extractive (what the visitor wanted, what the bot answered,
how it ended) and the tags come from lead types, the bot's intents and a small topic lexicon per
industry. With a model, `model_summary` may phrase the summary instead; the caller falls back to
`extractive_summary` when it fails.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Final

from pydantic import BaseModel, Field
from pydantic_ai import Agent
from pydantic_ai.models import Model

from agents.conversation.nodes import SMALL_TALK
from agents.conversation.topics import TOPIC_LEXICON
from agents.detection.intent import IntentRule

MAX_TAGS: Final = 5
QUOTE_CHARS: Final = 140
# Lead types that say nothing about what the conversation was about.
_GENERIC_LEAD_TYPES: Final = frozenset({"", "other", "general_question"})
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_TAG = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True, slots=True)
class SummaryTurn:
    role: str  # "visitor" | "bot"
    text: str
    answered_by: str = ""
    is_fallback: bool = False
    lead_type: str = ""  # visitor turns: what detect found


@dataclass(frozen=True, slots=True)
class ConversationFacts:
    """Everything a summary may mention, gathered by the caller from its own records."""

    turns: tuple[SummaryTurn, ...]
    crisis_level: str = "none"
    lead_score: str | None = None  # set when a lead was captured
    lead_type: str | None = None
    booking_clicks: int = 0
    handoff_requested: bool = False
    thumbs_down: int = 0
    industry_mode: str | None = None
    intents: tuple[IntentRule, ...] = field(default_factory=tuple)


def _quote(text: str, limit: int = QUOTE_CHARS) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0]
    return cut.rstrip(",;:-") + "…"


def _first_sentence(text: str) -> str:
    return _SENTENCE_END.split(" ".join(text.split()), maxsplit=1)[0]


def _wanted_index(turns: tuple[SummaryTurn, ...]) -> int | None:
    """The first visitor turn that asks for something (greetings and thanks are skipped)."""
    visitor = [i for i, t in enumerate(turns) if t.role == "visitor"]
    for index in visitor:
        if not SMALL_TALK.match(turns[index].text):
            return index
    return visitor[0] if visitor else None


def _answer_to(turns: tuple[SummaryTurn, ...], index: int) -> SummaryTurn | None:
    for turn in turns[index + 1:]:
        if turn.role == "bot":
            return turn
        break
    return None


def _answer_phrase(answer: SummaryTurn | None) -> str:
    if answer is None:
        return "no reply"
    if answer.answered_by == "crisis_script":
        return "the crisis script with crisis resources"
    if answer.answered_by in ("paused", "over_limit"):
        return "the bot-unavailable message"
    if answer.is_fallback:
        return "could not answer (fallback)"
    return f"“{_quote(_first_sentence(answer.text))}”"


def outcome_phrases(facts: ConversationFacts) -> list[str]:
    phrases = []
    if facts.crisis_level == "crisis":
        phrases.append("crisis: script and resources sent, flagged for review")
    elif facts.crisis_level == "at_risk":
        phrases.append("visitor at risk: flagged for review")
    if facts.lead_score:
        kind = f", {facts.lead_type}" if facts.lead_type and facts.lead_type not in _GENERIC_LEAD_TYPES else ""
        phrases.append(f"lead captured ({facts.lead_score}{kind})")
    if facts.booking_clicks:
        phrases.append("booking link clicked")
    if facts.handoff_requested:
        phrases.append("asked for a person")
    fallbacks = sum(1 for t in facts.turns if t.role == "bot" and t.is_fallback)
    if fallbacks:
        phrases.append(f"{fallbacks} unanswered question{'s' if fallbacks > 1 else ''} (fallback)")
    if facts.thumbs_down:
        phrases.append(f"{facts.thumbs_down} answer{'s' if facts.thumbs_down > 1 else ''} marked unhelpful")
    return phrases or ["answered, no lead"]


def extractive_summary(facts: ConversationFacts) -> str:
    """Three short lines: Wanted / Answered / Outcome. Same facts, same text."""
    index = _wanted_index(facts.turns)
    if index is None:
        return "Outcome: " + "; ".join(outcome_phrases(facts)) + "."
    visitor_turns = sum(1 for t in facts.turns if t.role == "visitor")
    more = visitor_turns - 1
    wanted = f"“{_quote(facts.turns[index].text)}”"
    if more:
        wanted += f" (+{more} more message{'s' if more > 1 else ''})"
    return "\n".join([
        f"Wanted: {wanted}",
        f"Answered: {_answer_phrase(_answer_to(facts.turns, index))}",
        "Outcome: " + "; ".join(outcome_phrases(facts)) + ".",
    ])


def _tag(label: str) -> str:
    return _TAG.sub("_", label.lower()).strip("_")[:40]


def topic_tags(facts: ConversationFacts) -> tuple[str, ...]:
    """At most MAX_TAGS lowercase labels: lead types (most frequent first), then the bot's intents,
    then industry topics, each in order of first mention."""
    lowered = [t.text.lower() for t in facts.turns if t.role == "visitor"]
    tags: list[str] = []

    lead_types = [t.lead_type for t in facts.turns if t.role == "visitor" and t.lead_type not in _GENERIC_LEAD_TYPES]
    counts = Counter(lead_types)
    tags += sorted(counts, key=lambda lead_type: (-counts[lead_type], lead_types.index(lead_type)))
    if facts.lead_type and facts.lead_type not in _GENERIC_LEAD_TYPES and facts.lead_type not in tags:
        tags.append(facts.lead_type)

    def mentioned(patterns: tuple[str, ...]) -> int | None:
        positions = [i for i, text in enumerate(lowered) for p in patterns if re.search(p, text)]
        return min(positions) if positions else None

    intent_hits = []
    for order, rule in enumerate(facts.intents):
        patterns = tuple(rf"\b{re.escape(k.strip().lower())}\b" for k in rule.keywords if k.strip())
        position = mentioned(patterns)
        if position is not None:
            intent_hits.append((position, order, _tag(rule.name)))
    tags += [name for _, _, name in sorted(intent_hits)]

    topic_hits = []
    for order, (topic, patterns) in enumerate(TOPIC_LEXICON.get(facts.industry_mode or "", {}).items()):
        position = mentioned(patterns)
        if position is not None:
            topic_hits.append((position, order, _tag(topic)))
    tags += [name for _, _, name in sorted(topic_hits)]

    if facts.crisis_level == "crisis":
        tags.insert(0, "crisis")
    unique = list(dict.fromkeys(t for t in tags if t))
    return tuple(unique[:MAX_TAGS])


class ModelSummary(BaseModel):
    summary: str = Field(description="At most three short sentences: what the visitor wanted, what they were told, "
                                     "and how it ended. Plain text, no names of staff, no invented facts.")


SUMMARY_INSTRUCTIONS: Final = (
    "You summarise a website chat between a visitor and a business's chat assistant for the business owner. "
    "Use only the transcript and the outcome facts. Never add details that are not there."
)


def model_summary(model: Model, facts: ConversationFacts, *, timeout_s: float) -> str | None:
    """A model-written summary, or None when the model fails (the caller uses the extractive one)."""
    transcript = "\n".join(f"{t.role}: {_quote(t.text, 500)}" for t in facts.turns[-30:])
    prompt = f"Transcript:\n{transcript}\n\nOutcome facts: {'; '.join(outcome_phrases(facts))}."
    agent: Agent[None, ModelSummary] = Agent(model, output_type=ModelSummary, instructions=SUMMARY_INSTRUCTIONS)
    try:
        result = agent.run_sync(prompt, timeout=timeout_s)
    except Exception:  # noqa: BLE001 — any model trouble means "use the offline summary"
        return None
    text = result.output.summary.strip()
    return text or None
