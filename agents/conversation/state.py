"""Graph state: what the caller puts in (`ConversationInput`), what the graph learns during one turn
(`ConversationState`). Per-run settings and ports live in `RunDeps` instead.

Review items and effects (lead, crisis alert) are accumulated by reducers: a node returns only what
it adds, and no node can drop what an earlier one recorded.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, TypedDict

from agents.conversation.context import BotRunContext
from agents.conversation.ports import KnowledgeHit, ModelProvider, Ports, TokenUsage, Turn
from agents.conversation.results import AnsweredBy, CrisisAlert, LeadEffect, ReviewItem
from agents.detection.classify import Detection
from agents.embeddings.base import Embedder

Effect = LeadEffect | CrisisAlert


def add_review_items(left: tuple[ReviewItem, ...], right: tuple[ReviewItem, ...]) -> tuple[ReviewItem, ...]:
    """Reducer: review items only accumulate (each once)."""
    return tuple(dict.fromkeys((*left, *right)))


def add_effects(left: tuple[Effect, ...], right: tuple[Effect, ...]) -> tuple[Effect, ...]:
    """Reducer: effects only accumulate, in the order the nodes produced them."""
    return (*left, *right)


@dataclass(frozen=True, slots=True)
class RunDeps:
    """LangGraph runtime context: the bot's settings and the ports of this run."""

    context: BotRunContext
    ports: Ports
    model: ModelProvider

    @property
    def embedder(self) -> Embedder:
        """The embedder port: the one the stored vectors were made with (the model's when not given)."""
        return self.ports.embedder if self.ports.embedder is not None else self.model.embedder


class ConversationInput(TypedDict):
    """What the caller passes in: one visitor message and the recent conversation."""

    message: str
    history: tuple[Turn, ...]


class ConversationState(TypedDict, total=False):
    """Everything the nodes read and write. `message` and `history` come from `ConversationInput`."""

    message: str
    history: tuple[Turn, ...]
    embedding: tuple[float, ...]
    detection: Detection
    hits: tuple[KnowledgeHit, ...]
    # A business-facts answer the model may compose from (with a key); sent as it is otherwise.
    fact_answer: str
    answer_text: str
    answered_by: AnsweredBy
    grounded: bool
    confidence: float
    model_failed: bool
    dragon_mode: bool
    citations: tuple[str, ...]
    model_ms: float
    usage: TokenUsage
    contact_ask: str
    asked_for_contact: bool
    review_items: Annotated[tuple[ReviewItem, ...], add_review_items]
    effects: Annotated[tuple[Effect, ...], add_effects]
    is_crisis: bool
    is_fallback: bool
    handoff_offered: bool
    suggestions: tuple[str, ...]
    topic: str
    reply: str


def lead_of(state: ConversationState) -> LeadEffect | None:
    leads = [e for e in state.get("effects", ()) if isinstance(e, LeadEffect)]
    return leads[-1] if leads else None


def alert_of(state: ConversationState) -> CrisisAlert | None:
    return next((e for e in state.get("effects", ()) if isinstance(e, CrisisAlert)), None)
