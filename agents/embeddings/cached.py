"""A small in-process cache in front of any embedder.

Prototype sentences and repeated visitor phrases ("hi", "what are your hours?") are embedded many
times per process; caching them keeps the offline path at a few ms per message.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

import numpy as np

from agents.embeddings.base import EMBEDDING_DIMENSIONS, Embedder, FloatMatrix


class CachingEmbedder:
    """LRU cache; safe to share between the threads of one web worker (gthread)."""

    def __init__(self, inner: Embedder, *, max_entries: int = 4096) -> None:
        self._inner = inner
        self._max_entries = max_entries
        self._cache: OrderedDict[str, FloatMatrix] = OrderedDict()
        # Guards the dict only; the forward pass runs outside it so threads do not queue behind it.
        self._lock = threading.Lock()

    @property
    def name(self) -> str:
        return self._inner.name

    def embed(self, texts: list[str]) -> FloatMatrix:
        if not texts:
            return np.zeros((0, EMBEDDING_DIMENSIONS), dtype=np.float32)
        found: dict[str, FloatMatrix] = {}
        with self._lock:
            for text in texts:
                vector = self._cache.get(text)
                if vector is not None:
                    self._cache.move_to_end(text)
                    found[text] = vector
        missing = [t for t in dict.fromkeys(texts) if t not in found]
        if missing:
            vectors = self._inner.embed(missing)
            with self._lock:
                for text, vector in zip(missing, vectors, strict=True):
                    found[text] = vector
                    self._cache[text] = vector
                while len(self._cache) > self._max_entries:
                    self._cache.popitem(last=False)
        return np.stack([found[t] for t in texts]).astype(np.float32)
