"""The LangGraph conversation graph: detect → crisis | approved answer | retrieve → answer →
lead capture → fallback check."""

from agents.conversation.context import BotRunContext, CrisisResource, CrisisSettings
from agents.conversation.graph import (
    build_conversation_graph,
    conversation_reply,
    conversation_reply_stream,
    conversation_reply_stream_async,
)
from agents.conversation.ports import (
    AnswerRequest,
    ApprovedAnswer,
    ApprovedAnswers,
    KnowledgeHit,
    KnowledgeSearch,
    ModelAnswer,
    ModelCallFailed,
    ModelProvider,
    NoApprovedAnswers,
    Ports,
    TokenUsage,
    Turn,
)
from agents.conversation.results import ContactDetail, DetectionSummary, LeadEffect, ReviewItem, TurnResult

__all__ = [
    "AnswerRequest",
    "ApprovedAnswer",
    "ApprovedAnswers",
    "BotRunContext",
    "ContactDetail",
    "CrisisResource",
    "CrisisSettings",
    "DetectionSummary",
    "KnowledgeHit",
    "KnowledgeSearch",
    "LeadEffect",
    "ModelAnswer",
    "ModelCallFailed",
    "ModelProvider",
    "NoApprovedAnswers",
    "Ports",
    "ReviewItem",
    "TokenUsage",
    "Turn",
    "TurnResult",
    "build_conversation_graph",
    "conversation_reply",
    "conversation_reply_stream",
    "conversation_reply_stream_async",
]
