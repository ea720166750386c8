"""The graph through the real OpenAI SDK against a local OpenAI-compatible server (no network).

openai 3.x uses httpx2, which respx cannot intercept; a real socket also checks the wire format.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import numpy as np
import pytest

from agents.conversation import BotRunContext, KnowledgeHit, Ports, conversation_reply
from agents.providers import build_model_provider


@dataclass
class FakeOpenAI:
    requests: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    answer: dict[str, Any] = field(
        default_factory=lambda: {
            "answer": "A skin fade is $35 at Fade Factory.",
            "grounded": True,
            "confidence": 0.92,
            "cited_chunk_ids": ["prices"],
        }
    )
    base_url: str = ""


def _vector(text: str) -> list[float]:
    seed = int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")
    vector = np.random.default_rng(seed).standard_normal(384)
    return [float(x) for x in vector / np.linalg.norm(vector)]


def _handler(state: FakeOpenAI) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 — stdlib signature
            return

        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            state.requests.append((self.path, body))
            if self.path == "/v1/embeddings":
                inputs = body["input"] if isinstance(body["input"], list) else [body["input"]]
                payload: dict[str, Any] = {
                    "object": "list",
                    "model": body["model"],
                    "data": [{"object": "embedding", "index": i, "embedding": _vector(t)} for i, t in enumerate(inputs)],
                    "usage": {"prompt_tokens": 3, "total_tokens": 3},
                }
            elif self.path == "/v1/chat/completions":
                payload = {
                    "id": "chatcmpl-local",
                    "object": "chat.completion",
                    "created": 1_790_000_000,
                    "model": body["model"],
                    "choices": [
                        {
                            "index": 0,
                            "finish_reason": "tool_calls",
                            "message": {
                                "role": "assistant",
                                "content": None,
                                "tool_calls": [
                                    {
                                        "id": "call_1",
                                        "type": "function",
                                        "function": {"name": "final_result", "arguments": json.dumps(state.answer)},
                                    }
                                ],
                            },
                        }
                    ],
                    "usage": {"prompt_tokens": 321, "completion_tokens": 17, "total_tokens": 338},
                }
            else:
                self.send_error(404)
                return
            data = json.dumps(payload).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    return Handler


@pytest.fixture
def fake_openai() -> Iterator[FakeOpenAI]:
    state = FakeOpenAI()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.base_url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


class FixedKnowledge:
    def search(self, query: str, embedding: list[float], k: int) -> list[KnowledgeHit]:
        assert len(embedding) == 384
        return [
            KnowledgeHit("prices", "A classic haircut costs $30. A skin fade is $35.", "Price list", "https://fade.example/prices", 0.91),
            KnowledgeHit("hours", "We are open Monday to Friday from 9am to 7pm.", "Hours", None, 0.52),
        ]


def test_graph_calls_openai_chat_and_embeddings_on_the_wire(fake_openai: FakeOpenAI) -> None:
    provider = build_model_provider(
        openai_api_key="sk-test-not-a-secret", openai_base_url=fake_openai.base_url, chat_model="gpt-4o-mini"
    )
    context = BotRunContext(client_slug="fade-factory", bot_id="bot-1", business_name="Fade Factory")
    result = conversation_reply(
        message="How much is a skin fade?", history=[], context=context, ports=Ports(knowledge=FixedKnowledge()), model=provider
    )

    assert result.reply == "A skin fade is $35 at Fade Factory."
    assert (result.answered_by, result.is_fallback, result.citations) == ("model", False, ("prices",))
    assert (result.usage.input_tokens, result.usage.output_tokens, result.usage.model_name) == (321, 17, "gpt-4o-mini")

    embedding_calls = [body for path, body in fake_openai.requests if path == "/v1/embeddings"]
    assert embedding_calls
    assert all(b["model"] == "text-embedding-3-small" and b["dimensions"] == 384 for b in embedding_calls)
    assert ["How much is a skin fade?"] in [b["input"] for b in embedding_calls]

    chat_calls = [body for path, body in fake_openai.requests if path == "/v1/chat/completions"]
    assert len(chat_calls) == 1
    chat = chat_calls[0]
    assert chat["model"] == "gpt-4o-mini"
    assert [tool["function"]["name"] for tool in chat["tools"]] == ["final_result"]
    sent_text = json.dumps(chat["messages"])
    assert "A skin fade is $35." in sent_text  # the grounding excerpt
    assert "[prices] Price list (https://fade.example/prices)" in sent_text
    assert "Visitor question: How much is a skin fade?" in sent_text
    assert "website chat assistant for Fade Factory" in sent_text


def test_server_error_twice_gives_fallback_without_raising(fake_openai: FakeOpenAI) -> None:
    fake_openai.answer = {"not": "valid"}  # fails output validation on both attempts
    provider = build_model_provider(openai_api_key="sk-test", openai_base_url=fake_openai.base_url, timeout_s=5)
    context = BotRunContext(client_slug="c", bot_id="b", business_name="Fade Factory", fallback_message="We'll get back to you.")
    result = conversation_reply(
        message="How much is a skin fade?", history=[], context=context, ports=Ports(knowledge=FixedKnowledge()), model=provider
    )
    assert (result.reply, result.is_fallback) == ("We'll get back to you.", True)
    assert [item.kind for item in result.review_items] == ["fallback"]
