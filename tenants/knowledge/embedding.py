"""The process-wide knowledge embedder, built once from settings (the chat model provider is in
controlplane.core.model_provider).

The agent stack (tokenizers + safetensors for MiniLM, the OpenAI SDK) is imported on
first use inside the builder below, not at module import: every Django process (`manage.py check`,
the Celery worker) imports this module through the URL conf and the apps, and must start in < 3 s
(docs/decisions/0013-lazy-agent-stack.md).
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

from django.conf import settings

if TYPE_CHECKING:
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


def embed_texts(texts: list[str]) -> list[list[float]]:
    if not texts:
        return []
    return [row.tolist() for row in knowledge_embedder().embed(texts)]
