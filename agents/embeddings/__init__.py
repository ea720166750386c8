"""Sentence embeddings: one `Embedder` interface, an offline MiniLM backend and an OpenAI backend."""

from agents.embeddings.base import EMBEDDING_DIMENSIONS, Embedder, FloatMatrix, embed_one, l2_normalise
from agents.embeddings.cached import CachingEmbedder
from agents.embeddings.minilm import MiniLMEmbedder
from agents.embeddings.openai_backend import OpenAIEmbedder

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
