"""CachingEmbedder under the threads of one web worker: LRU order, and no KeyError while evicting."""

from __future__ import annotations

import threading

import numpy as np

from agents.embeddings import CachingEmbedder
from agents.embeddings.base import EMBEDDING_DIMENSIONS, FloatMatrix


class CountingEmbedder:
    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    @property
    def name(self) -> str:
        return "counting"

    def embed(self, texts: list[str]) -> FloatMatrix:
        self.calls.append(list(texts))
        out = np.zeros((len(texts), EMBEDDING_DIMENSIONS), dtype=np.float32)
        for row, text in enumerate(texts):
            out[row, hash(text) % EMBEDDING_DIMENSIONS] = 1.0
        return out


def test_least_recently_used_entry_is_evicted() -> None:
    inner = CountingEmbedder()
    cached = CachingEmbedder(inner, max_entries=2)
    cached.embed(["a", "b"])
    cached.embed(["a"])  # a is now the most recently used
    cached.embed(["c"])  # evicts b, not a
    cached.embed(["a", "b"])
    assert inner.calls == [["a", "b"], ["c"], ["b"]]


def test_threads_sharing_a_small_cache_never_fail() -> None:
    cached = CachingEmbedder(CountingEmbedder(), max_entries=8)
    errors: list[BaseException] = []

    def hammer(offset: int) -> None:
        try:
            for i in range(400):
                texts = [f"t{(i + offset) % 23}", f"t{(i * 7 + offset) % 31}"]
                vectors = cached.embed(texts)
                assert vectors.shape == (2, EMBEDDING_DIMENSIONS)
        except BaseException as error:  # noqa: BLE001 — collected and asserted below
            errors.append(error)

    threads = [threading.Thread(target=hammer, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
