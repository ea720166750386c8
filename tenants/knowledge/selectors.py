"""Reads of a bot's knowledge: hybrid retrieval (pgvector HNSW + full-text, fused by rank)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection

# Reciprocal-rank fusion constant (Cormack et al.); 60 is the usual, robust choice.
RRF_K = 60
CANDIDATES = 40
# A chunk that also matches the words of the question is a little more trustworthy evidence.
LEXICAL_BOOST = 0.05
# HNSW candidate list per query: 200 keeps recall@10 >= 0.95 at 100k chunks (docs/benchmarks.md)
# for well under a millisecond of database time.
HNSW_EF_SEARCH = 200

_SEARCH_SETTINGS = f"SET LOCAL hnsw.iterative_scan = relaxed_order; SET LOCAL hnsw.ef_search = {HNSW_EF_SEARCH};"

_HYBRID_SQL = """
WITH vec AS (
    SELECT id, row_number() OVER (ORDER BY embedding <=> %(q)s::vector) AS rank
    FROM knowledge_chunk WHERE bot_id = %(bot)s
    ORDER BY embedding <=> %(q)s::vector LIMIT %(n)s
), fts AS (
    SELECT c.id, row_number() OVER (ORDER BY ts_rank_cd(c.search_vector, query) DESC) AS rank
    FROM knowledge_chunk c, websearch_to_tsquery('english', %(text)s) query
    WHERE c.bot_id = %(bot)s AND c.search_vector @@ query
    ORDER BY ts_rank_cd(c.search_vector, query) DESC LIMIT %(n)s
), fused AS (
    SELECT COALESCE(vec.id, fts.id) AS id,
           COALESCE(1.0 / (%(rrf)s + vec.rank), 0) + COALESCE(1.0 / (%(rrf)s + fts.rank), 0) AS rrf,
           fts.id IS NOT NULL AS lexical
    FROM vec FULL OUTER JOIN fts ON vec.id = fts.id
)
SELECT c.id, c.text, s.title, s.url, f.rrf, f.lexical, 1 - (c.embedding <=> %(q)s::vector) AS cosine
FROM fused f
JOIN knowledge_chunk c ON c.id = f.id
JOIN knowledge_knowledgesource s ON s.id = c.source_id
ORDER BY f.rrf DESC, c.id
LIMIT %(k)s
"""


@dataclass(frozen=True)
class ChunkHit:
    chunk_id: int
    text: str
    title: str
    url: str
    score: float  # cosine similarity (0..1) plus a small boost for a full-text match
    rrf: float


def _vector_literal(embedding: list[float]) -> str:
    return "[" + ",".join(f"{x:.6f}" for x in embedding) + "]"


def knowledge_search(*, bot_id: int, query: str, embedding: list[float], k: int = 5) -> list[ChunkHit]:
    params = {"q": _vector_literal(embedding), "bot": bot_id, "n": max(CANDIDATES, k), "text": query[:500],
              "rrf": RRF_K, "k": k}
    with connection.cursor() as cursor:
        # Filtered HNSW scans must keep going until k rows pass the bot filter. One round trip: the
        # settings and the query go as one simple-query string (Django's psycopg cursors bind on the
        # client), which PostgreSQL runs as one implicit transaction outside an atomic block, so
        # SET LOCAL holds for exactly this query (issue 17: was savepoint, two SETs, query, release).
        cursor.execute(_SEARCH_SETTINGS + _HYBRID_SQL, params)
        while cursor.description is None and cursor.nextset():
            pass
        rows = cursor.fetchall()
    return [
        ChunkHit(chunk_id=row[0], text=row[1], title=row[2], url=row[3] or "", rrf=float(row[4]),
                 score=max(0.0, min(1.0, float(row[6]) + (LEXICAL_BOOST if row[5] else 0.0))))
        for row in rows
    ]


@dataclass(frozen=True)
class FaqMatch:
    faq_id: int
    question: str
    answer: str
    similarity: float


# Each approved FAQ scores its best similarity over its question and its stored paraphrases. A bot
# has tens of FAQs, so the exact scan is cheaper than an index lookup per paraphrase.
_FAQ_MATCH_SQL = """
WITH candidates AS (
    SELECT f.id AS faq_id, 1 - (f.question_embedding <=> %(q)s::vector) AS similarity
    FROM knowledge_faq f
    WHERE f.bot_id = %(bot)s AND f.approved AND f.question_embedding IS NOT NULL
    UNION ALL
    SELECT p.faq_id, 1 - (p.embedding <=> %(q)s::vector)
    FROM knowledge_faqparaphrase p JOIN knowledge_faq f ON f.id = p.faq_id
    WHERE f.bot_id = %(bot)s AND f.approved
), best AS (
    SELECT faq_id, max(similarity) AS similarity FROM candidates GROUP BY faq_id
)
SELECT f.id, f.question, f.answer, b.similarity
FROM best b JOIN knowledge_faq f ON f.id = b.faq_id
ORDER BY b.similarity DESC, f.id
LIMIT %(limit)s
"""


def faq_best_matches(*, bot_id: int, embedding: list[float], limit: int = 2) -> list[FaqMatch]:
    """The closest approved FAQs (question or paraphrase), best first, one row per FAQ."""
    with connection.cursor() as cursor:
        cursor.execute(_FAQ_MATCH_SQL, {"q": _vector_literal(embedding), "bot": bot_id, "limit": limit})
        rows = cursor.fetchall()
    return [FaqMatch(faq_id=row[0], question=row[1], answer=row[2], similarity=float(row[3])) for row in rows]


def faq_best_match(*, bot_id: int, embedding: list[float]) -> FaqMatch | None:
    found = faq_best_matches(bot_id=bot_id, embedding=embedding, limit=1)
    return found[0] if found else None
