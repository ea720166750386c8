"""VAL-2: what visitors ask, with similar wordings grouped by embeddings.

The insights task embeds new visitor questions once (process embedder of tenants/knowledge) and
stores the vectors; a page groups the vectors of its date range in memory (one query, numpy).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
from django.db.models import Max
from django.utils import timezone

from tenants.analytics.models import QuestionVector
from tenants.conversations.models import Message
from tenants.knowledge.embedding import embed_texts

SIMILARITY = 0.72  # cosine at which two wordings count as the same question
MAX_VECTORS_PER_PAGE = 1000  # the most recent questions of a range that a page groups
BATCH = 1000
LOOKBACK_DAYS = 120
_QUESTION_START = re.compile(
    r"^(what|when|where|how|who|why|which|do|does|did|can|could|would|will|is|are|should|may|any|have|"
    r"got|need|looking|i need|i want|i'd like|id like)\b", re.IGNORECASE)


_CONTACT = re.compile(r"@|\d[\d\s().-]{6,}\d")


def is_question(text: str) -> bool:
    """A visitor message that asks something: it has a question mark or opens like a question or request.
    Messages carrying contact details (an email or a phone number) are never shown as questions."""
    stripped = text.strip()
    if _CONTACT.search(stripped):
        return False
    return len(stripped.split()) >= 3 and ("?" in stripped or bool(_QUESTION_START.match(stripped)))


def question_vectors_update(*, batch: int = BATCH) -> int:
    """Embed visitor questions not embedded yet (newest first watermark: message id). Returns how many."""

    last_id = QuestionVector.objects.aggregate(m=Max("message_id"))["m"] or 0
    since = timezone.now() - timedelta(days=LOOKBACK_DAYS)
    rows = list(Message.objects.filter(role=Message.Role.VISITOR, pk__gt=last_id, created_at__gte=since)
                .order_by("pk").values_list("pk", "created_at", "text")[:batch])
    questions = [(pk, at, text.strip()[:300]) for pk, at, text in rows if is_question(text)]
    if not questions:
        return 0
    vectors = np.asarray(embed_texts([text for _, _, text in questions]), dtype=np.float32)
    vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-9)
    QuestionVector.objects.bulk_create(
        [QuestionVector(message_id=pk, created_at=at, text=text, vector=vectors[i].tobytes())
         for i, (pk, at, text) in enumerate(questions)], ignore_conflicts=True)
    return len(questions)


@dataclass(frozen=True)
class QuestionGroup:
    question: str  # the most central wording
    count: int
    examples: tuple[str, ...]


def top_questions(*, start: datetime, end: datetime, limit: int = 8) -> list[QuestionGroup]:
    rows = list(QuestionVector.objects.filter(created_at__gte=start, created_at__lt=end).order_by("-created_at")
                .values_list("text", "vector")[:MAX_VECTORS_PER_PAGE])
    if not rows:
        return []
    texts = [text for text, _ in rows]
    matrix = np.vstack([np.frombuffer(bytes(vector), dtype=np.float32) for _, vector in rows])
    return group_questions(texts, matrix, limit=limit)


def group_questions(texts: list[str], matrix: np.ndarray, *, limit: int) -> list[QuestionGroup]:
    """Greedy: the question with the most neighbours above SIMILARITY takes them all; repeat."""
    similar = (matrix @ matrix.T) >= SIMILARITY
    remaining = np.ones(len(texts), dtype=bool)
    groups: list[QuestionGroup] = []
    while remaining.any() and len(groups) < limit:
        counts = (similar & remaining[None, :]).sum(axis=1) * remaining
        leader = int(np.argmax(counts))
        members = np.flatnonzero(similar[leader] & remaining)
        examples = tuple(dict.fromkeys(texts[i] for i in members if texts[i] != texts[leader]))[:3]
        groups.append(QuestionGroup(question=texts[leader], count=len(members), examples=examples))
        remaining[members] = False
    return groups
