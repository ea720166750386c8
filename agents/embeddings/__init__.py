"""Sentence embeddings: one `Embedder` interface, an offline MiniLM backend and an OpenAI backend."""

# The names below load on first use (PEP 562): importing `agents.embeddings.base` must not load the
# tokenizer, safetensors or the OpenAI SDK into every Django process (`manage.py check` < 3 s).
from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from agents.embeddings.base import EMBEDDING_DIMENSIONS, Embedder, FloatMatrix, embed_one, l2_normalise
    from agents.embeddings.cached import CachingEmbedder
    from agents.embeddings.minilm import MiniLMEmbedder
    from agents.embeddings.openai_backend import OpenAIEmbedder

_HOMES: dict[str, str] = {
    "CachingEmbedder": "agents.embeddings.cached",
    "EMBEDDING_DIMENSIONS": "agents.embeddings.base",
    "Embedder": "agents.embeddings.base",
    "FloatMatrix": "agents.embeddings.base",
    "MiniLMEmbedder": "agents.embeddings.minilm",
    "OpenAIEmbedder": "agents.embeddings.openai_backend",
    "embed_one": "agents.embeddings.base",
    "l2_normalise": "agents.embeddings.base",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value


__all__ = [
    "EMBEDDING_DIMENSIONS",
    "CachingEmbedder",
    "Embedder",
    "FloatMatrix",
    "MiniLMEmbedder",
    "OpenAIEmbedder",
    "embed_one",
    "l2_normalise",
]
