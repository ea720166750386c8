"""A small local OpenAI-compatible HTTP server for tests and benchmarks (loopback only, no network).

openai 3.x speaks httpx2, which respx cannot intercept; a real socket also checks the wire format.
It answers `/v1/chat/completions` with the structured `final_result` tool call pydantic-ai expects and
`/v1/embeddings` with deterministic unit vectors. `delay_s` and `fail_status` simulate a slow or
broken provider.

    with FakeOpenAI.running() as fake:
        fake.base_url  # http://127.0.0.1:PORT/v1
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import numpy as np

DEFAULT_ANSWER: dict[str, Any] = {
    "answer": "Yes, the patio is heated from October to April.",
    "grounded": True,
    "confidence": 0.9,
    "cited_chunk_ids": [],
}


def fake_vector(text: str, dimensions: int = 384) -> list[float]:
    seed = int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")
    vector = np.random.default_rng(seed).standard_normal(dimensions)
    return [float(x) for x in vector / np.linalg.norm(vector)]


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        # Clients that hang up (a timeout test, a stopped benchmark server) are not errors here.
        return


@dataclass
class FakeOpenAI:
    answer: dict[str, Any] = field(default_factory=lambda: dict(DEFAULT_ANSWER))
    delay_s: float = 0.0
    fail_status: int | None = None
    usage: tuple[int, int] = (321, 17)
    record: bool = True
    requests: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    base_url: str = ""
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def chat_requests(self) -> list[dict[str, Any]]:
        with self._lock:
            return [body for path, body in self.requests if path == "/v1/chat/completions"]

    def _payload(self, path: str, body: dict[str, Any]) -> dict[str, Any] | None:
        if path == "/v1/embeddings":
            inputs = body["input"] if isinstance(body["input"], list) else [body["input"]]
            return {
                "object": "list", "model": body["model"],
                "data": [{"object": "embedding", "index": i, "embedding": fake_vector(t, body.get("dimensions", 384))}
                         for i, t in enumerate(inputs)],
                "usage": {"prompt_tokens": 3, "total_tokens": 3},
            }
        if path == "/v1/chat/completions":
            prompt_tokens, completion_tokens = self.usage
            return {
                "id": "chatcmpl-local", "object": "chat.completion", "created": 1_790_000_000, "model": body["model"],
                "choices": [{
                    "index": 0, "finish_reason": "tool_calls",
                    "message": {"role": "assistant", "content": None, "tool_calls": [{
                        "id": "call_1", "type": "function",
                        "function": {"name": "final_result", "arguments": json.dumps(self.answer)},
                    }]},
                }],
                "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
                          "total_tokens": prompt_tokens + completion_tokens},
            }
        return None

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        state = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 — stdlib signature
                return

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                if state.record:
                    with state._lock:
                        state.requests.append((self.path, body))
                if state.delay_s:
                    time.sleep(state.delay_s)
                payload = state._payload(self.path, body)
                status = 200
                if payload is None:
                    status, payload = 404, {"error": {"message": "not found", "type": "invalid_request_error"}}
                elif state.fail_status and self.path == "/v1/chat/completions":
                    status = state.fail_status
                    payload = {"error": {"message": "simulated failure", "type": "server_error"}}
                data = json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    return  # the client gave up (a timeout test); nothing to tell it

        return Handler

    @contextmanager
    def running(self, port: int = 0) -> Iterator[FakeOpenAI]:
        server = _QuietServer(("127.0.0.1", port), self._handler())
        server.daemon_threads = True
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        self.base_url = f"http://127.0.0.1:{server.server_address[1]}/v1"
        try:
            yield self
        finally:
            server.shutdown()
            server.server_close()


def main() -> int:
    """`python -m ops.fake_openai --port 8999`: serve until interrupted (used by ops/bench)."""
    import argparse

    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--delay", type=float, default=0.0)
    args = parser.parse_args()
    fake = FakeOpenAI(delay_s=args.delay, record=False)
    with fake.running(args.port):
        print(fake.base_url, flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            return 0


if __name__ == "__main__":
    raise SystemExit(main())
