"""The conversation graph: the only file that wires edges. Routers return node names.

detect ─┬─ crisis ───────────────────────────────────────────────► crisis_reply ──┐
        ├─ at_risk ──────────────────────────────────────────────► at_risk_reply ─┤
        └─ direct_answer ─┬─ small talk / quick reply / facts ─► lead_capture     │
                          ├─ facts, with a model ─► retrieve (facts first) ─► answer  │
                          └─ approved_answer ─┬─ matched (BEY-4) ► lead_capture   │
                                              └─ pack_action ─┬─ trigger / complaint / booking ► lead_capture
                                                              └─ retrieve ─► answer ► lead_capture
lead_capture ─► fallback_check ─► compose_reply ◄──────────────────────────────────┘ ─► END
"""

from __future__ import annotations

import asyncio
import functools
import re
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any, cast

from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph

from agents.conversation import names, nodes
from agents.conversation.context import BotRunContext
from agents.conversation.ports import ModelProvider, Ports, TokenUsage, Turn
from agents.conversation.results import DetectionSummary, TurnResult
from agents.conversation.state import ConversationInput, ConversationState, RunDeps, alert_of, lead_of


@functools.cache
def build_conversation_graph() -> CompiledStateGraph[ConversationState, RunDeps, ConversationInput, ConversationState]:
    """Compiled once per process: the shape never changes, only the per-run context does."""
    graph = StateGraph(ConversationState, context_schema=RunDeps, input_schema=ConversationInput,
                       output_schema=ConversationState)
    graph.add_node(names.DETECT, nodes.detect)
    graph.add_node(names.CRISIS_REPLY, nodes.crisis_reply)
    graph.add_node(names.AT_RISK_REPLY, nodes.at_risk_reply)
    graph.add_node(names.DIRECT_ANSWER, nodes.direct_answer)
    graph.add_node(names.APPROVED_ANSWER, nodes.approved_answer)
    graph.add_node(names.PACK_ACTION, nodes.pack_action)
    graph.add_node(names.RETRIEVE, nodes.retrieve)
    graph.add_node(names.ANSWER, nodes.answer)
    graph.add_node(names.LEAD_CAPTURE, nodes.lead_capture)
    graph.add_node(names.FALLBACK_CHECK, nodes.fallback_check)
    graph.add_node(names.COMPOSE_REPLY, nodes.compose_reply)

    graph.add_edge(START, names.DETECT)
    graph.add_conditional_edges(
        names.DETECT, nodes.route_after_detect, [names.CRISIS_REPLY, names.AT_RISK_REPLY, names.DIRECT_ANSWER]
    )
    graph.add_edge(names.CRISIS_REPLY, names.COMPOSE_REPLY)
    graph.add_edge(names.AT_RISK_REPLY, names.COMPOSE_REPLY)
    graph.add_conditional_edges(names.DIRECT_ANSWER, nodes.route_after_direct,
                                [names.LEAD_CAPTURE, names.APPROVED_ANSWER, names.RETRIEVE])
    graph.add_conditional_edges(names.APPROVED_ANSWER, nodes.route_after_approved, [names.LEAD_CAPTURE, names.PACK_ACTION])
    graph.add_conditional_edges(names.PACK_ACTION, nodes.route_after_pack_action, [names.LEAD_CAPTURE, names.RETRIEVE])
    graph.add_edge(names.RETRIEVE, names.ANSWER)
    graph.add_edge(names.ANSWER, names.LEAD_CAPTURE)
    graph.add_edge(names.LEAD_CAPTURE, names.FALLBACK_CHECK)
    graph.add_edge(names.FALLBACK_CHECK, names.COMPOSE_REPLY)
    graph.add_edge(names.COMPOSE_REPLY, END)
    return graph.compile()


def _turn_result(final: ConversationState, started: float) -> TurnResult:
    detection = final["detection"]
    reply = final.get("reply", final.get("answer_text", ""))
    return TurnResult(
        reply=reply,
        answered_by=final.get("answered_by", "fallback"),
        is_fallback=final.get("is_fallback", False),
        is_crisis=final.get("is_crisis", False),
        detection=DetectionSummary(
            classification=detection.classification,
            lead_score_reasons=detection.lead_scoring.reasons,
            crisis_reasons=detection.crisis.reasons,
        ),
        lead=lead_of(final),
        review_items=final.get("review_items", ()),
        asked_for_contact=final.get("asked_for_contact", False),
        citations=final.get("citations", ()),
        model_ms=round(final.get("model_ms", 0.0), 3),
        total_ms=round((time.perf_counter() - started) * 1000, 3),
        usage=final.get("usage", TokenUsage()),
        alert=alert_of(final),
        handoff_offered=final.get("handoff_offered", False),
        suggestions=final.get("suggestions", ()) if final.get("answered_by") == "did_you_mean" else (),
    )


def conversation_reply(
    *, message: str, history: list[Turn], context: BotRunContext, ports: Ports, model: ModelProvider
) -> TurnResult:
    """Answer one visitor message. Never raises for model trouble: the visitor gets the fallback."""
    started = time.perf_counter()
    initial: ConversationInput = {"message": message, "history": tuple(history)}
    final = build_conversation_graph().invoke(initial, context=RunDeps(context=context, ports=ports, model=model))
    return _turn_result(cast(ConversationState, final), started)


_CHUNK = re.compile(r"\S+\s*")


def conversation_reply_stream(
    *, message: str, history: list[Turn], context: BotRunContext, ports: Ports, model: ModelProvider
) -> Iterator[str | TurnResult]:
    """For SSE: yields pieces of the reply text (a few words each), then the `TurnResult`.

    The graph finishes before the first piece: the crisis and fallback checks must see the whole
    answer before any of it reaches the visitor, so model tokens are not forwarded as they arrive.
    """
    result = conversation_reply(message=message, history=history, context=context, ports=ports, model=model)
    words = _CHUNK.findall(result.reply)
    for index in range(0, len(words), 4):
        yield "".join(words[index : index + 4])
    yield result


async def conversation_reply_stream_async(
    *, message: str, history: list[Turn], context: BotRunContext, ports: Ports, model: ModelProvider
) -> AsyncIterator[str | TurnResult]:
    """Async variant for ASGI views: runs the sync graph in a worker thread, then streams."""
    pieces: list[Any] = await asyncio.to_thread(
        lambda: list(
            conversation_reply_stream(message=message, history=history, context=context, ports=ports, model=model)
        )
    )
    for piece in pieces:
        yield piece
