"""Fake Twilio Messages API (loopback only): POST /2010-04-01/Accounts/{AccountSid}/Messages.json.

Same wire format as Twilio: HTTP basic auth (account SID : auth token), a form-encoded body with
To / From / Body, 201 with the JSON message resource; 401 / 400 with Twilio's error JSON. Every
accepted message is stored; `GET /_fake/received` and Twilio's own list endpoint
(GET …/Messages.json) return them.
"""

from __future__ import annotations

import base64
import json
import re
import secrets
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any
from urllib.parse import parse_qs

from ops.fake_provider_server import FakeProvider

E164 = re.compile(r"^\+[1-9]\d{6,14}$")
PATH = re.compile(r"^/2010-04-01/Accounts/(?P<sid>AC[0-9a-fA-F]{32})/Messages\.json$")
DEMO_ACCOUNT_SID = "AC" + "0" * 31 + "1"
DEMO_AUTH_TOKEN = "demo-twilio-auth-token"  # noqa: S105 — a fake's credential, loopback only


def _error(status: int, code: int, message: str) -> tuple[int, dict[str, str], bytes]:
    body = {"code": code, "message": message, "more_info": f"https://www.twilio.com/docs/errors/{code}",
            "status": status}
    return status, {"Content-Type": "application/json"}, json.dumps(body).encode()


class FakeTwilio(FakeProvider):
    def __init__(self, account_sid: str = DEMO_ACCOUNT_SID, auth_token: str = DEMO_AUTH_TOKEN) -> None:
        super().__init__()
        self.account_sid, self.auth_token = account_sid, auth_token

    def messages(self) -> list[dict[str, object]]:
        return [entry for entry in self.snapshot() if "sid" in entry]

    def answer(self, method: str, path: str, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, str], bytes]:
        match = PATH.match(path.split("?")[0])
        if match is None:
            return _error(404, 20404, "The requested resource was not found")
        expected = "Basic " + base64.b64encode(f"{self.account_sid}:{self.auth_token}".encode()).decode()
        if headers.get("Authorization") != expected or match["sid"] != self.account_sid:
            return _error(401, 20003, "Authenticate")
        if method == "GET":
            page = {"messages": self.messages(), "uri": path, "page": 0, "page_size": 50,
                    "first_page_uri": path, "next_page_uri": None, "previous_page_uri": None, "start": 0, "end": 0}
            return 200, {"Content-Type": "application/json"}, json.dumps(page).encode()
        if not headers.get("Content-Type", "").startswith("application/x-www-form-urlencoded"):
            return _error(400, 20001, "Expected a form-encoded body")
        form = {key: values[-1] for key, values in parse_qs(body.decode()).items()}
        to, sender, text = form.get("To", ""), form.get("From", ""), form.get("Body", "")
        if not E164.match(to):
            return _error(400, 21211, f"The 'To' number {to} is not a valid phone number.")
        if not sender:
            return _error(400, 21603, "A 'From' phone number is required.")
        if not text:
            return _error(400, 21602, "Message body is required.")
        sid = "SM" + secrets.token_hex(16)
        now = format_datetime(datetime.now(UTC))
        message: dict[str, Any] = {
            "sid": sid, "account_sid": self.account_sid, "api_version": "2010-04-01", "body": text, "to": to,
            "from": sender, "status": "queued", "direction": "outbound-api", "num_segments": str(len(text) // 153 + 1),
            "num_media": "0", "date_created": now, "date_updated": now, "date_sent": None, "price": None,
            "price_unit": "USD", "error_code": None, "error_message": None, "messaging_service_sid": None,
            "uri": f"/2010-04-01/Accounts/{self.account_sid}/Messages/{sid}.json", "subresource_uris": {},
            "idempotency_key": headers.get("Idempotency-Key", ""),
        }
        self.record(message)
        return 201, {"Content-Type": "application/json"}, json.dumps(message).encode()


if __name__ == "__main__":
    FakeTwilio.main()
