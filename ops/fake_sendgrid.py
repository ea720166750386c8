"""Fake SendGrid v3 mail send (loopback only): POST /v3/mail/send.

Same wire format as SendGrid: `Authorization: Bearer <key>`, a JSON body (personalizations, from,
subject, content, attachments), 202 with an empty body and an X-Message-Id header; 401 / 400 with
SendGrid's `{"errors": [...]}`. Every accepted email is stored; `GET /_fake/received` lists them.
"""

from __future__ import annotations

import json
import secrets
from datetime import UTC, datetime
from typing import Any

from ops.fake_provider_server import FakeProvider

DEMO_API_KEY = "SG.demo-sendgrid-key"


def _errors(status: int, message: str, field: str | None = None) -> tuple[int, dict[str, str], bytes]:
    body = {"errors": [{"message": message, "field": field, "help": None}]}
    return status, {"Content-Type": "application/json"}, json.dumps(body).encode()


class FakeSendGrid(FakeProvider):
    def __init__(self, api_key: str = DEMO_API_KEY) -> None:
        super().__init__()
        self.api_key = api_key

    def emails(self) -> list[dict[str, Any]]:
        return [entry for entry in self.snapshot() if "message_id" in entry]

    def answer(self, method: str, path: str, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, str], bytes]:
        if method != "POST" or path.split("?")[0] != "/v3/mail/send":
            return _errors(404, "Not found")
        if headers.get("Authorization") != f"Bearer {self.api_key}":
            return _errors(401, "The provided authorization grant is invalid, expired, or revoked")
        try:
            mail = json.loads(body)
        except ValueError:
            return _errors(400, "Bad Request", None)
        if not mail.get("personalizations"):
            return _errors(400, "The personalizations field is required and must have at least one personalization.",
                           "personalizations")
        if not (mail.get("from") or {}).get("email"):
            return _errors(400, "The from object must be provided for every email send.", "from")
        contents = {c.get("type"): c.get("value", "") for c in mail.get("content") or []}
        if not mail.get("subject") or not contents:
            return _errors(400, "Subject and content are required.", "subject")
        if list(contents)[0] != "text/plain" and "text/plain" in contents:
            return _errors(400, "If present, text/plain content must be first.", "content")
        message_id = secrets.token_urlsafe(16)
        self.record({
            "message_id": message_id, "received_at": datetime.now(UTC).isoformat(),
            "to": [to["email"] for p in mail["personalizations"] for to in p.get("to", [])],
            "from": mail["from"]["email"], "subject": mail["subject"], "text": contents.get("text/plain", ""),
            "html": contents.get("text/html", ""),
            "attachments": [{"filename": a.get("filename"), "type": a.get("type"), "content": a.get("content", "")}
                            for a in mail.get("attachments") or []],
            "custom_args": mail.get("custom_args") or {},
            "idempotency_key": headers.get("Idempotency-Key", ""),
        })
        return 202, {"X-Message-Id": message_id}, b""


if __name__ == "__main__":
    FakeSendGrid.main()
