"""OpenAI embeddings, shortened to our 384 dimensions so they fit the same pgvector columns."""

from __future__ import annotations

import numpy as np
from openai import OpenAI

from agents.embeddings.base import EMBEDDING_DIMENSIONS, FloatMatrix, l2_normalise

DEFAULT_OPENAI_EMBEDDING_MODEL = "text-embedding-3-small"


class OpenAIEmbedder:
    def __init__(
        self,
        *,
        api_key: str,
        base_url: str | None = None,
        model_name: str = DEFAULT_OPENAI_EMBEDDING_MODEL,
        timeout_s: float = 15.0,
    ) -> None:
        self._model_name = model_name
        self._client = OpenAI(api_key=api_key, base_url=base_url, timeout=timeout_s, max_retries=1)

    @property
    def name(self) -> str:
        return f"openai:{self._model_name}:{EMBEDDING_DIMENSIONS}"

    def embed(self, texts: list[str]) -> FloatMatrix:
        if not texts:
            return np.zeros((0, EMBEDDING_DIMENSIONS), dtype=np.float32)
        response = self._client.embeddings.create(
            model=self._model_name, input=texts, dimensions=EMBEDDING_DIMENSIONS
        )
        # The API returns items with an index; sort so row i always belongs to texts[i].
        rows = [item.embedding for item in sorted(response.data, key=lambda item: item.index)]
        return l2_normalise(np.asarray(rows, dtype=np.float32))
