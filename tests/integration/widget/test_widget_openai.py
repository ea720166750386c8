"""The OpenAI path end to end: widget API → graph → real OpenAI SDK → a local fake server (real HTTP)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from ops.fake_openai import FakeOpenAI
from tests.integration.widget.support import (
    VISITOR,
    WidgetSetup,
    openai_fake_configured,
    public_usage,
    row_counts,
)

pytestmark = pytest.mark.django_db
PATIO = "Our patio seats 40 guests. The patio is heated from October to April, and dogs are welcome on the patio."
QUESTION = "Is your patio heated in winter?"


@pytest.fixture
def fake_openai(settings: Any) -> Iterator[FakeOpenAI]:
    with openai_fake_configured(settings, FakeOpenAI()) as fake:
        yield fake


@pytest.fixture
def patio_chunk(alpha: WidgetSetup) -> int:
    from tenants.knowledge.models import Chunk
    from tenants.knowledge.services import knowledge_source_upsert

    with alpha.schema():
        knowledge_source_upsert(bot_id=alpha.bot_id, kind="article", title="Patio", body=PATIO)
        return Chunk.objects.get().pk


def test_message_is_answered_by_the_model_on_the_grounded_prompt(
    alpha: WidgetSetup, patio_chunk: int, fake_openai: FakeOpenAI
) -> None:
    from tenants.conversations.models import Event, Message

    fake_openai.answer = {"answer": "Yes, the patio is heated from October to April.", "grounded": True,
                          "confidence": 0.9, "cited_chunk_ids": [str(patio_chunk)]}
    usage_before = public_usage(alpha.client)
    response = alpha.send(QUESTION)
    assert response.status_code == 200
    body = response.json()
    assert (body["reply"], body["answered_by"], body["is_fallback"]) == (
        "Yes, the patio is heated from October to April.", "model", False)

    chats = fake_openai.chat_requests()
    assert len(chats) == 1
    chat = chats[0]
    assert chat["model"] == "gpt-4o-mini"
    assert [tool["function"]["name"] for tool in chat["tools"]] == ["final_result"]
    sent = json.dumps(chat["messages"])
    assert "website chat assistant for Alpha Co" in sent
    assert f"[{patio_chunk}] Patio" in sent  # the grounding excerpt, with its id
    assert "The patio is heated from October to April" in sent
    assert f"Visitor question: {QUESTION}" in sent
    # Stored embeddings are MiniLM, so queries are embedded locally too: no embeddings call.
    assert [path for path, _ in fake_openai.requests] == ["/v1/chat/completions"]

    with alpha.schema():
        bot = Message.objects.get(pk=body["message_id"])
        assert (bot.model_name, bot.input_tokens, bot.output_tokens) == ("gpt-4o-mini", 321, 17)
        assert bot.citations == [str(patio_chunk)]
        assert bot.model_ms is not None
        assert 0 < bot.model_ms <= bot.server_ms  # type: ignore[operator]
        event = Event.objects.get(kind="message")
        assert event.data["model_ms"] == bot.model_ms
    from controlplane.billing.metering import current_period
    from controlplane.billing.models import UsagePeriod

    period = UsagePeriod.objects.get(client=alpha.client, period=current_period())
    assert period.messages == usage_before + 1
    assert (period.input_tokens, period.output_tokens) >= (321, 17)


def test_history_is_sent_on_the_second_turn(alpha: WidgetSetup, patio_chunk: int, fake_openai: FakeOpenAI) -> None:
    first = alpha.send(QUESTION).json()
    alpha.send("And is the patio dog friendly?", conversation_id=first["conversation_id"])
    second_chat = json.dumps(fake_openai.chat_requests()[-1]["messages"])
    assert QUESTION in second_chat
    assert first["reply"] in second_chat


def test_an_ungrounded_model_answer_becomes_the_fallback(
    alpha: WidgetSetup, patio_chunk: int, fake_openai: FakeOpenAI
) -> None:
    fake_openai.answer = {"answer": "Probably.", "grounded": False, "confidence": 0.2, "cited_chunk_ids": []}
    body = alpha.send(QUESTION).json()
    assert (body["answered_by"], body["is_fallback"]) == ("fallback", True)


@pytest.mark.parametrize("trouble", ["timeout", "server_error"])
def test_model_trouble_gives_the_fallback_after_one_retry_and_loses_nothing(
    alpha: WidgetSetup, patio_chunk: int, fake_openai: FakeOpenAI, settings: Any, trouble: str
) -> None:
    from controlplane.core.model_provider import model_provider
    from tenants.bots.selectors import bot_get, bot_published_config
    from tenants.conversations.models import Message, ReviewItem

    if trouble == "timeout":
        settings.MODEL_TIMEOUT_SECONDS = 0.3
        model_provider.cache_clear()
        fake_openai.delay_s = 1.0
    else:
        fake_openai.fail_status = 500

    response = alpha.send(QUESTION)
    assert response.status_code == 200
    body = response.json()
    with alpha.schema():
        fallback = bot_published_config(bot_get(bot_id=alpha.bot_id)).fallback_message  # type: ignore[arg-type]
        assert (body["reply"], body["answered_by"], body["is_fallback"]) == (fallback, "fallback", True)
        rows = list(Message.objects.order_by("id").values_list("role", "text", "is_fallback", "model_name"))
        assert rows == [("visitor", QUESTION, False, ""), ("bot", fallback, True, "")]
        assert list(ReviewItem.objects.values_list("kind", "reason", "question")) == [
            ("fallback", "model call failed after one retry", QUESTION)]
        bot = Message.objects.get(pk=body["message_id"])
        assert bot.model_ms is not None
        if trouble == "timeout":
            assert bot.model_ms >= 2 * 300  # both attempts waited for their timeout
    assert len(fake_openai.chat_requests()) == 2  # the call and exactly one retry
    counts = row_counts(alpha.client)
    assert (counts["Visitor"], counts["Conversation"], counts["Event"]) == (1, 1, 2)  # message + fallback


def test_the_api_key_is_never_in_a_response(alpha: WidgetSetup, patio_chunk: int, fake_openai: FakeOpenAI) -> None:
    contents = alpha.send(QUESTION).content + alpha.get("/config").content
    stream = alpha.post("/messages/stream", {"visitor_id": VISITOR, "text": QUESTION})
    contents += b"".join(stream.streaming_content)
    assert b"sk-test-not-a-secret" not in contents
