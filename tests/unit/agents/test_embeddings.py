from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from agents.embeddings import CachingEmbedder, Embedder, MiniLMEmbedder

REFERENCE = Path(__file__).parents[2] / "data" / "minilm_reference.json"


def test_numpy_minilm_matches_sentence_transformers_reference(embedder: Embedder) -> None:
    """Reference vectors were made with sentence-transformers 6.2 + torch 2.13 (see the JSON)."""
    items = json.loads(REFERENCE.read_text())["items"]
    vectors = embedder.embed([item["text"] for item in items])
    for item, vector in zip(items, vectors, strict=True):
        reference = np.asarray(item["vector"], dtype=np.float64)
        cosine = float(reference @ vector / np.linalg.norm(reference))
        assert cosine >= 0.9999, item["text"][:40]


def test_shape_dtype_and_unit_norm(embedder: Embedder) -> None:
    vectors = embedder.embed(["hello", "a much longer sentence about booking a table for six people tonight", ""])
    assert vectors.shape == (3, 384)
    assert vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors[:2], axis=1), 1.0, atol=1e-5)
    assert embedder.embed([]).shape == (0, 384)


def test_batching_does_not_change_vectors(embedder: Embedder) -> None:
    raw = MiniLMEmbedder()
    texts = ["short", "a somewhat longer sentence with more tokens in it", "mid length text here"]
    together = raw.embed(texts)
    alone = np.stack([raw.embed([t])[0] for t in texts])
    assert np.allclose(together, alone, atol=1e-5)


def test_long_text_is_truncated_not_rejected() -> None:
    vector = MiniLMEmbedder().embed(["word " * 2000])
    assert vector.shape == (1, 384)


def test_caching_embedder_calls_inner_once_per_text() -> None:
    class Counting:
        name = "counting"
        calls: list[list[str]] = []

        def embed(self, texts: list[str]) -> np.ndarray:  # type: ignore[type-arg]
            self.calls.append(texts)
            return np.ones((len(texts), 384), dtype=np.float32)

    inner = Counting()
    cached = CachingEmbedder(inner)
    cached.embed(["a", "b", "a"])
    cached.embed(["b", "c"])
    assert inner.calls == [["a", "b"], ["c"]]
