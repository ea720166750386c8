"""Graph nodes. No I/O except through the ports in `RunDeps`; each returns a partial state update."""

from __future__ import annotations

import re
import time
from dataclasses import replace
from typing import Any, Final

from langgraph.runtime import Runtime

from agents.conversation import names, prompts
from agents.conversation.actions import ActionResult, booking_question, run_action
from agents.conversation.context import BotRunContext
from agents.conversation.facts import answer_from_facts, detect_topics, facts_brief, is_day_follow_up
from agents.conversation.ports import AnswerRequest, KnowledgeHit, ModelCallFailed, Turn
from agents.conversation.results import ContactDetail, CrisisAlert, LeadEffect, ReviewItem
from agents.conversation.state import ConversationState, RunDeps, lead_of
from agents.detection.classify import detect_message
from agents.detection.crisis import CrisisAssessment
from agents.detection.labels import CrisisLevel, LeadType
from agents.detection.lead_scoring import score_lead

# BEY-4: MiniLM cosine between the visitor's question and an approved FAQ question at or above which
# the approved answer is sent verbatim. Paraphrases of one question score ~0.85-0.95; different
# questions on the same topic ("price of a fade" vs "price of a beard trim") ~0.6-0.8.
APPROVED_ANSWER_MIN_SIMILARITY: Final = 0.86
# Below the verbatim threshold but this close, a turn that would fall back asks "Did you mean …?".
DID_YOU_MEAN_MIN_SIMILARITY: Final = 0.62
# Knowledge hits below this fused score are not evidence; with none left the turn falls back.
MIN_GROUNDING_HIT_SCORE: Final = 0.35
# Model (or extractive) confidence below this is treated as "not grounded".
MIN_ANSWER_CONFIDENCE: Final = 0.45
# ADM-5: buying intent at or above which we ask once for contact details.
LEAD_ASK_MIN_INTENT: Final = 0.6

# The words of a greeting and of thanks: both open or close a message without asking anything. Each
# word takes at most one trailing word ("hi there", "thanks so much"), written once, so no text can
# be matched two ways (nested alternatives that overlap backtrack exponentially on a long message).
_ADDRESSEE: Final = r"there|again|guys|all|everyone|everybody|folks|team"
_HELLO: Final = (
    rf"(?:(?:hi|hello|hey|yo|hiya|howdy|good\s+(?:morning|afternoon|evening)|ok|okay)(?:\s+(?:{_ADDRESSEE}))?)"
)
_THANKS: Final = (
    rf"(?:(?:thanks|thank\s+you|thx|ty)(?:\s+(?:so\s+much|a\s+lot|{_ADDRESSEE}))?|cheers|much\s+appreciated|"
    r"(?:i\s+)?appreciate\s+it)"
)
_GREETING: Final = (
    rf"(?:{_HELLO}|{_THANKS}|(?:cool|great|awesome|perfect|nice|bye|goodbye|see\s+ya|"
    r"how\s+are\s+you(?:\s+doing)?(?:\s+today)?|how'?s\s+it\s+going|are\s+you\s+(?:a\s+)?(?:robot|bot|human|real(?:\s+person)?))"
    rf"(?:\s+(?:so\s+much|a\s+lot|{_ADDRESSEE}))?)"
)
# Courtesy around a message that carries no question of its own ("Quick question: hey. Cheers").
_COURTESY: Final = (
    r"(?:quick\s+question|one\s+more\s+thing|sorry\s+to\s+bother\s+you|excuse\s+me|just\s+wondering|"
    r"(?:please\s+)?let\s+me\s+know|asking\s+for\s+a\s+friend|please)"
)
# A message made only of greetings, thanks and courtesy, in any order: answered by small talk.
SMALL_TALK: Final = re.compile(rf"^\s*(?:(?:{_GREETING}|{_COURTESY})(?![\w'])[\s!.?,:;]*)+$", re.I)
# The wrapping around a question ("Hi! Sorry to bother you, <question> Thanks!") is stripped before the
# question is embedded: it means nothing for matching, and the forward pass costs time per token.
_OPENING: Final = re.compile(
    rf"^\s*(?:(?:{_HELLO}|quick\s+question|one\s+more\s+thing|sorry\s+to\s+bother\s+you|excuse\s+me)(?![\w'-])"
    rf"[\s!.?,:;]*|{_THANKS}[!.,]+\s*)+",  # "Thanks, …" is wrapping; "Thank you for nothing" is not
    re.I,
)
# One closing unit at the very end (the caller strips separators and repeats): every attempt is a
# fixed alternation, so a long message costs linear time (no nested repetition to backtrack).
_CLOSING: Final = re.compile(
    rf"(?<![\w'-])(?:{_THANKS}|please|bye|goodbye|(?:please\s+)?let\s+me\s+know|just\s+wondering|"
    rf"asking\s+for\s+a\s+friend)[!.?]*$",
    re.I,
)
_SEPARATORS: Final = " \t\r\n,;:"
BOOKING_INTENT: Final = re.compile(
    r"\b(?:book|booking|reserve|reservation|appointment|appt|schedule\s+(?:a|an|me|my)|sign\s+me\s+up|come\s+in|"
    r"get\s+(?:me\s+)?in|fit\s+me\s+in|squeeze\s+me\s+in|any\s+openings?|availability|available\s+(?:on|at|tomorrow|today))\b",
    re.I,
)


def matching_text(message: str) -> str:
    """The part of a message that is embedded: without the greeting and courtesy around it."""
    core = _OPENING.sub("", message, count=1).rstrip(_SEPARATORS)
    for _ in range(6):
        closing = _CLOSING.search(core)
        if closing is None:
            break
        core = core[: closing.start()].rstrip(_SEPARATORS)
    return core.strip() or message.strip()


def needs_embedding(message: str) -> bool:
    """False for a bare greeting or thanks: it is answered by small talk before any search, and its
    words alone classify it (no lead type, no intent, no crisis wording fits the pattern). The forward
    pass is the largest CPU cost of a turn (~7 ms), so it is skipped when nothing would read it."""
    return SMALL_TALK.match(message.strip()) is None


def _embedded(message: str, deps: RunDeps) -> dict[str, Any]:
    """`embedder` and `embedding` for `detect_message`: none for small talk, else the vector of the
    message's matching text (the same text in every turn that re-reads it, so the cache answers)."""
    if not needs_embedding(message):
        return {"embedder": None, "embedding": None}
    return {"embedder": deps.embedder, "embedding": deps.embedder.embed([matching_text(message)])[0]}


def detect(state: ConversationState, runtime: Runtime[RunDeps]) -> ConversationState:
    deps = runtime.context
    message = state["message"]
    embedded = _embedded(message, deps)
    embedding = embedded["embedding"]
    detection = detect_message(
        message,
        **embedded,
        intents=deps.context.intents,
        crisis_keywords=deps.context.crisis.keywords,
        crisis_sensitivity=deps.context.crisis.sensitivity,
    )
    if detection.crisis.level != "crisis" and _asks_for_crisis_action(message, deps.context):
        # The pack's own crisis quick reply or trigger ("I need help right now") is a crisis turn.
        detection = replace(
            detection,
            crisis=CrisisAssessment("crisis", 1.0, (*detection.crisis.reasons, "chose the crisis help option")),
            classification=replace(detection.classification, crisis_level="crisis", lead_score="cold",
                                   buying_intent=0.0, sentiment="negative"),
        )
    review: tuple[ReviewItem, ...] = ()
    alert = None
    if detection.crisis.level != "none":
        settings = deps.context.crisis
        label = "crisis" if detection.crisis.level == "crisis" else "at risk"
        review = (ReviewItem("crisis", f"{label}: " + ", ".join(detection.crisis.reasons)),)
        if settings.alert_owner or settings.alert_recipients:
            alert = CrisisAlert(detection.crisis.level, detection.crisis.reasons, settings.alert_recipients)
    classification = detection.classification
    dragon = (
        deps.context.dragon_mode_enabled and classification.lead_score == "hot" and classification.crisis_level == "none"
    )
    return {
        "embedding": tuple(embedding.tolist()) if embedding is not None else (),
        "detection": detection,
        "review_items": review,
        "effects": (alert,) if alert is not None else (),
        "dragon_mode": dragon,
        "is_crisis": detection.crisis.level == "crisis",
    }


def _asks_for_crisis_action(message: str, context: BotRunContext) -> bool:
    lowered = message.lower().strip(" ?!.")
    if any(q.action == "crisis_script" and lowered == q.label.lower().strip(" ?!.") for q in context.quick_replies):
        return True
    return any(t.action == "crisis_script" and any(_phrase_in(p, lowered) for p in t.phrases) for t in context.triggers)


def route_after_detect(state: ConversationState) -> str:
    """The next node: crisis and at-risk messages leave the sales path at once."""
    level = state["detection"].crisis.level
    if level == "crisis":
        return names.CRISIS_REPLY
    if level == "at_risk":
        return names.AT_RISK_REPLY
    return names.DIRECT_ANSWER


def crisis_reply(state: ConversationState, runtime: Runtime[RunDeps]) -> ConversationState:
    # The bot stops selling: no Dragon Mode, no lead capture, no model call. Staff review it.
    return {
        "answer_text": prompts.crisis_reply_text(runtime.context.context),
        "answered_by": "crisis_script",
        "is_crisis": True,
        "dragon_mode": False,
        "grounded": True,
        "handoff_offered": True,
    }


def at_risk_reply(state: ConversationState, runtime: Runtime[RunDeps]) -> ConversationState:
    """`at_risk`: its own supportive reply with resources and an offer of a person, never the fallback."""
    return {
        "answer_text": prompts.at_risk_reply_text(runtime.context.context),
        "answered_by": "at_risk_script",
        "dragon_mode": False,
        "grounded": True,
        "handoff_offered": True,
    }


def _previous_topics(state: ConversationState) -> tuple[str, ...]:
    for turn in reversed(state.get("history", ())):
        if turn.role == "visitor":
            topics = detect_topics(turn.text)
            if topics or not is_day_follow_up(turn.text):
                return tuple(topics)
    return ()


def _action_update(result: ActionResult, *, prefix: str = "") -> ConversationState:
    text = f"{prefix.strip()} {result.text}".strip() if prefix and prefix.strip() not in result.text else result.text
    return {"answer_text": text, "answered_by": "action", "grounded": True,
            "handoff_offered": result.offers_handoff, "asked_for_contact": result.asks_contact}


def _phrase_in(phrase: str, lowered: str) -> bool:
    return re.search(rf"(?<![\w]){re.escape(phrase.lower())}(?![\w])", lowered) is not None


def direct_answer(state: ConversationState, runtime: Runtime[RunDeps]) -> ConversationState:
    """Answers that need no retrieval: small talk, the pack's quick replies (run through the action
    registry), contact details and the business facts."""
    context = runtime.context.context
    message = state["message"].strip()
    lowered = message.lower()
    classification = state["detection"].classification
    if SMALL_TALK.match(message):
        return {"answer_text": prompts.small_talk_text(context, message), "answered_by": "canned", "grounded": True}
    for reply in context.quick_replies:
        if reply.action and lowered.strip(" ?!.") == reply.label.lower().strip(" ?!."):
            result = run_action(reply.action, context)
            if result is not None:
                return _action_update(result)
    fact = answer_from_facts(context.facts, message, previous_topics=_previous_topics(state))
    if any(c.label in ("phone", "email") for c in classification.contacts):
        # Contact details are always acknowledged (and a question asked alongside still answered).
        received = LeadEffect(tuple(ContactDetail(c.label, c.normalised, c.text) for c in classification.contacts),
                              classification.lead_type, classification.lead_score, ())
        ack = prompts.contact_received_text(context, received)
        if fact is not None and fact.topic not in ("phone", "email"):
            ack = f"{fact.text} {ack}"
        return {"answer_text": ack, "answered_by": "canned", "grounded": True}
    if fact is not None:
        text = fact.text
        if BOOKING_INTENT.search(message) and fact.topic == "hours":
            text += " " + booking_question(context)
        if composes_answers(runtime.context):
            # With a model, it words the answer from these facts (and the grounding gate still applies).
            return {"fact_answer": text, "topic": fact.topic}
        return {"answer_text": text, "answered_by": "facts", "grounded": True, "topic": fact.topic,
                "citations": (f"facts:{fact.topic}",)}
    return {}


def composes_answers(deps: RunDeps) -> bool:
    """A language model (not the offline extractive provider) writes the answers of this run."""
    return bool(getattr(deps.model, "composes_answers", False))


def route_after_direct(state: ConversationState) -> str:
    if state.get("answered_by"):
        return names.WRAP_UP
    return names.RETRIEVE_AND_ANSWER if state.get("fact_answer") else names.APPROVED_ANSWER


def pack_action(state: ConversationState, runtime: Runtime[RunDeps]) -> ConversationState:
    """No approved answer: the pack's triggers (through the action registry), complaints and booking
    intent get their own replies before retrieval is tried."""
    context = runtime.context.context
    message = state["message"].strip()
    lowered = message.lower()
    classification = state["detection"].classification
    for trigger in context.triggers:
        if trigger.action == "crisis_script":
            continue
        if any(_phrase_in(p, lowered) for p in trigger.phrases):
            result = run_action(trigger.action, context)
            if result is not None:
                return _action_update(result, prefix=trigger.reply)
            if trigger.reply:
                return {"answer_text": trigger.reply, "answered_by": "action", "grounded": True}
    if classification.lead_type == "complaint":
        return {"answer_text": prompts.complaint_text(context), "answered_by": "action", "grounded": True,
                "handoff_offered": True, "asked_for_contact": True}
    if BOOKING_INTENT.search(message) and classification.lead_type in ("appointment", "service_request", "other",
                                                                       "general_question"):
        return {"answer_text": booking_question(context), "answered_by": "action", "grounded": True,
                "asked_for_contact": not context.booking_url}
    return {}


def route_after_pack_action(state: ConversationState) -> str:
    return names.WRAP_UP if state.get("answered_by") else names.RETRIEVE_AND_ANSWER


def approved_answer(state: ConversationState, runtime: Runtime[RunDeps]) -> ConversationState:
    match = runtime.context.ports.approved_answers.match(state["message"], list(state["embedding"]))
    if match is None:
        return {}
    if match.similarity < APPROVED_ANSWER_MIN_SIMILARITY:
        if match.similarity >= DID_YOU_MEAN_MIN_SIMILARITY:
            # The best one or two approved questions, sent as quick replies: tapping one asks it.
            close = [q for q, similarity in match.alternatives if similarity >= DID_YOU_MEAN_MIN_SIMILARITY]
            return {"suggestions": tuple(dict.fromkeys([match.question, *close]))[:2]}
        return {}
    return {
        "answer_text": match.answer,
        "answered_by": "approved_faq",
        "grounded": True,
        "confidence": match.similarity,
        "citations": (f"faq:{match.faq_id}",),
    }


def route_after_approved(state: ConversationState) -> str:
    return names.WRAP_UP if state.get("answered_by") == "approved_faq" else names.PACK_ACTION


def retrieve(state: ConversationState, runtime: Runtime[RunDeps]) -> ConversationState:
    deps = runtime.context
    hits = deps.ports.knowledge.search(state["message"], list(state["embedding"]), deps.context.retrieval_k)
    usable = tuple(sorted((h for h in hits if h.score >= MIN_GROUNDING_HIT_SCORE), key=lambda h: -h.score))
    if composes_answers(deps) and (usable or state.get("fact_answer")):
        # The model composes from the same facts the offline path answers with: the fact that answers
        # the question (if any) and the business's approved facts, ahead of the retrieved passages.
        facts: list[KnowledgeHit] = []
        if state.get("fact_answer"):
            facts.append(KnowledgeHit(f"facts:{state.get('topic', 'facts')}", state["fact_answer"],
                                      "Business facts: the answer", None, 1.0))
        brief = facts_brief(deps.context.facts)
        if brief:
            facts.append(KnowledgeHit("facts:business", brief, "Business facts", None, 1.0))
        usable = (*facts, *usable)
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
    fact = state.get("fact_answer")
    fact_update: ConversationState = {"answer_text": fact or "", "answered_by": "facts", "grounded": True,
                                      "citations": (f"facts:{state.get('topic', 'facts')}",)}
    try:
        result = deps.model.answer(request)
    except ModelCallFailed:
        if fact:  # the approved fact still answers the visitor without the model
            return {**fact_update, "model_ms": (time.perf_counter() - started) * 1000}
        return {"model_failed": True, "grounded": False, "model_ms": (time.perf_counter() - started) * 1000}
    if fact and (not result.grounded or result.confidence < MIN_ANSWER_CONFIDENCE):
        # The grounding gate refused the model's wording: send the fact itself.
        return {**fact_update, "usage": result.usage, "model_ms": (time.perf_counter() - started) * 1000}
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


_SPECIFIC_TYPES: Final = ("appointment", "service_request", "pricing", "complaint", "hours_location")


def _turn_labels(turn: Turn, deps: RunDeps) -> tuple[LeadType, float, CrisisLevel]:
    """Lead type, buying intent and crisis level of an earlier visitor turn: as stored when it was
    answered, or classified again when the caller has no labels (the sandbox, evaluation)."""
    if turn.lead_type is not None and turn.buying_intent is not None and turn.crisis_level is not None:
        return turn.lead_type, turn.buying_intent, turn.crisis_level
    c = detect_message(turn.text, **_embedded(turn.text, deps), intents=deps.context.intents,
                       crisis_keywords=deps.context.crisis.keywords,
                       crisis_sensitivity=deps.context.crisis.sensitivity).classification
    return c.lead_type, c.buying_intent, c.crisis_level


def _conversation_lead(state: ConversationState, runtime: Runtime[RunDeps]) -> LeadEffect:
    """ADM-5..8: the lead reflects the whole conversation: its highest intent so far, with reasons.
    "Book me tomorrow at 5" then "555-0199" is an appointment lead, scored on the booking turn."""
    deps = runtime.context
    detection = state["detection"]
    current = detection.classification
    best_text, best_type, best_intent = state["message"], current.lead_type, current.buying_intent
    reasons: list[str] = []
    for turn in state.get("history", ())[-10:]:
        if turn.role != "visitor":
            continue
        lead_type, intent, crisis_level = _turn_labels(turn, deps)
        if crisis_level != "none":
            continue
        if intent > best_intent or (best_type not in _SPECIFIC_TYPES and lead_type in _SPECIFIC_TYPES):
            best_text, best_type, best_intent = turn.text, lead_type, max(best_intent, intent)
            reasons = [f"earlier: “{turn.text[:80]}”"]
    labels = tuple(c.label for c in current.contacts)
    if best_text == state["message"]:
        scoring = detection.lead_scoring
    else:
        scoring = score_lead(text=best_text, lead_type=best_type, buying_intent=best_intent, contact_labels=labels,
                             crisis_level="none")
    return LeadEffect(
        contacts=tuple(ContactDetail(c.label, c.normalised, c.text) for c in current.contacts),
        lead_type=best_type,
        score=scoring.score,
        score_reasons=(*scoring.reasons, *reasons),
    )


def lead_capture(state: ConversationState, runtime: Runtime[RunDeps]) -> ConversationState:
    context = runtime.context.context
    detection = state["detection"]
    classification = detection.classification
    update: ConversationState = {"asked_for_contact": False, "contact_ask": ""}
    if classification.crisis_level != "none":
        return update  # never sell to someone at risk
    if classification.contacts:
        update["effects"] = (_conversation_lead(state, runtime),)
    contact_known = context.contact_known or any(c.label in ("phone", "email") for c in classification.contacts)
    if state.get("asked_for_contact"):
        update["asked_for_contact"] = True  # the action's own reply already asks
        return update
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
    if state.get("answered_by") in ("approved_faq", "canned", "facts", "action"):
        return {"is_fallback": False}
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
    lead = lead_of(state)
    if lead is not None and not state.get("model_failed") and any(c.label in ("phone", "email") for c in lead.contacts):
        # The visitor left details rather than asking something we could not answer.
        return {"answer_text": prompts.contact_received_text(runtime.context.context, lead), "answered_by": "canned", "is_fallback": False}
    suggestions = state.get("suggestions", ())
    if suggestions and not state.get("model_failed"):
        return {"answer_text": prompts.did_you_mean_text(suggestions), "answered_by": "did_you_mean",
                "is_fallback": False, "citations": ()}
    return {
        "answer_text": runtime.context.context.fallback_message,
        "answered_by": "fallback",
        "is_fallback": True,
        "citations": (),
        "review_items": (kind,),
    }


def compose_reply(state: ConversationState, runtime: Runtime[RunDeps]) -> ConversationState:
    """The visitor-facing text: the answer and the contact ask. Dragon Mode (PRM-5) leads with the
    next step instead of trailing it, and never on the crisis branches."""
    answer_text = state.get("answer_text", "")
    closing = state.get("contact_ask", "")
    if not closing:
        return {"reply": answer_text}
    if state.get("dragon_mode") and state.get("detection") and state["detection"].crisis.level == "none":
        return {"reply": f"{closing}\n\n{answer_text}" if answer_text else closing}
    return {"reply": f"{answer_text}\n\n{closing}" if answer_text else closing}
