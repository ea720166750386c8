"""A local receiver for outgoing webhooks (loopback only): stores every POST with its headers.

The demo points a client's webhook endpoint at it, so a newcomer can see signed deliveries on the
portal's "Sent messages" page. Answers 200, or the statuses queued in `fail_next`.
"""

from __future__ import annotations

from datetime import UTC, datetime

from ops.fake_provider_server import FakeProvider


class FakeWebhookReceiver(FakeProvider):
    def answer(self, method: str, path: str, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, str], bytes]:
        if method != "POST":
            return 405, {}, b""
        self.record({"path": path, "received_at": datetime.now(UTC).isoformat(),
                     "headers": {k: v for k, v in headers.items() if k.lower().startswith("shoreline-")},
                     "event_type": headers.get("Shoreline-Event-Type", ""),
                     "signature": headers.get("Shoreline-Signature", ""),
                     "body": body.decode(errors="replace")})
        return 200, {"Content-Type": "application/json"}, b'{"ok":true}'


if __name__ == "__main__":
    FakeWebhookReceiver.main()
