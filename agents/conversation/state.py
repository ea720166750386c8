"""Graph state: what the graph learns during one turn. Per-run facts live in `RunDeps` instead."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypedDict

from agents.conversation.context import BotRunContext
from agents.conversation.ports import KnowledgeHit, ModelProvider, Ports, TokenUsage, Turn
from agents.conversation.results import AnsweredBy, CrisisAlert, LeadEffect, ReviewItem
from agents.detection.classify import Detection


@dataclass(frozen=True, slots=True)
class RunDeps:
    """LangGraph runtime context: the bot's settings and the ports of this run."""

    context: BotRunContext
    ports: Ports
    model: ModelProvider


class ConversationState(TypedDict, total=False):
    message: str
    history: tuple[Turn, ...]
    embedding: tuple[float, ...]
    detection: Detection
    hits: tuple[KnowledgeHit, ...]
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
    lead: LeadEffect | None
    review_items: tuple[ReviewItem, ...]
    is_crisis: bool
    is_fallback: bool
    alert: CrisisAlert | None
    handoff_offered: bool
    suggestions: tuple[str, ...]
    topic: str
    reply: str
