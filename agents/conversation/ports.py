"""Ports: the only ways the conversation graph reaches data or a model.

Django apps implement the data ports (pgvector + full-text search, approved FAQs); providers.py
implements the model port. The graph never writes: effects come back in `TurnResult`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, Protocol

from agents.conversation.context import BotRunContext
from agents.detection.labels import CrisisLevel, LeadType
from agents.embeddings.base import Embedder


@dataclass(frozen=True, slots=True)
class Turn:
    role: Literal["visitor", "bot"]
    text: str
    # What detection found in a visitor turn when it was answered, if the caller stored it: the lead
    # is then scored from these instead of classifying the turn again (a forward pass per turn).
    lead_type: LeadType | None = None
    buying_intent: float | None = None
    crisis_level: CrisisLevel | None = None


@dataclass(frozen=True, slots=True)
class KnowledgeHit:
    chunk_id: str
    text: str
    source_title: str
    source_url: str | None
    # Fused vector + full-text relevance, 0..1 (1 = best). Thresholds in nodes.py assume this scale.
    score: float


@dataclass(frozen=True, slots=True)
class ApprovedAnswer:
    faq_id: str
    question: str
    answer: str
    # Cosine similarity between the visitor question and the approved question, 0..1.
    similarity: float
    # The next-closest approved questions with their similarity, best first ("Did you mean …?").
    alternatives: tuple[tuple[str, float], ...] = ()


class KnowledgeSearch(Protocol):
    def search(self, query: str, embedding: list[float], k: int) -> list[KnowledgeHit]: ...


class ApprovedAnswers(Protocol):
    def match(self, query: str, embedding: list[float]) -> ApprovedAnswer | None: ...


class NoApprovedAnswers:
    """For bots without approved answers (and for tests that do not need them)."""

    def match(self, query: str, embedding: list[float]) -> ApprovedAnswer | None:
        return None


@dataclass(frozen=True, slots=True)
class Ports:
    knowledge: KnowledgeSearch
    approved_answers: ApprovedAnswers = field(default_factory=NoApprovedAnswers)
    # The embedder port: the one the stored vectors were made with. None = the model provider's.
    embedder: Embedder | None = None


@dataclass(frozen=True, slots=True)
class TokenUsage:
    input_tokens: int = 0
    output_tokens: int = 0
    model_name: str = ""


@dataclass(frozen=True, slots=True)
class AnswerRequest:
    question: str
    history: tuple[Turn, ...]
    hits: tuple[KnowledgeHit, ...]
    context: BotRunContext
    dragon_mode: bool
    query_embedding: tuple[float, ...]


@dataclass(frozen=True, slots=True)
class ModelAnswer:
    text: str
    grounded: bool
    confidence: float
    cited_chunk_ids: tuple[str, ...]
    answered_by: Literal["model", "extractive"]
    usage: TokenUsage = field(default_factory=TokenUsage)


class ModelCallFailed(Exception):
    """The model did not answer in time after its one retry; the visitor gets the fallback.

    `status_code` is the provider's HTTP status when it answered with an error (401 = bad key), else None.
    """

    def __init__(self, message: str, *, status_code: int | None = None) -> None:
        super().__init__(message)
        self.status_code = status_code


class ModelProvider(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def embedder(self) -> Embedder: ...

    def answer(self, request: AnswerRequest) -> ModelAnswer:
        """Answer from `request.hits` only. Raises `ModelCallFailed` when the model is unavailable."""
        ...
