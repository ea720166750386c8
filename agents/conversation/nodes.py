"""Graph nodes. No I/O except through the ports in `RunDeps`; each returns a partial state update."""

from __future__ import annotations

import re
import time
from typing import Final

from langgraph.runtime import Runtime

from agents.conversation import prompts
from agents.conversation.ports import AnswerRequest, ModelCallFailed
from agents.conversation.results import ContactDetail, LeadEffect, ReviewItem
from agents.conversation.state import ConversationState, RunDeps
from agents.detection.classify import detect_message

# BEY-4: MiniLM cosine between the visitor's question and an approved FAQ question at or above which
# the approved answer is sent verbatim. Paraphrases of one question score ~0.85-0.95; different
# questions on the same topic ("price of a fade" vs "price of a beard trim") ~0.6-0.8.
APPROVED_ANSWER_MIN_SIMILARITY: Final = 0.86
# Knowledge hits below this fused score are not evidence; with none left the turn falls back.
MIN_GROUNDING_HIT_SCORE: Final = 0.35
# Model (or extractive) confidence below this is treated as "not grounded".
MIN_ANSWER_CONFIDENCE: Final = 0.45
# ADM-5: buying intent at or above which we ask once for contact details.
LEAD_ASK_MIN_INTENT: Final = 0.6

SMALL_TALK: Final = re.compile(
    r"^\s*(?:hi|hello|hey|yo|hiya|good\s+(?:morning|afternoon|evening)|thanks|thank\s+you|thx|ok|okay|cool|great|bye|goodbye)"
    r"(?:\s+(?:there|so\s+much|a\s+lot|again))?[\s!.?]*$",
    re.I,
)


def detect(state: ConversationState, runtime: Runtime[RunDeps]) -> ConversationState:
    deps = runtime.context
    message = state["message"]
    embedding = deps.model.embedder.embed([message])[0]
    detection = detect_message(
        message,
        embedder=deps.model.embedder,
        embedding=embedding,
        intents=deps.context.intents,
        crisis_keywords=deps.context.crisis.keywords,
        crisis_sensitivity=deps.context.crisis.sensitivity,
    )
    review: tuple[ReviewItem, ...] = ()
    if detection.crisis.level == "at_risk":
        review = (ReviewItem("crisis", "at risk: " + ", ".join(detection.crisis.reasons)),)
    classification = detection.classification
    dragon = (
        deps.context.dragon_mode_enabled and classification.lead_score == "hot" and classification.crisis_level == "none"
    )
    return {
        "embedding": tuple(float(x) for x in embedding),
        "detection": detection,
        "review_items": review,
        "dragon_mode": dragon,
        "is_crisis": detection.crisis.level == "crisis",
    }


def route_after_detect(state: ConversationState) -> bool:
    """True when the turn must take the crisis branch."""
    return state["detection"].crisis.level == "crisis"


def crisis_reply(state: ConversationState, runtime: Runtime[RunDeps]) -> ConversationState:
    # The bot stops selling: no Dragon Mode, no lead capture, no model call. Staff review it.
    reasons = ", ".join(state["detection"].crisis.reasons) or "crisis wording"
    return {
        "answer_text": prompts.crisis_reply_text(runtime.context.context),
        "answered_by": "crisis_script",
        "is_crisis": True,
        "dragon_mode": False,
        "grounded": True,
        "review_items": (*state.get("review_items", ()), ReviewItem("crisis", f"crisis: {reasons}")),
    }


def approved_answer(state: ConversationState, runtime: Runtime[RunDeps]) -> ConversationState:
    if SMALL_TALK.match(state["message"]):
        business = runtime.context.context.business_name
        return {
            "answer_text": f"Hi! I'm the {business} assistant. What can I help you with?",
            "answered_by": "canned",
            "grounded": True,
        }
    match = runtime.context.ports.approved_answers.match(state["message"], list(state["embedding"]))
    if match is None or match.similarity < APPROVED_ANSWER_MIN_SIMILARITY:
        return {}
    return {
        "answer_text": match.answer,
        "answered_by": "approved_faq",
        "grounded": True,
        "confidence": match.similarity,
        "citations": (f"faq:{match.faq_id}",),
    }


def route_after_approved(state: ConversationState) -> bool:
    """True when an approved answer (or small talk) already answered the turn."""
    return state.get("answered_by") in ("approved_faq", "canned")


def retrieve(state: ConversationState, runtime: Runtime[RunDeps]) -> ConversationState:
    deps = runtime.context
    hits = deps.ports.knowledge.search(state["message"], list(state["embedding"]), deps.context.retrieval_k)
    usable = tuple(sorted((h for h in hits if h.score >= MIN_GROUNDING_HIT_SCORE), key=lambda h: -h.score))
    return {"hits": usable}


def answer(state: ConversationState, runtime: Runtime[RunDeps]) -> ConversationState:
    deps = runtime.context
    hits = state.get("hits", ())
    if not hits:
        # Nothing to ground on: skip the model entirely (cheaper, and it could only guess).
        return {"grounded": False, "confidence": 0.0, "model_ms": 0.0}
    request = AnswerRequest(
        question=state["message"],
        history=state.get("history", ()),
        hits=hits,
        context=deps.context,
        dragon_mode=state.get("dragon_mode", False),
        query_embedding=state["embedding"],
    )
    started = time.perf_counter()
    try:
        result = deps.model.answer(request)
    except ModelCallFailed:
        return {"model_failed": True, "grounded": False, "model_ms": (time.perf_counter() - started) * 1000}
    return {
        "answer_text": result.text,
        "answered_by": result.answered_by,
        "grounded": result.grounded,
        "confidence": result.confidence,
        "citations": result.cited_chunk_ids,
        "usage": result.usage,
        "model_ms": (time.perf_counter() - started) * 1000,
    }


def _already_asked(state: ConversationState, runtime: Runtime[RunDeps]) -> bool:
    if runtime.context.context.already_asked_for_contact:
        return True
    ask = prompts.contact_ask_text(runtime.context.context)
    return any(turn.role == "bot" and ask in turn.text for turn in state.get("history", ()))


def lead_capture(state: ConversationState, runtime: Runtime[RunDeps]) -> ConversationState:
    context = runtime.context.context
    detection = state["detection"]
    classification = detection.classification
    update: ConversationState = {"asked_for_contact": False, "contact_ask": ""}
    if classification.crisis_level != "none":
        return update  # never sell to someone at risk
    if classification.contacts:
        update["lead"] = LeadEffect(
            contacts=tuple(ContactDetail(c.label, c.normalised, c.text) for c in classification.contacts),
            lead_type=classification.lead_type,
            score=classification.lead_score,
            score_reasons=detection.lead_scoring.reasons,
        )
    contact_known = context.contact_known or any(c.label in ("phone", "email") for c in classification.contacts)
    may_ask = not contact_known and not _already_asked(state, runtime)
    if state.get("dragon_mode") and context.booking_url:
        update["contact_ask"] = prompts.dragon_call_to_action(context)
    elif state.get("dragon_mode") and may_ask:
        update["contact_ask"] = prompts.dragon_call_to_action(context)
        update["asked_for_contact"] = True
    elif may_ask and classification.buying_intent >= LEAD_ASK_MIN_INTENT:
        update["contact_ask"] = prompts.contact_ask_text(context)
        update["asked_for_contact"] = True
    return update


def fallback_check(state: ConversationState, runtime: Runtime[RunDeps]) -> ConversationState:
    if state.get("answered_by") in ("approved_faq", "canned"):
        return {"is_fallback": False}
    reviews = state.get("review_items", ())
    if state.get("model_failed"):
        kind = ReviewItem("fallback", "model call failed after one retry")
    elif not state.get("hits"):
        kind = ReviewItem("unknown_question", f"no knowledge scored >= {MIN_GROUNDING_HIT_SCORE}")
    elif not state.get("grounded", False) or state.get("confidence", 0.0) < MIN_ANSWER_CONFIDENCE:
        kind = ReviewItem(
            "unknown_question", f"answer not grounded (confidence {state.get('confidence', 0.0):.2f})"
        )
    else:
        return {"is_fallback": False}
    lead = state.get("lead")
    if lead is not None and not state.get("model_failed") and any(c.label in ("phone", "email") for c in lead.contacts):
        # The visitor left details rather than asking something we could not answer.
        return {"answer_text": prompts.contact_received_text(runtime.context.context, lead), "answered_by": "canned", "is_fallback": False}
    return {
        "answer_text": runtime.context.context.fallback_message,
        "answered_by": "fallback",
        "is_fallback": True,
        "citations": (),
        "review_items": (*reviews, kind),
    }
