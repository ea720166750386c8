"""A small threaded loopback HTTP server that fakes one provider and keeps what it received.

The SMS and email fakes (ops/fake_twilio.py, ops/fake_sendgrid.py) and the webhook receiver
(ops/fake_webhook_receiver.py) build on it. Each one answers the provider's real path with the real
wire format, stores every request, and lists what it stored at `GET /_fake/received` (JSON), which
the portal's "Sent messages" page reads in the demo.

    with FakeTwilio.running() as fake:      # tests
        fake.base_url
    python -m ops.fake_twilio --port 8025   # the demo (ops/dev.py starts them)
"""

from __future__ import annotations

import argparse
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        return


class FakeProvider:
    """Subclasses implement `answer(method, path, headers, body) -> (status, headers, body bytes)`."""

    LIST_PATH = "/_fake/received"

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        self.fail_next: list[int] = []  # statuses to answer the next requests with (retry tests)
        self.base_url = ""
        self._lock = threading.Lock()

    def answer(self, method: str, path: str, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, str], bytes]:
        raise NotImplementedError

    def record(self, entry: dict[str, Any]) -> None:
        with self._lock:
            self.received.append(entry)

    def snapshot(self) -> list[dict[str, Any]]:
        with self._lock:
            return list(self.received)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                return

            def _reply(self, status: int, headers: dict[str, str], body: bytes) -> None:
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _serve(self, method: str) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                path = self.path
                if method == "GET" and path.split("?")[0] == fake.LIST_PATH:
                    self._reply(200, {"Content-Type": "application/json"},
                                json.dumps({"received": fake.snapshot()}).encode())
                    return
                with fake._lock:
                    failing = fake.fail_next.pop(0) if fake.fail_next and method == "POST" else None
                if failing is not None:
                    fake.record({"path": path, "failed_with": failing})
                    self._reply(failing, {"Content-Type": "application/json"},
                                json.dumps({"message": "simulated outage", "status": failing}).encode())
                    return
                status, headers, payload = fake.answer(method, path, dict(self.headers.items()), body)
                self._reply(status, headers, payload)

            def do_GET(self) -> None:
                self._serve("GET")

            def do_POST(self) -> None:
                self._serve("POST")

        return Handler

    @contextmanager
    def running(self, port: int = 0) -> Iterator[Self]:
        server = _QuietServer(("127.0.0.1", port), self._handler())
        self.base_url = f"http://127.0.0.1:{server.server_address[1]}"
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            server.shutdown()
            server.server_close()

    @classmethod
    def main(cls, argv: list[str] | None = None, **kwargs: Any) -> None:
        parser = argparse.ArgumentParser()
        parser.add_argument("--port", type=int, required=True)
        args = parser.parse_args(argv)
        with cls(**kwargs).running(args.port) as fake:
            print(f"{cls.__name__} listening on {fake.base_url}", flush=True)
            threading.Event().wait()
