"""The conversation graph: the only file that wires edges. Routers return node names.

detect ─┬─ crisis ──► crisis_reply (+ compose) ─────────────────────────────────────────► END
        ├─ at_risk ─► at_risk_reply (+ compose) ────────────────────────────────────────► END
        └─ direct_answer ─┬─ small talk / quick reply / facts ─────────────────────► wrap_up ─► END
                          ├─ facts, with a model ─► retrieve_and_answer (facts first) ─► wrap_up
                          └─ approved_answer ─┬─ matched (BEY-4) ─────────────────────► wrap_up
                                              └─ pack_action ─┬─ trigger / complaint / booking ─► wrap_up
                                                              └─ retrieve_and_answer ─► wrap_up

A fixed sequence of steps is ONE node (`sequence`): retrieve then answer; lead capture, fallback
check, then compose the reply. Only decisions are edges. LangGraph spends ~0.25 ms of CPU per
superstep, so the longest path went from 9 supersteps to 6 (issue 17; docs/benchmarks.md).
"""

from __future__ import annotations

import asyncio
import functools
import re
import time
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Annotated, Any, Protocol, cast, get_origin, get_type_hints

from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph
from langgraph.runtime import Runtime

from agents.conversation import names, nodes
from agents.conversation.context import BotRunContext
from agents.conversation.ports import ModelProvider, Ports, TokenUsage, Turn
from agents.conversation.results import DetectionSummary, TurnResult
from agents.conversation.state import (
    ConversationInput,
    ConversationState,
    RunDeps,
    alert_of,
    lead_of,
)


class Step(Protocol):
    """A node function: the state so far and the run's runtime in, a partial update out."""

    def __call__(self, state: ConversationState, runtime: Runtime[RunDeps]) -> ConversationState: ...


# The state's accumulating keys and their reducers, read from its `Annotated` fields as LangGraph reads
# them, so a sequence reduces exactly as the graph does between nodes.
_REDUCERS: dict[str, Callable[[Any, Any], Any]] = {
    key: hint.__metadata__[0]
    for key, hint in get_type_hints(ConversationState, include_extras=True).items()
    if get_origin(hint) is Annotated
}


def sequence(*steps: Step) -> Step:
    """One node that runs `steps` in order, each seeing the updates of the ones before it.

    Returns the combined update: plain keys keep the last value written, accumulating keys (review
    items, effects) carry everything the steps added, so the graph's state ends the same as with one
    node per step.
    """

    def run(state: ConversationState, runtime: Runtime[RunDeps]) -> ConversationState:
        view: dict[str, Any] = dict(state)
        combined: dict[str, Any] = {}
        for step in steps:
            for key, value in step(cast(ConversationState, view), runtime).items():
                reducer = _REDUCERS.get(key)
                if reducer is None:
                    view[key] = combined[key] = value
                else:
                    view[key] = reducer(view.get(key, ()), value)
                    combined[key] = reducer(combined.get(key, ()), value)
        return cast(ConversationState, combined)

    run.__name__ = "_then_".join(getattr(step, "__name__", "step") for step in steps)
    return run


@functools.cache
def build_conversation_graph() -> CompiledStateGraph[ConversationState, RunDeps, ConversationInput, ConversationState]:
    """Compiled once per process: the shape never changes, only the per-run context does."""
    graph = StateGraph(ConversationState, context_schema=RunDeps, input_schema=ConversationInput,
                       output_schema=ConversationState)
    graph.add_node(names.DETECT, nodes.detect)
    graph.add_node(names.CRISIS_REPLY, sequence(nodes.crisis_reply, nodes.compose_reply))
    graph.add_node(names.AT_RISK_REPLY, sequence(nodes.at_risk_reply, nodes.compose_reply))
    graph.add_node(names.DIRECT_ANSWER, nodes.direct_answer)
    graph.add_node(names.APPROVED_ANSWER, nodes.approved_answer)
    graph.add_node(names.PACK_ACTION, nodes.pack_action)
    graph.add_node(names.RETRIEVE_AND_ANSWER, sequence(nodes.retrieve, nodes.answer))
    graph.add_node(names.WRAP_UP, sequence(nodes.lead_capture, nodes.fallback_check, nodes.compose_reply))

    graph.add_edge(START, names.DETECT)
    graph.add_conditional_edges(
        names.DETECT, nodes.route_after_detect, [names.CRISIS_REPLY, names.AT_RISK_REPLY, names.DIRECT_ANSWER]
    )
    graph.add_edge(names.CRISIS_REPLY, END)
    graph.add_edge(names.AT_RISK_REPLY, END)
    graph.add_conditional_edges(names.DIRECT_ANSWER, nodes.route_after_direct,
                                [names.WRAP_UP, names.APPROVED_ANSWER, names.RETRIEVE_AND_ANSWER])
    graph.add_conditional_edges(names.APPROVED_ANSWER, nodes.route_after_approved, [names.WRAP_UP, names.PACK_ACTION])
    graph.add_conditional_edges(names.PACK_ACTION, nodes.route_after_pack_action,
                                [names.WRAP_UP, names.RETRIEVE_AND_ANSWER])
    graph.add_edge(names.RETRIEVE_AND_ANSWER, names.WRAP_UP)
    graph.add_edge(names.WRAP_UP, END)
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
