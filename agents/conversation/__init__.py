"""The LangGraph conversation graph: detect → crisis | approved answer | retrieve → answer →
lead capture → fallback check."""

# The names below load on first use (PEP 562): importing one light submodule (ports, context, results)
# must not pull LangGraph and pydantic-ai into every Django process (`manage.py check` < 3 s).
from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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
    from agents.conversation.results import (
        ContactDetail,
        DetectionSummary,
        LeadEffect,
        ReviewItem,
        TurnResult,
    )

_HOMES: dict[str, str] = {
    "AnswerRequest": "agents.conversation.ports",
    "ApprovedAnswer": "agents.conversation.ports",
    "ApprovedAnswers": "agents.conversation.ports",
    "BotRunContext": "agents.conversation.context",
    "ContactDetail": "agents.conversation.results",
    "CrisisResource": "agents.conversation.context",
    "CrisisSettings": "agents.conversation.context",
    "DetectionSummary": "agents.conversation.results",
    "KnowledgeHit": "agents.conversation.ports",
    "KnowledgeSearch": "agents.conversation.ports",
    "LeadEffect": "agents.conversation.results",
    "ModelAnswer": "agents.conversation.ports",
    "ModelCallFailed": "agents.conversation.ports",
    "ModelProvider": "agents.conversation.ports",
    "NoApprovedAnswers": "agents.conversation.ports",
    "Ports": "agents.conversation.ports",
    "ReviewItem": "agents.conversation.results",
    "TokenUsage": "agents.conversation.ports",
    "Turn": "agents.conversation.ports",
    "TurnResult": "agents.conversation.results",
    "build_conversation_graph": "agents.conversation.graph",
    "conversation_reply": "agents.conversation.graph",
    "conversation_reply_stream": "agents.conversation.graph",
    "conversation_reply_stream_async": "agents.conversation.graph",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value


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
