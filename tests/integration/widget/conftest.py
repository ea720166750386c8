"""Widget API fixtures: a token and an allowlist for alpha's and bravo's bots."""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.widget.support import (
    ALPHA_DETAILS,
    BRAVO_SITE,
    CountingProvider,
    WidgetSetup,
    _fresh_cors_cache,  # noqa: F401 (shared fixture)
    alpha,  # noqa: F401 (shared fixture)
    widget_setup,
)


class _NoKnowledge:
    def search(self, query: str, embedding: list[float], k: int) -> list[Any]:
        return []


@pytest.fixture(scope="session", autouse=True)
def _warm_offline_model() -> None:
    """Load MiniLM and the detector prototypes once, so no test's first message pays for it
    (a slow first message would refill rate-limit buckets and blur timings)."""
    from agents.conversation import BotRunContext, Ports, conversation_reply
    from controlplane.core.model_provider import model_provider

    conversation_reply(message="warm up", history=[], context=BotRunContext(client_slug="w", bot_id="1",
                                                                              business_name="Warm"),
                       ports=Ports(knowledge=_NoKnowledge()), model=model_provider())


@pytest.fixture
def bravo(client_bravo: Any) -> WidgetSetup:
    return widget_setup(client_bravo, BRAVO_SITE)


@pytest.fixture
def alpha_faqs(alpha: WidgetSetup) -> WidgetSetup:  # noqa: F811 (the shared fixture, injected)
    """alpha's restaurant pack FAQs, embedded and approved (normally a worker seeds them)."""
    from tenants.knowledge.services import knowledge_seed_from_pack

    with alpha.schema():
        knowledge_seed_from_pack(bot_id=alpha.bot_id, pack_key="restaurant", details=ALPHA_DETAILS)
    return alpha


@pytest.fixture
def counting_provider(monkeypatch: pytest.MonkeyPatch) -> CountingProvider:
    provider = CountingProvider()
    monkeypatch.setattr("tenants.conversations.agent_runtime.model_provider", lambda: provider)  # bot_turn() reads it
    return provider
