from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from agents.embeddings import CachingEmbedder, Embedder, MiniLMEmbedder
from agents.embeddings.minilm import BATCH_SIZE, BATCH_TOKENS, _batches, onnxruntime_available

REFERENCE = Path(__file__).parents[2] / "data" / "minilm_reference.json"
RUNTIMES = ("onnxruntime", "numpy")


@pytest.fixture(scope="module", params=RUNTIMES)
def runtime_embedder(request: pytest.FixtureRequest) -> MiniLMEmbedder:
    return MiniLMEmbedder(runtime=request.param)


def test_onnxruntime_is_the_default_runtime_where_installed() -> None:
    # The project installs onnxruntime; numpy is only the fallback for a platform without it.
    assert onnxruntime_available()
    assert MiniLMEmbedder().runtime == "onnxruntime"


def test_each_runtime_matches_sentence_transformers_reference(runtime_embedder: MiniLMEmbedder) -> None:
    """Reference vectors were made with sentence-transformers 6.2 + torch 2.13 (see the JSON)."""
    items = json.loads(REFERENCE.read_text())["items"]
    vectors = runtime_embedder.embed([item["text"] for item in items])
    for item, vector in zip(items, vectors, strict=True):
        reference = np.asarray(item["vector"], dtype=np.float64)
        cosine = float(reference @ vector / np.linalg.norm(reference))
        assert cosine >= 0.99999, (runtime_embedder.runtime, item["text"][:40])


def test_runtimes_agree_on_long_and_padded_batches() -> None:
    # Mixed lengths in one call: padding, masking and truncation must match between the runtimes.
    texts = ["hi", "opening hours " * 40, "word " * 600, "Do you have vegan dishes on the menu?"] * 3
    onnx_vectors = MiniLMEmbedder(runtime="onnxruntime").embed(texts)
    numpy_vectors = MiniLMEmbedder(runtime="numpy").embed(texts)
    cosines = (onnx_vectors * numpy_vectors).sum(axis=1)
    assert cosines.min() >= 0.99999


def test_batches_are_sorted_by_length_and_capped_by_count_and_tokens() -> None:
    lengths = [200, 12, 190, 15, 210, 9] + [14] * 40
    batches = _batches(lengths)
    assert sorted(i for batch in batches for i in batch) == list(range(len(lengths)))
    for batch in batches:
        assert len(batch) <= BATCH_SIZE
        assert len(batch) == 1 or len(batch) * max(lengths[i] for i in batch) <= BATCH_TOKENS
    # Long chunks go a few at a time, short messages many at a time.
    assert max(len(b) for b in batches if max(lengths[i] for i in b) >= 190) <= BATCH_TOKENS // 190
    assert max(len(b) for b in batches) == BATCH_SIZE


def test_shape_dtype_and_unit_norm(embedder: Embedder) -> None:
    vectors = embedder.embed(["hello", "a much longer sentence about booking a table for six people tonight", ""])
    assert vectors.shape == (3, 384)
    assert vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors[:2], axis=1), 1.0, atol=1e-5)
    assert embedder.embed([]).shape == (0, 384)


def test_batching_does_not_change_vectors(runtime_embedder: MiniLMEmbedder) -> None:
    raw = runtime_embedder
    texts = ["short", "a somewhat longer sentence with more tokens in it", "mid length text here"]
    together = raw.embed(texts)
    alone = np.stack([raw.embed([t])[0] for t in texts])
    assert np.allclose(together, alone, atol=1e-5)


def test_long_text_is_truncated_not_rejected(runtime_embedder: MiniLMEmbedder) -> None:
    vector = runtime_embedder.embed(["word " * 2000])
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


def test_auto_falls_back_to_numpy_where_onnxruntime_is_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.util

    real_find_spec = importlib.util.find_spec

    def without_onnxruntime(name: str, *args: object) -> object:
        return None if name == "onnxruntime" else real_find_spec(name, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(importlib.util, "find_spec", without_onnxruntime)
    embedder = MiniLMEmbedder()
    assert embedder.runtime == "numpy"
    assert embedder.embed(["still works"]).shape == (1, 384)


def test_runtime_can_be_forced_and_a_wrong_value_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHORELINE_EMBEDDING_RUNTIME", "numpy")
    assert MiniLMEmbedder().runtime == "numpy"
    monkeypatch.setenv("SHORELINE_EMBEDDING_RUNTIME", "torch")
    with pytest.raises(ValueError, match="SHORELINE_EMBEDDING_RUNTIME"):
        MiniLMEmbedder()
