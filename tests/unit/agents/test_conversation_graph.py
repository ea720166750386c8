from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest
from pydantic_ai.messages import ModelMessage, ModelResponse, ToolCallPart
from pydantic_ai.models.function import AgentInfo, FunctionModel

from agents.conversation import (
    ApprovedAnswer,
    BotRunContext,
    CrisisResource,
    CrisisSettings,
    Ports,
    Turn,
    TurnResult,
    conversation_reply,
    conversation_reply_stream,
    conversation_reply_stream_async,
)
from agents.conversation.nodes import APPROVED_ANSWER_MIN_SIMILARITY
from agents.conversation.prompts import contact_ask_text
from agents.embeddings import Embedder
from agents.providers import OfflineModelProvider, PydanticAIModelProvider

FakeKnowledgeSearch = Any  # the fixture type lives in conftest.py, which is not importable by name


class RecordingModel:
    """A FunctionModel that answers with a fixed structured output and records every call."""

    def __init__(self, *, answer: str = "A skin fade is $35.", grounded: bool = True, confidence: float = 0.9) -> None:
        self.calls: list[list[ModelMessage]] = []
        self.output = {"answer": answer, "grounded": grounded, "confidence": confidence, "cited_chunk_ids": ["prices"]}

    def __call__(self, messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        self.calls.append(messages)
        return ModelResponse(parts=[ToolCallPart(info.output_tools[0].name, self.output)])


def llm(embedder: Embedder, function: RecordingModel, *, timeout_s: float = 15.0) -> PydanticAIModelProvider:
    return PydanticAIModelProvider(FunctionModel(function), embedder=embedder, model_name="test-model", timeout_s=timeout_s)


def reply(message: str, context: BotRunContext, ports: Ports, model: object, history: list[Turn] | None = None) -> TurnResult:
    return conversation_reply(message=message, history=history or [], context=context, ports=ports, model=model)  # type: ignore[arg-type]


def test_offline_answer_is_extractive_and_cites_the_chunk(context: BotRunContext, ports: Ports, offline_model: OfflineModelProvider) -> None:
    result = reply("How much is a skin fade?", context, ports, offline_model)
    # The whole passage of the one best source, never sentences spliced from several.
    assert result.reply == "A classic haircut costs $30. A skin fade is $35. Beard trims are $15, or $40 together with a haircut."
    assert (result.answered_by, result.is_fallback, result.is_crisis) == ("extractive", False, False)
    assert result.citations == ("prices",)
    assert result.review_items == ()
    assert result.detection.classification.lead_type == "pricing"


def test_offline_answer_only_uses_knowledge_sentences(context: BotRunContext, ports: Ports, offline_model: OfflineModelProvider, knowledge: FakeKnowledgeSearch) -> None:
    result = reply("are you open on sunday?", context, ports, offline_model)
    source = " ".join(text for _, _, text in knowledge.chunks)
    assert result.answered_by == "extractive"
    assert "closed on Sundays" in result.reply
    assert all(sentence.strip() in source for sentence in result.reply.split(". ") if sentence.strip())


def test_unknown_question_falls_back_and_opens_review_item(context: BotRunContext, ports: Ports, offline_model: OfflineModelProvider) -> None:
    result = reply("Do you sell motorcycle insurance?", context, ports, offline_model)
    assert result.reply == context.fallback_message
    assert (result.answered_by, result.is_fallback) == ("fallback", True)
    assert [item.kind for item in result.review_items] == ["unknown_question"]


def test_model_answer_is_grounded_on_retrieved_text(context: BotRunContext, ports: Ports, embedder: Embedder) -> None:
    function = RecordingModel()
    result = reply("How much is a skin fade?", context, ports, llm(embedder, function))
    assert result.reply == "A skin fade is $35."
    assert (result.answered_by, result.is_fallback) == ("model", False)
    assert result.citations == ("prices",)
    assert result.usage.model_name == "test-model"
    assert result.usage.input_tokens > 0
    prompt = str(function.calls[0])
    assert "A skin fade is $35." in prompt
    assert "Fade Factory" in prompt


def test_model_saying_not_grounded_gives_fallback(context: BotRunContext, ports: Ports, embedder: Embedder) -> None:
    function = RecordingModel(answer="I'm not sure.", grounded=False, confidence=0.2)
    result = reply("How much is a skin fade for a dog?", context, ports, llm(embedder, function))
    assert (result.reply, result.is_fallback) == (context.fallback_message, True)
    assert [item.kind for item in result.review_items] == ["unknown_question"]


class ApprovedFaqs:
    def __init__(self, embedder: Embedder) -> None:
        self.question = "How much is a skin fade?"
        self.vector = embedder.embed([self.question])[0]

    def match(self, query: str, embedding: list[float]) -> ApprovedAnswer | None:
        similarity = float(self.vector @ embedding)
        return ApprovedAnswer("faq-7", self.question, "Skin fades are $35, beard included on Tuesdays.", similarity)


def test_approved_answer_shortcut_makes_no_model_call(context: BotRunContext, knowledge: FakeKnowledgeSearch, embedder: Embedder) -> None:
    function = RecordingModel()
    ports = Ports(knowledge=knowledge, approved_answers=ApprovedFaqs(embedder))
    result = reply("how much is a skin fade", context, ports, llm(embedder, function))
    assert result.reply == "Skin fades are $35, beard included on Tuesdays."
    assert (result.answered_by, result.citations, result.model_ms) == ("approved_faq", ("faq:faq-7",), 0.0)
    assert function.calls == []
    assert knowledge.queries == []  # no retrieval either


def test_approved_answer_below_threshold_is_not_used(context: BotRunContext, knowledge: FakeKnowledgeSearch, embedder: Embedder) -> None:
    function = RecordingModel(answer="We open at 9am on weekdays.")
    ports = Ports(knowledge=knowledge, approved_answers=ApprovedFaqs(embedder))
    result = reply("What time do you open on Monday?", context, ports, llm(embedder, function))
    assert APPROVED_ANSWER_MIN_SIMILARITY > 0.8
    assert result.answered_by == "model"
    assert len(function.calls) == 1


def test_model_timeout_falls_back_after_exactly_one_retry(context: BotRunContext, ports: Ports, embedder: Embedder) -> None:
    calls: list[float] = []

    async def slow(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        calls.append(time.perf_counter())
        await asyncio.sleep(2)
        raise AssertionError("the timeout should have cancelled this call")

    provider = PydanticAIModelProvider(FunctionModel(slow), embedder=embedder, model_name="slow", timeout_s=0.1)
    started = time.perf_counter()
    result = reply("How much is a skin fade?", context, ports, provider)
    assert len(calls) == 2
    assert time.perf_counter() - started < 1.5
    assert (result.reply, result.is_fallback, result.answered_by) == (context.fallback_message, True, "fallback")
    assert [item.kind for item in result.review_items] == ["fallback"]


def test_model_error_then_success_uses_the_retry(context: BotRunContext, ports: Ports, embedder: Embedder) -> None:
    attempts: list[int] = []

    def flaky(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        attempts.append(1)
        if len(attempts) == 1:
            raise ConnectionError("upstream reset")
        return ModelResponse(parts=[ToolCallPart(info.output_tools[0].name, {"answer": "Fades are $35.", "grounded": True, "confidence": 0.8})])

    provider = PydanticAIModelProvider(FunctionModel(flaky), embedder=embedder, model_name="flaky")
    result = reply("How much is a skin fade?", context, ports, provider)
    assert (len(attempts), result.reply, result.is_fallback) == (2, "Fades are $35.", False)


CRISIS_CONTEXT = dict(dragon_mode_enabled=True, crisis=CrisisSettings(script="", resources=()))


def test_crisis_uses_safe_default_script_never_dragon_never_sells(context: BotRunContext, ports: Ports, embedder: Embedder) -> None:
    function = RecordingModel()
    dragon = BotRunContext(**{**_fields(context), **CRISIS_CONTEXT})
    result = reply("I want to book today but honestly I want to kill myself", dragon, ports, llm(embedder, function))
    assert (result.is_crisis, result.answered_by, result.asked_for_contact, result.lead) == (True, "crisis_script", False, None)
    assert "988" in result.reply
    assert "911" in result.reply
    assert dragon.booking_url is not None
    assert dragon.booking_url not in result.reply
    assert [item.kind for item in result.review_items] == ["crisis"]
    assert function.calls == []


def test_crisis_uses_the_configured_script_and_resources(context: BotRunContext, ports: Ports, offline_model: OfflineModelProvider) -> None:
    configured = BotRunContext(
        **{
            **_fields(context),
            "crisis": CrisisSettings(script="Please reach out now.", resources=(CrisisResource("Hope Line", "1-800-555-0100"),)),
        }
    )
    result = reply("I relapsed and took too many pills", configured, ports, offline_model)
    assert result.reply.splitlines() == [
        "Please reach out now.",
        "",
        "Resources:",
        "- Hope Line: 1-800-555-0100",
        "- 988 Suicide & Crisis Lifeline: Call or text 988",
    ]


def test_dragon_mode_pushes_booking_for_hot_leads(context: BotRunContext, ports: Ports, offline_model: OfflineModelProvider) -> None:
    dragon = BotRunContext(**{**_fields(context), "dragon_mode_enabled": True})
    result = reply("I want to book a skin fade today, how much is it?", dragon, ports, offline_model)
    assert result.detection.classification.lead_score == "hot"
    # PRM-5 changes the order: the next step leads, the answer follows.
    assert result.reply.startswith("Ready to lock it in? Book your spot here: " + str(dragon.booking_url))
    assert "$35" in result.reply
    plain = reply("I want to book a skin fade today, how much is it?", context, ports, offline_model)
    assert dragon.booking_url not in plain.reply  # type: ignore[operator]


def test_lead_capture_asks_once(context: BotRunContext, ports: Ports, offline_model: OfflineModelProvider) -> None:
    message = "I want a skin fade today asap, how much?"
    first = reply(message, context, ports, offline_model)
    ask = contact_ask_text(context)
    assert first.asked_for_contact is True
    assert first.reply.endswith(ask)
    assert first.reply.count(ask) == 1
    # The caller records asked_for_contact; either the flag or the history stops a second ask.
    again = reply(message, BotRunContext(**{**_fields(context), "already_asked_for_contact": True}), ports, offline_model)
    from_history = reply(message, context, ports, offline_model, history=[Turn("visitor", message), Turn("bot", first.reply)])
    assert (again.asked_for_contact, ask in again.reply) == (False, False)
    assert (from_history.asked_for_contact, ask in from_history.reply) == (False, False)


def test_contact_details_become_a_lead_effect(context: BotRunContext, ports: Ports, offline_model: OfflineModelProvider) -> None:
    result = reply("Can I book a fade for tomorrow at 3? I'm Dana, 415-555-0132", context, ports, offline_model)
    assert result.lead is not None
    assert [(c.label, c.value, c.text) for c in result.lead.contacts] == [
        ("name", "Dana", "Dana"),
        ("phone", "+14155550132", "415-555-0132"),
    ]
    assert (result.lead.lead_type, result.lead.score) == ("appointment", "hot")
    assert result.lead.score_reasons[:2] == ("gave phone number", "gave their name")
    assert "wants it soon (tomorrow)" in result.lead.score_reasons
    assert result.asked_for_contact is False
    assert result.reply.startswith("Thanks, Dana!")


def test_greeting_is_not_a_fallback(context: BotRunContext, ports: Ports, offline_model: OfflineModelProvider) -> None:
    result = reply("hi there", context, ports, offline_model)
    assert (result.answered_by, result.is_fallback, result.review_items) == ("canned", False, ())


def test_streaming_yields_text_then_result(context: BotRunContext, ports: Ports, offline_model: OfflineModelProvider) -> None:
    pieces = list(conversation_reply_stream(message="How much is a skin fade?", history=[], context=context, ports=ports, model=offline_model))
    *texts, final = pieces
    assert isinstance(final, TurnResult)
    assert "".join(str(t) for t in texts) == final.reply

    async def collect() -> list[object]:
        return [p async for p in conversation_reply_stream_async(message="hi", history=[], context=context, ports=ports, model=offline_model)]

    async_pieces = asyncio.run(collect())
    assert isinstance(async_pieces[-1], TurnResult)


def _fields(context: BotRunContext) -> dict[str, object]:
    return {name: getattr(context, name) for name in BotRunContext.__dataclass_fields__}


@pytest.mark.parametrize("sensitivity", ["medium", "high"])  # at "low", a past relapse is not flagged
def test_at_risk_turn_answers_but_does_not_sell(sensitivity: str, context: BotRunContext, ports: Ports, offline_model: OfflineModelProvider) -> None:
    settings = CrisisSettings(sensitivity=sensitivity)  # type: ignore[arg-type]
    at_risk = BotRunContext(**{**_fields(context), "crisis": settings, "dragon_mode_enabled": True})
    result = reply("I relapsed last week, can I book a haircut today?", at_risk, ports, offline_model)
    assert result.is_crisis is False
    assert result.asked_for_contact is False
    assert at_risk.booking_url not in result.reply  # type: ignore[operator]
    assert [item.kind for item in result.review_items][:1] == ["crisis"]


class _CountingEmbedder:
    """Wraps the real embedder and counts the texts it embeds."""

    def __init__(self, inner: Embedder) -> None:
        self.inner, self.seen = inner, []  # type: tuple[Embedder, list[str]]

    @property
    def name(self) -> str:
        return self.inner.name

    def embed(self, texts: list[str]) -> Any:
        self.seen += texts
        return self.inner.embed(texts)


def test_the_embedder_is_its_own_port(context: BotRunContext, ports: Ports, embedder: Embedder) -> None:
    """Issue 11: the query is embedded by the port's embedder (the one the stored vectors were made
    with), not by whatever embedder the model provider carries."""
    from dataclasses import replace

    port_embedder, model_embedder = _CountingEmbedder(embedder), _CountingEmbedder(embedder)
    model = OfflineModelProvider(model_embedder)  # type: ignore[arg-type]
    result = reply("How much is a skin fade?", context, replace(ports, embedder=port_embedder), model)  # type: ignore[arg-type]
    assert result.answered_by == "extractive"
    assert "How much is a skin fade?" in port_embedder.seen
    # The model provider's embedder only embeds the passage sentences of its extractive answer.
    assert "How much is a skin fade?" not in model_embedder.seen


def test_the_model_composes_facts_answers_from_the_facts(ports: Ports, embedder: Embedder) -> None:
    """Issue 11: with a model, a business-facts question goes to the model with the facts as excerpts;
    an ungrounded wording sends the fact itself (the same grounding gate)."""
    from agents.conversation.facts import BusinessFacts

    facts_context = BotRunContext(client_slug="c", bot_id="1", business_name="Fade Lab",
                                  facts=BusinessFacts(phone="(555) 010-0199", address="1 Main St"))
    model = RecordingModel(answer="Call us on (555) 010-0199 any time.")
    result = reply("what's your phone number?", facts_context, ports, llm(embedder, model))
    assert (result.answered_by, result.reply) == ("model", "Call us on (555) 010-0199 any time.")
    sent = str(model.calls[-1])
    assert "[facts:phone]" in sent
    assert "You can reach us at (555) 010-0199." in sent
    assert "Address: 1 Main St" in sent
    refused = RecordingModel(answer="Maybe call us?", grounded=False, confidence=0.1)
    result = reply("what's your phone number?", facts_context, ports, llm(embedder, refused))
    assert (result.answered_by, result.reply) == ("facts", "You can reach us at (555) 010-0199.")
