"""Helpers of the widget API tests: a client bound to one bot's token and site, row counters."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client as DjangoClient
from django_tenants.utils import schema_context

ALPHA_SITE = "https://www.alpha.example"
BRAVO_SITE = "https://bravo.example"
VISITOR = "visitor_0123456789abcdef"
PUBLIC_HOST = "shoreline.localhost"  # tests/conftest.py's public host
ALPHA_DETAILS = {"business_name": "Alpha Co", "business_phone": "(555) 010-0001",
                 "booking_url": "https://alpha.example/book", "menu_url": "https://alpha.example/menu",
                 "ordering_url": "https://alpha.example/order", "doordash_url": "https://alpha.example/dd",
                 "ubereats_url": "https://alpha.example/ue", "grubhub_url": "https://alpha.example/gh"}


@dataclass
class WidgetSetup:
    client: Any
    bot_id: int
    token: str
    token_row: Any
    origin: str
    http: DjangoClient

    def headers(self, *, token: str | None = None, origin: str | None = None, **extra: str) -> dict[str, str]:
        result: dict[str, str] = {}
        token = self.token if token is None else token
        origin = self.origin if origin is None else origin
        if token:
            result["HTTP_AUTHORIZATION"] = f"Bearer {token}"
        if origin:
            result["HTTP_ORIGIN"] = origin
        result.update(extra)
        return result

    def get(self, path: str, **headers: Any) -> Any:
        return self.http.get(f"/widget/v1{path}", **self.headers(**headers))

    def visitor_token(self, visitor: str) -> str:
        """What /sessions hands this visitor (the real widget sends it back on every call)."""
        from widget.visitor_token import visitor_token_issue

        return visitor_token_issue(scope=f"{self.client.schema_name}:{self.bot_id}", visitor_id=visitor)

    def post(self, path: str, body: Any, *, signed: bool = True, **headers: Any) -> Any:
        """`signed`: send the visitor's signed token, as the widget does after /sessions."""
        data = body if isinstance(body, str | bytes) else json.dumps(body)
        visitor = body.get("visitor_id") if isinstance(body, dict) else None
        if signed and isinstance(visitor, str) and "HTTP_X_SHORELINE_VISITOR" not in headers:
            headers["HTTP_X_SHORELINE_VISITOR"] = self.visitor_token(visitor)
        return self.http.post(f"/widget/v1{path}", data=data, content_type="application/json",
                              **self.headers(**headers))

    def send(self, text: str, *, visitor: str = VISITOR, conversation_id: str | None = None, **headers: Any) -> Any:
        body: dict[str, Any] = {"visitor_id": visitor, "text": text}
        if conversation_id:
            body["conversation_id"] = conversation_id
        return self.post("/messages", body, **headers)

    def schema(self) -> Any:
        return schema_context(self.client.schema_name)


def widget_setup(client: Any, origin: str) -> WidgetSetup:
    from controlplane.widgets.services import allowed_origin_add, widget_token_issue
    from tenants.bots.selectors import bot_primary

    with schema_context(client.schema_name):
        bot = bot_primary()
        assert bot is not None
    allowed_origin_add(client=client, bot_id=bot.pk, origin=origin)
    issued = widget_token_issue(client=client, bot_id=bot.pk)
    return WidgetSetup(client=client, bot_id=bot.pk, token=issued.raw, token_row=issued.token, origin=origin,
                       http=DjangoClient(HTTP_HOST=PUBLIC_HOST))


ROW_MODELS = ("Visitor", "VisitorSession", "Conversation", "Message", "ReviewItem", "Lead", "Event")


def row_counts(client: Any) -> dict[str, int]:
    """Rows of everything a widget call can write in one client's schema."""
    from tenants.conversations.models import Conversation, Event, Message, ReviewItem, Visitor, VisitorSession
    from tenants.leads.models import Lead

    models = {"Visitor": Visitor, "VisitorSession": VisitorSession, "Conversation": Conversation,
              "Message": Message, "ReviewItem": ReviewItem, "Lead": Lead, "Event": Event}
    with schema_context(client.schema_name):
        return {name: models[name].objects.count() for name in ROW_MODELS}


def public_usage(client: Any) -> int:
    from controlplane.billing.metering import usage_this_period

    return usage_this_period(client_id=client.pk)


NOTHING = dict.fromkeys(ROW_MODELS, 0)


class CountingProvider:
    """A model provider that must never be touched: every use is counted, then raises."""

    def __init__(self) -> None:
        self.calls = 0

    @property
    def name(self) -> str:
        return "must-not-be-called"

    @property
    def embedder(self) -> Any:
        self.calls += 1
        raise AssertionError("the embedder was used")

    def answer(self, request: Any) -> Any:
        self.calls += 1
        raise AssertionError("the model was called")


# Fixtures shared by the widget API and widget page suites (each conftest imports them).
@pytest.fixture(autouse=True)
def _fresh_cors_cache() -> Iterator[None]:
    from widget.cors import cors_cache_clear

    cors_cache_clear()
    yield
    cors_cache_clear()


@pytest.fixture
def alpha(client_alpha: Any) -> WidgetSetup:
    return widget_setup(client_alpha, ALPHA_SITE)


@contextmanager
def openai_fake_configured(settings: Any, fake: Any, *, api_key: str = "sk-test-not-a-secret") -> Iterator[Any]:
    """Point the product at a running local OpenAI-compatible fake (ops.fake_openai) for one test."""
    from controlplane.core.model_provider import model_provider

    with fake.running():
        settings.OPENAI_API_KEY = api_key
        settings.OPENAI_BASE_URL = fake.base_url
        settings.MODEL_TIMEOUT_SECONDS = 5.0
        model_provider.cache_clear()
        try:
            yield fake
        finally:
            model_provider.cache_clear()
