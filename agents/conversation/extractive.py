"""Offline answers: the best sentences from retrieved knowledge, never invented text.

Sentences from the top hits are ranked by cosine similarity to the question; up to three of the
best are returned in their original reading order, so the answer reads like the source.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

import numpy as np

from agents.conversation.ports import KnowledgeHit
from agents.embeddings.base import Embedder, FloatMatrix

MAX_SENTENCES: Final = 3
MAX_HITS_READ: Final = 3
# MiniLM cosine below which a sentence is considered unrelated to the question.
MIN_SENTENCE_SIMILARITY: Final = 0.30
# Sentences close to the best one are kept; far weaker ones would read as filler.
KEEP_WITHIN_BEST: Final = 0.15
MAX_SENTENCE_CHARS: Final = 320

_SENTENCE_SPLIT = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(])|\n+")


@dataclass(frozen=True, slots=True)
class ExtractedAnswer:
    text: str
    best_similarity: float
    chunk_ids: tuple[str, ...]


def split_sentences(text: str) -> list[str]:
    sentences = []
    for raw in _SENTENCE_SPLIT.split(text):
        sentence = " ".join(raw.split()).strip(" -•*")
        # Headings and fragments ("Hours", "Menu:") carry no answer on their own.
        if len(sentence) >= 12 and len(sentence) <= MAX_SENTENCE_CHARS and " " in sentence:
            sentences.append(sentence)
    return sentences


def extract_answer(question_embedding: FloatMatrix, hits: tuple[KnowledgeHit, ...], embedder: Embedder) -> ExtractedAnswer | None:
    candidates: list[tuple[int, int, str, str]] = []  # (hit rank, position, chunk id, sentence)
    for rank, hit in enumerate(hits[:MAX_HITS_READ]):
        for position, sentence in enumerate(split_sentences(hit.text)):
            # A question (an FAQ's own title, say) is never an answer, however similar it is.
            if sentence.rstrip().endswith("?") or sentence.strip() == hit.source_title.strip():
                continue
            candidates.append((rank, position, hit.chunk_id, sentence))
    if not candidates:
        return None
    vectors = embedder.embed([c[3] for c in candidates])
    similarities = vectors @ question_embedding
    # A small bonus for higher-ranked hits: retrieval already fused keyword and vector evidence.
    ranked = np.array([float(s) - 0.02 * c[0] for s, c in zip(similarities, candidates, strict=True)])
    order = np.argsort(-ranked)
    best = float(similarities[order[0]])
    if best < MIN_SENTENCE_SIMILARITY:
        return None
    chosen = [int(i) for i in order[:MAX_SENTENCES] if ranked[int(i)] >= max(MIN_SENTENCE_SIMILARITY, ranked[order[0]] - KEEP_WITHIN_BEST)]
    chosen.sort(key=lambda i: (candidates[i][0], candidates[i][1]))
    seen: set[str] = set()
    sentences = []
    for i in chosen:
        if candidates[i][3] not in seen:
            seen.add(candidates[i][3])
            sentences.append(candidates[i][3])
    chunk_ids = tuple(dict.fromkeys(candidates[i][2] for i in chosen))
    return ExtractedAnswer(" ".join(sentences), best, chunk_ids)
