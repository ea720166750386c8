"""Writes to a bot's knowledge: sources, their chunks and embeddings, and FAQs.

Ingesting the same content again changes nothing (content hashes), so every ingestion
path — FAQ edits, documents, scraping, rebuilds — is safe to retry.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from tenants.knowledge.chunking import chunk_text, content_hash
from tenants.knowledge.embedding import embed_texts
from tenants.knowledge.models import Chunk, Faq, KnowledgeSource


@dataclass(frozen=True)
class IngestResult:
    source: KnowledgeSource
    chunks_created: int
    chunks_deleted: int
    unchanged: bool


def knowledge_source_upsert(
    *, bot_id: int, kind: str, title: str, body: str, url: str = "", source: KnowledgeSource | None = None
) -> IngestResult:
    """Create or update one source and bring its chunks in line with `body`."""
    digest = content_hash(f"{title}\n{body}")
    if source is None and url:
        source = KnowledgeSource.objects.filter(bot_id=bot_id, kind=kind, url=url).first()
    if source is not None and source.content_hash == digest and source.title == title:
        return IngestResult(source, 0, 0, unchanged=True)
    texts = [f"{title}\n{chunk}" if title and not chunk.startswith(title) else chunk for chunk in chunk_text(body)]
    wanted = {content_hash(t): (position, t) for position, t in enumerate(texts)}
    with transaction.atomic():
        if source is None:
            source = KnowledgeSource.objects.create(bot_id=bot_id, kind=kind, title=title, url=url, body=body,
                                                    content_hash=digest)
            existing: dict[str, int] = {}
        else:
            source.title, source.body, source.url, source.content_hash = title, body, url, digest
            source.save(update_fields=["title", "body", "url", "content_hash", "updated_at"])
            existing = dict(source.chunks.values_list("content_hash", "id"))
        stale = [chunk_id for h, chunk_id in existing.items() if h not in wanted]
        deleted = Chunk.objects.filter(id__in=stale).delete()[0] if stale else 0
        new = [(h, pos, t) for h, (pos, t) in wanted.items() if h not in existing]
        vectors = embed_texts([t for _, _, t in new])
        Chunk.objects.bulk_create([
            Chunk(bot_id=bot_id, source=source, position=pos, text=t, content_hash=h, embedding=v)
            for (h, pos, t), v in zip(new, vectors, strict=True)
        ])
    return IngestResult(source, len(new), deleted, unchanged=False)


def faq_upsert(*, bot_id: int, question: str, answer: str, approved: bool = True, faq: Faq | None = None) -> Faq:
    """KB-1: an FAQ is both an approved answer (BEY-4) and a knowledge source for retrieval."""
    question, answer = question.strip(), answer.strip()
    if not question or not answer:
        raise ValueError("An FAQ needs both a question and an answer.")
    with transaction.atomic():
        if faq is None:
            faq = Faq.objects.filter(bot_id=bot_id, question__iexact=question).first()
        vector = embed_texts([question])[0]
        result = knowledge_source_upsert(bot_id=bot_id, kind=KnowledgeSource.Kind.FAQ, title=question,
                                         body=answer, source=faq.source if faq else None)
        if faq is None:
            faq = Faq.objects.create(bot_id=bot_id, question=question, answer=answer, approved=approved,
                                     question_embedding=vector, source=result.source)
        else:
            faq.question, faq.answer, faq.approved = question, answer, approved
            faq.question_embedding, faq.source = vector, result.source
            faq.save()
    return faq


def knowledge_seed_from_pack(*, bot_id: int, pack_key: str, details: dict[str, str]) -> int:
    """The industry pack's starter FAQs, as approved FAQs of the bot. Returns how many exist now."""
    from industry_modes import load_pack
    from tenants.bots.config import fill_placeholders

    pack = load_pack(pack_key)
    for faq in pack.faqs:
        faq_upsert(bot_id=bot_id, question=fill_placeholders(faq.question, details),
                   answer=fill_placeholders(faq.answer, details))
    return Faq.objects.filter(bot_id=bot_id).count()
