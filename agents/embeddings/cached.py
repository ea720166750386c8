"""A small in-process cache in front of any embedder.

Prototype sentences and repeated visitor phrases ("hi", "what are your hours?") are embedded many
times per process; caching them keeps the offline path at a few ms per message.
"""

from __future__ import annotations

from collections import OrderedDict

import numpy as np

from agents.embeddings.base import EMBEDDING_DIMENSIONS, Embedder, FloatMatrix


class CachingEmbedder:
    def __init__(self, inner: Embedder, *, max_entries: int = 4096) -> None:
        self._inner = inner
        self._max_entries = max_entries
        self._cache: OrderedDict[str, FloatMatrix] = OrderedDict()

    @property
    def name(self) -> str:
        return self._inner.name

    def embed(self, texts: list[str]) -> FloatMatrix:
        if not texts:
            return np.zeros((0, EMBEDDING_DIMENSIONS), dtype=np.float32)
        found: dict[str, FloatMatrix] = {t: self._cache[t] for t in texts if t in self._cache}
        missing = [t for t in dict.fromkeys(texts) if t not in found]
        if missing:
            for text, vector in zip(missing, self._inner.embed(missing), strict=True):
                found[text] = vector
                self._cache[text] = vector
            while len(self._cache) > self._max_entries:
                self._cache.popitem(last=False)
        return np.stack([found[t] for t in texts]).astype(np.float32)
