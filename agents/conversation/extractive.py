"""Offline answers: the whole best passage of retrieved knowledge, never invented or spliced text.

Sentences from the top hits are ranked by cosine similarity to the question; the answer is the
paragraph of the one source that holds the best sentence, so it reads (and is true) as written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

import numpy as np

from agents.conversation.ports import KnowledgeHit
from agents.embeddings.base import Embedder, FloatMatrix

MAX_HITS_READ: Final = 3
# MiniLM cosine below which a sentence is considered unrelated to the question.
MIN_SENTENCE_SIMILARITY: Final = 0.30
MAX_SENTENCE_CHARS: Final = 320
# A passage longer than this (a page-long paragraph) is answered with its best sentence alone.
MAX_PASSAGE_CHARS: Final = 700

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
    # The answer is the whole passage (paragraph) of ONE source that holds the best sentence: never
    # sentences spliced from different sources, which can combine into a wrong fact.
    rank, _position, chunk_id, sentence = candidates[int(order[0])]
    return ExtractedAnswer(_passage_of(hits[rank], sentence), best, (chunk_id,))


def _passage_of(hit: KnowledgeHit, sentence: str) -> str:
    lines = [" ".join(line.split()) for line in hit.text.split("\n")]
    if lines and lines[0].strip() == hit.source_title.strip() and len(lines) > 1:
        lines = lines[1:]  # chunks start with their source's title
    paragraphs = [line for line in lines if line.strip()]
    for paragraph in paragraphs:
        if sentence in paragraph and len(paragraph) <= MAX_PASSAGE_CHARS:
            return paragraph.strip(" -•*")
    return sentence
