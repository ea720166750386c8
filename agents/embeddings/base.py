"""The one embedding interface every part of the agent uses.

Vectors are 384-dimensional, float32 and L2-normalised, so a dot product is a cosine similarity.
The knowledge index (pgvector) stores vectors made by the same backend that embeds queries; mixing
backends silently breaks retrieval, so the backend's `name` is recorded next to stored vectors.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

EMBEDDING_DIMENSIONS = 384

FloatMatrix = npt.NDArray[np.float32]


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into unit vectors of shape (n, 384), float32."""

    @property
    def name(self) -> str: ...

    def embed(self, texts: list[str]) -> FloatMatrix: ...


def l2_normalise(vectors: npt.NDArray[np.floating]) -> FloatMatrix:
    """Scale rows to unit length; all-zero rows stay zero instead of becoming NaN."""
    matrix = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0.0] = 1.0
    normalised: FloatMatrix = (matrix / norms).astype(np.float32)
    return normalised


def embed_one(embedder: Embedder, text: str) -> FloatMatrix:
    """Embed a single text and return its (384,) vector."""
    vectors: FloatMatrix = embedder.embed([text])[0]
    return vectors
