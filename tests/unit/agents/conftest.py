"""Shared fixtures for agents unit tests: MiniLM is loaded once per session (~1 s)."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest

from agents.conversation import BotRunContext, KnowledgeHit, Ports
from agents.embeddings import CachingEmbedder, Embedder, MiniLMEmbedder
from agents.providers import OfflineModelProvider

BARBERSHOP_KNOWLEDGE = (
    ("hours", "Opening hours", "We are open Monday to Friday from 9am to 7pm. On Saturday we open at 10am and close at 4pm. We are closed on Sundays."),
    ("prices", "Price list", "A classic haircut costs $30. A skin fade is $35. Beard trims are $15, or $40 together with a haircut."),
    ("booking", "Booking", "You can book online any time. Walk-ins are welcome when a chair is free."),
)


class FakeKnowledgeSearch:
    """Implements the KnowledgeSearch port with cosine similarity over a few in-memory chunks."""

    def __init__(self, embedder: Embedder, chunks: tuple[tuple[str, str, str], ...] = BARBERSHOP_KNOWLEDGE) -> None:
        self.chunks = chunks
        self.vectors = embedder.embed([text for _, _, text in chunks])
        self.queries: list[str] = []

    def search(self, query: str, embedding: list[float], k: int) -> list[KnowledgeHit]:
        self.queries.append(query)
        scores = self.vectors @ np.asarray(embedding, dtype=np.float32)
        order = np.argsort(-scores)[:k]
        return [KnowledgeHit(self.chunks[i][0], self.chunks[i][2], self.chunks[i][1], None, float(scores[i])) for i in order]


# The root tests/conftest.py has autouse fixtures that touch Django's connection and cache after
# every test. Agents tests run without Django (-p no:django): these same-named no-ops shadow them.
@pytest.fixture(autouse=True)
def _public_schema_after_each_test() -> Iterator[None]:
    return


@pytest.fixture(autouse=True)
def _clean_cache() -> Iterator[None]:
    return


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    return CachingEmbedder(MiniLMEmbedder())


@pytest.fixture(scope="session")
def offline_model(embedder: Embedder) -> OfflineModelProvider:
    return OfflineModelProvider(embedder)


@pytest.fixture
def knowledge(embedder: Embedder) -> FakeKnowledgeSearch:
    return FakeKnowledgeSearch(embedder)


@pytest.fixture
def ports(knowledge: FakeKnowledgeSearch) -> Ports:
    return Ports(knowledge=knowledge)


@pytest.fixture
def context() -> BotRunContext:
    return BotRunContext(
        client_slug="fade-factory",
        bot_id="bot-1",
        business_name="Fade Factory",
        booking_url="https://book.example/fade-factory",
        fallback_message="Sorry, I don't know that one yet. A team member will follow up.",
        industry_mode="barbershop",
    )
