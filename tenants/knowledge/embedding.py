"""The process-wide embedder and model provider, built once from settings.

The agent stack (tokenizers + safetensors for MiniLM, the OpenAI SDK, pydantic-ai) is imported on
first use inside the builders below, not at module import: every Django process (`manage.py check`,
the Celery worker) imports this module through the URL conf and the apps, and must start in < 3 s
(docs/decisions/0013-lazy-agent-stack.md).
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

from django.conf import settings

if TYPE_CHECKING:
    from agents.conversation.ports import ModelProvider
    from agents.embeddings.base import Embedder


@lru_cache(maxsize=1)
def knowledge_embedder() -> Embedder:
    # Lazy: the embedding backends load their model or SDK on import (see module docstring).
    from agents.embeddings import CachingEmbedder, MiniLMEmbedder, OpenAIEmbedder

    if settings.EMBEDDING_BACKEND == "openai":
        if not settings.OPENAI_API_KEY:
            raise RuntimeError("SHORELINE_EMBEDDING_BACKEND=openai needs OPENAI_API_KEY.")
        return CachingEmbedder(OpenAIEmbedder(api_key=settings.OPENAI_API_KEY, base_url=settings.OPENAI_BASE_URL,
                                              timeout_s=settings.MODEL_TIMEOUT_SECONDS))
    return CachingEmbedder(MiniLMEmbedder())


@lru_cache(maxsize=1)
def model_provider() -> ModelProvider:
    # Lazy: agents.providers imports pydantic-ai and the OpenAI SDK (see module docstring).
    from agents.providers import build_model_provider
    from controlplane.core.model_observer import ObservedModelProvider
    from controlplane.errorlog.model_watch import ErrorLoggingModelProvider

    # Observed (latency, tokens, failures in metrics and logs) and failures in the agency's error log
    # with the provider's status (AX-6): a refused key is never silent.
    return ObservedModelProvider(ErrorLoggingModelProvider(build_model_provider(
        openai_api_key=settings.OPENAI_API_KEY,
        openai_base_url=settings.OPENAI_BASE_URL,
        chat_model=settings.OPENAI_CHAT_MODEL,
        embedding_backend=settings.EMBEDDING_BACKEND,
        timeout_s=settings.MODEL_TIMEOUT_SECONDS,
    )))


def embed_texts(texts: list[str]) -> list[list[float]]:
    if not texts:
        return []
    return [row.tolist() for row in knowledge_embedder().embed(texts)]
