"""The outside world: Twilio (SMS), SendGrid (email) and client webhook URLs, through their real SDKs.

Each call returns a `ProviderAnswer` instead of raising, so the outbox can record exactly what the
provider said. `TWILIO_API_BASE` / `SENDGRID_API_HOST` point the SDKs at the local fakes
(ops/fake_twilio.py, ops/fake_sendgrid.py) in the demo and in tests; unset, they talk to the real APIs.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx
import requests
from django.conf import settings
from twilio.base.exceptions import TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client as TwilioClient

from controlplane.core.outbound import OutboundRefused, outbound_post
from controlplane.notifications.webhooks import webhook_allowed_private_hosts

PROVIDER_TIMEOUT_S = 10.0
IDEMPOTENCY_HEADER = "Idempotency-Key"


@dataclass(frozen=True)
class ProviderAnswer:
    ok: bool
    retryable: bool
    provider_id: str
    answer: str  # what the provider said (status line + body, trimmed)


class ProviderNotConfigured(RuntimeError):
    pass


def _retryable_status(status: int) -> bool:
    return status == 429 or status >= 500


class _TwilioBaseUrlHttpClient(TwilioHttpClient):
    """Twilio's own HTTP client with the API origin swapped (the SDK has no base-URL option) and
    our idempotency key on the request, which the fake honours and Twilio ignores."""

    def __init__(self, *, base: str | None, idempotency_key: str) -> None:
        super().__init__(timeout=PROVIDER_TIMEOUT_S)
        self._base = urlsplit(base) if base else None
        self._idempotency_key = idempotency_key

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        if self._base is not None:
            parts = urlsplit(url)
            url = urlunsplit((self._base.scheme, self._base.netloc, self._base.path.rstrip("/") + parts.path,
                              parts.query, parts.fragment))
        headers = dict(kwargs.pop("headers", None) or {})
        headers[IDEMPOTENCY_HEADER] = self._idempotency_key
        return super().request(method, url, *args, headers=headers, **kwargs)


def sms_send(*, to: str, body: str, idempotency_key: str) -> ProviderAnswer:
    if not (settings.TWILIO_ACCOUNT_SID and settings.TWILIO_AUTH_TOKEN and settings.TWILIO_FROM_NUMBER):
        return ProviderAnswer(False, False, "", "SMS is not configured (Twilio account, token or sender missing).")
    client = TwilioClient(settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN,
                          http_client=_TwilioBaseUrlHttpClient(base=settings.TWILIO_API_BASE,
                                                               idempotency_key=idempotency_key))
    try:
        message = client.messages.create(to=to, from_=settings.TWILIO_FROM_NUMBER, body=body)
    except TwilioRestException as error:
        return ProviderAnswer(False, _retryable_status(error.status), "",
                              f"HTTP {error.status} (Twilio error {error.code}): {error.msg}"[:2000])
    except requests.RequestException as error:
        return ProviderAnswer(False, True, "", f"Twilio unreachable: {type(error).__name__}")
    return ProviderAnswer(True, False, message.sid or "", f"accepted, status {message.status}")


@dataclass(frozen=True)
class EmailAttachment:
    filename: str
    content_type: str
    content: bytes


def email_send(*, to: str, subject: str, text: str, html: str, idempotency_key: str,
               attachments: tuple[EmailAttachment, ...] = ()) -> ProviderAnswer:
    if not settings.SENDGRID_API_KEY:
        return ProviderAnswer(False, False, "", "Email is not configured (no SendGrid API key).")
    from python_http_client.exceptions import HTTPError
    from sendgrid import SendGridAPIClient
    from sendgrid.helpers.mail import Attachment, Content, CustomArg, Mail

    mail = Mail(from_email=settings.EMAIL_FROM, to_emails=to, subject=subject)
    mail.add_content(Content("text/plain", text))
    mail.add_content(Content("text/html", html))
    for item in attachments:
        mail.add_attachment(Attachment(file_content=base64.b64encode(item.content).decode(),
                                       file_name=item.filename, file_type=item.content_type,
                                       disposition="attachment"))
    # Echoed back in SendGrid's event webhooks, so a delivery can be matched to its row.
    mail.custom_arg = CustomArg("idempotency_key", idempotency_key)
    client = SendGridAPIClient(settings.SENDGRID_API_KEY, host=settings.SENDGRID_API_HOST or "https://api.sendgrid.com")
    client.client.request_headers[IDEMPOTENCY_HEADER] = idempotency_key
    client.client.timeout = PROVIDER_TIMEOUT_S
    try:
        response = client.send(mail)
    except HTTPError as error:
        body = error.body.decode(errors="replace") if isinstance(error.body, bytes) else str(error.body)
        return ProviderAnswer(False, _retryable_status(error.status_code), "", f"HTTP {error.status_code}: {body}"[:2000])
    except OSError as error:  # connection refused, timeout (urllib)
        return ProviderAnswer(False, True, "", f"SendGrid unreachable: {type(error).__name__}")
    message_id = response.headers.get("X-Message-Id", "") if response.headers else ""
    return ProviderAnswer(True, False, message_id, f"HTTP {response.status_code} accepted")


def webhook_post(*, url: str, body: bytes, headers: dict[str, str]) -> ProviderAnswer:
    """POST one signed webhook through the outbound-fetch guard: the address is checked and pinned for
    the connection (no DNS rebinding). Redirects are not followed (a redirect could point anywhere)."""
    try:
        response = outbound_post(url, content=body, headers={"Content-Type": "application/json", **headers},
                                 timeout_s=PROVIDER_TIMEOUT_S, extra_allowed=webhook_allowed_private_hosts())
    except OutboundRefused as refused:
        return ProviderAnswer(False, False, "", f"Refused: {refused}")
    except httpx.HTTPError as error:
        return ProviderAnswer(False, True, "", f"Unreachable: {type(error).__name__}")
    answer = f"HTTP {response.status_code}: {response.text[:500]}"
    if 200 <= response.status_code < 300:
        return ProviderAnswer(True, False, "", answer)
    return ProviderAnswer(False, _retryable_status(response.status_code) or 300 <= response.status_code < 400
                          or response.status_code in (408, 409), "", answer)


def json_dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), sort_keys=True)
