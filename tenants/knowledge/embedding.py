"""The process-wide embedder and model provider, built once from settings."""

from __future__ import annotations

from functools import lru_cache

from django.conf import settings

from agents.embeddings import CachingEmbedder, Embedder, MiniLMEmbedder, OpenAIEmbedder
from agents.providers import build_model_provider


@lru_cache(maxsize=1)
def knowledge_embedder() -> Embedder:
    if settings.EMBEDDING_BACKEND == "openai":
        if not settings.OPENAI_API_KEY:
            raise RuntimeError("SHORELINE_EMBEDDING_BACKEND=openai needs OPENAI_API_KEY.")
        return CachingEmbedder(OpenAIEmbedder(api_key=settings.OPENAI_API_KEY, base_url=settings.OPENAI_BASE_URL,
                                              timeout_s=settings.MODEL_TIMEOUT_SECONDS))
    return CachingEmbedder(MiniLMEmbedder())


@lru_cache(maxsize=1)
def model_provider():  # type: ignore[no-untyped-def]
    # Observed: latency, tokens and failures (a refused key is logged and counted, never silent).
    from controlplane.core.model_observer import ObservedModelProvider

    return ObservedModelProvider(build_model_provider(
        openai_api_key=settings.OPENAI_API_KEY,
        openai_base_url=settings.OPENAI_BASE_URL,
        chat_model=settings.OPENAI_CHAT_MODEL,
        embedding_backend=settings.EMBEDDING_BACKEND,
        timeout_s=settings.MODEL_TIMEOUT_SECONDS,
    ))


def embed_texts(texts: list[str]) -> list[list[float]]:
    if not texts:
        return []
    return [row.tolist() for row in knowledge_embedder().embed(texts)]
