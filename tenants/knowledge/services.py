"""Writes to a bot's knowledge: sources, their chunks and embeddings, FAQs, articles, documents.

Ingesting the same content again changes nothing (content hashes), so every ingestion
path — FAQ edits, documents, scraping, rebuilds — is safe to retry.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from controlplane.audit.services import audit_record
from tenants.knowledge.chunking import chunk_text, content_hash
from tenants.knowledge.documents import ExtractedDocument
from tenants.knowledge.embedding import embed_texts
from tenants.knowledge.models import Chunk, Faq, FaqParaphrase, KnowledgeSource


@dataclass(frozen=True)
class IngestResult:
    source: KnowledgeSource
    chunks_created: int
    chunks_deleted: int
    unchanged: bool


def _chunk_texts(title: str, body: str) -> list[str]:
    return [f"{title}\n{chunk}" if title and not chunk.startswith(title) else chunk for chunk in chunk_text(body)]


def knowledge_source_upsert(
    *, bot_id: int, kind: str, title: str, body: str, url: str = "", source: KnowledgeSource | None = None,
    extra: dict[str, Any] | None = None,
) -> IngestResult:
    """Create or update one source and bring its chunks in line with `body`."""
    digest = content_hash(f"{title}\n{body}")
    if source is None and url:
        source = KnowledgeSource.objects.filter(bot_id=bot_id, kind=kind, url=url).first()
    if source is not None and source.content_hash == digest and source.title == title:
        return IngestResult(source, 0, 0, unchanged=True)
    texts = _chunk_texts(title, body)
    wanted = {content_hash(t): (position, t) for position, t in enumerate(texts)}
    extra = extra or {}
    with transaction.atomic():
        if source is None:
            source = KnowledgeSource.objects.create(bot_id=bot_id, kind=kind, title=title, url=url, body=body,
                                                    content_hash=digest, **extra)
            existing: dict[str, int] = {}
        else:
            source.title, source.body, source.url, source.content_hash = title, body, url, digest
            for name, value in extra.items():
                setattr(source, name, value)
            source.save(update_fields=["title", "body", "url", "content_hash", "updated_at", *extra])
            existing = dict(source.chunks.values_list("content_hash", "id"))
        stale = [chunk_id for h, chunk_id in existing.items() if h not in wanted]
        deleted = Chunk.objects.filter(id__in=stale).delete()[0] if stale else 0
        new = [(h, pos, t) for h, (pos, t) in wanted.items() if h not in existing]
        vectors = embed_texts([t for _, _, t in new])
        Chunk.objects.bulk_create([
            Chunk(bot_id=bot_id, source=source, position=pos, text=t, content_hash=h, embedding=v)
            for (h, pos, t), v in zip(new, vectors, strict=True)
        ])
        if existing:  # positions of kept chunks follow the new order
            for h, chunk_id in existing.items():
                if h in wanted:
                    Chunk.objects.filter(pk=chunk_id).exclude(position=wanted[h][0]).update(position=wanted[h][0])
    return IngestResult(source, len(new), deleted, unchanged=False)


def knowledge_source_rechunk(*, source: KnowledgeSource) -> int:
    """KB-4: cut the source again and embed every chunk afresh (new chunker or embedder)."""
    texts = _chunk_texts(source.title, source.body)
    unique = {content_hash(t): (position, t) for position, t in enumerate(texts)}
    vectors = embed_texts([t for _, t in unique.values()])
    with transaction.atomic():
        source.chunks.all().delete()
        Chunk.objects.bulk_create([
            Chunk(bot_id=source.bot_id, source=source, position=pos, text=t, content_hash=h, embedding=v)
            for (h, (pos, t)), v in zip(unique.items(), vectors, strict=True)
        ])
    return len(unique)


def knowledge_source_delete(*, source: KnowledgeSource, actor: Any = None, request: Any = None) -> None:
    with transaction.atomic():
        audit_record(action="knowledge.source_deleted", actor=actor, target=source, request=request,
                     data={"kind": source.kind, "title": source.title[:200], "bot_id": source.bot_id})
        source.delete()


# --- FAQs (KB-1, BEY-4) -------------------------------------------------------------------

def _is_admin(actor: Any) -> bool:
    return bool(getattr(actor, "is_platform_admin", False))


def faq_upsert(*, bot_id: int, question: str, answer: str, approved: bool = True, faq: Faq | None = None,
               actor: Any = None, new: bool = False) -> Faq:
    """KB-1: an approved FAQ is both a verbatim answer (BEY-4) and a knowledge source for retrieval.

    A draft (unapproved) FAQ has neither: it answers nobody until an admin approves it. `new`
    forces a separate row even when an FAQ with the same question exists (a draft next to the
    approved answer it may replace).
    """
    question, answer = question.strip(), answer.strip()
    if not question or not answer:
        raise ValidationError("An FAQ needs both a question and an answer.")
    with transaction.atomic():
        if faq is None and not new:
            faq = Faq.objects.filter(bot_id=bot_id, question__iexact=question).first()
        if faq is not None and faq.question == question and faq.answer == answer and faq.approved == approved:
            if approved and not faq.paraphrases.exists():
                faq_paraphrases_write(faq=faq)  # approved before paraphrases existed: backfilled on re-seed
            return faq
        vector = embed_texts([question])[0]
        source = faq.source if faq else None
        if approved:
            source = knowledge_source_upsert(bot_id=bot_id, kind=KnowledgeSource.Kind.FAQ, title=question,
                                             body=answer, source=source).source
        elif source is not None:
            source.delete()
            source = None
        if faq is None:
            faq = Faq.objects.create(bot_id=bot_id, question=question, answer=answer, approved=approved,
                                     question_embedding=vector, source=source)
            action = "knowledge.faq_created"
        else:
            faq.question, faq.answer, faq.approved = question, answer, approved
            faq.question_embedding, faq.source = vector, source
            faq.save()
            action = "knowledge.faq_changed"
        faq_paraphrases_write(faq=faq)
        if actor is not None:
            audit_record(action=action, actor=actor, target=faq,
                         data={"bot_id": bot_id, "question": question[:200], "approved": approved})
    return faq


def faq_paraphrases_write(*, faq: Faq) -> int:
    """Issue 11: an approved FAQ gets its paraphrases (and their embeddings) stored, so the verbatim
    match also catches other wordings; a draft has none. Deterministic, offline rewrite rules."""
    from agents.conversation.paraphrase import rule_paraphrases  # light: no model stack

    FaqParaphrase.objects.filter(faq=faq).delete()
    if not faq.approved:
        return 0
    texts = list(rule_paraphrases(faq.question))
    vectors = embed_texts(texts)
    FaqParaphrase.objects.bulk_create(
        [FaqParaphrase(faq=faq, text=text, embedding=vector) for text, vector in zip(texts, vectors, strict=True)])
    return len(texts)


def faq_save_by(*, actor: Any, bot_id: int, question: str, answer: str, faq: Faq | None = None) -> Faq:
    """A person's FAQ edit: an admin's is live at once, staff's waits as a draft for an admin (BOT-4).

    Staff editing a live FAQ get a draft next to it (or their earlier pending one, updated): the live
    answer keeps answering visitors until an admin approves the edit.
    """
    admin = _is_admin(actor)
    if faq is not None and faq.approved and not admin:
        pending = faq.pending_edits.filter(approved=False).order_by("id").first()
        draft = faq_upsert(bot_id=bot_id, question=question, answer=answer, approved=False, faq=pending,
                           actor=actor, new=pending is None)
        if draft.replaces_id != faq.pk:
            draft.replaces = faq
            draft.save(update_fields=["replaces", "updated_at"])
        return draft
    if faq is not None and not faq.approved and faq.replaces_id and admin:
        # An admin finishing a pending edit approves it: the live FAQ takes the new text.
        draft = faq_upsert(bot_id=bot_id, question=question, answer=answer, approved=False, faq=faq)
        return faq_approve(faq=draft, actor=actor)
    return faq_upsert(bot_id=bot_id, question=question, answer=answer, approved=admin, faq=faq,
                      actor=actor, new=faq is None and not admin)


def faq_approve(*, faq: Faq, actor: Any, request: Any = None) -> Faq:
    """Only an admin approves. A pending edit rewrites the live FAQ it replaces (same row, so its
    chunks change in place) and disappears; a new FAQ goes live itself."""
    if not _is_admin(actor):
        raise PermissionDenied("Only a platform admin can approve an FAQ.")
    if faq.approved:
        return faq
    with transaction.atomic():
        live = faq.replaces
        keep = live.pk if live is not None else faq.pk
        # The approved draft replaces any approved FAQ asking the same question.
        for twin in Faq.objects.filter(bot_id=faq.bot_id, question__iexact=faq.question, approved=True).exclude(
                pk=keep):
            faq_delete(faq=twin, actor=actor, request=request)
        data = {"bot_id": faq.bot_id, "question": faq.question[:200], "draft_id": faq.pk}
        if live is not None:
            old_answer = live.answer
            faq_upsert(bot_id=faq.bot_id, question=faq.question, answer=faq.answer, approved=True, faq=live)
            Faq.objects.filter(pk=faq.pk).delete()
            data |= {"replaced_faq_id": live.pk, "old_answer": old_answer[:500], "new_answer": live.answer[:500]}
            faq = live
        else:
            faq = faq_upsert(bot_id=faq.bot_id, question=faq.question, answer=faq.answer, approved=True, faq=faq)
        audit_record(action="knowledge.faq_approved", actor=actor, target=faq, request=request, data=data)
    return faq


def faq_delete(*, faq: Faq, actor: Any, request: Any = None) -> None:
    with transaction.atomic():
        action = "knowledge.faq_deleted" if faq.approved else "knowledge.faq_draft_discarded"
        audit_record(action=action, actor=actor, target=faq, request=request,
                     data={"bot_id": faq.bot_id, "question": faq.question[:200]})
        if faq.source_id:
            KnowledgeSource.objects.filter(pk=faq.source_id).delete()
        faq.delete()


def faq_reembed(*, bot_id: int) -> int:
    """KB-4: embed every FAQ question again (e.g. after an embedder change)."""
    faqs = list(Faq.objects.filter(bot_id=bot_id).order_by("id"))
    vectors = embed_texts([f.question for f in faqs])
    for faq, vector in zip(faqs, vectors, strict=True):
        faq.question_embedding = vector
    Faq.objects.bulk_update(faqs, ["question_embedding"], batch_size=200)
    for faq in faqs:  # the paraphrases are embedded by the same (new) embedder
        faq_paraphrases_write(faq=faq)
    return len(faqs)


# --- Articles and business-info pages (KB-2), documents (KB-3) ----------------------------

def article_upsert(*, bot_id: int, title: str, body: str, source: KnowledgeSource | None = None,
                   actor: Any = None, request: Any = None) -> IngestResult:
    title, body = title.strip(), body.strip()
    if not title or not body:
        raise ValidationError("An article needs a title and some text.")
    with transaction.atomic():
        result = knowledge_source_upsert(bot_id=bot_id, kind=KnowledgeSource.Kind.ARTICLE, title=title, body=body,
                                         source=source)
        if not result.unchanged and actor is not None:
            audit_record(action="knowledge.article_saved", actor=actor, target=result.source, request=request,
                         data={"bot_id": bot_id, "title": title[:200], "chunks_created": result.chunks_created})
    return result


def document_ingest(*, bot_id: int, document: ExtractedDocument, actor: Any = None,
                    request: Any = None) -> IngestResult:
    """KB-3: a document whose text was fully extracted already (documents.document_extract), so a
    corrupt file never gets this far and nothing is ever half-ingested."""
    with transaction.atomic():
        result = knowledge_source_upsert(
            bot_id=bot_id, kind=KnowledgeSource.Kind.DOCUMENT, title=document.title, body=document.text,
            url=f"upload:{document.file_name}",
            extra={"file_name": document.file_name, "file_type": document.file_type,
                   "file_size": document.size},
        )
        if actor is not None:
            audit_record(action="knowledge.document_ingested", actor=actor, target=result.source, request=request,
                         data={"bot_id": bot_id, "file": document.file_name, "type": document.file_type,
                               "bytes": document.size, "chunks_created": result.chunks_created,
                               "unchanged": result.unchanged})
    return result


def knowledge_seed_from_pack(*, bot_id: int, pack_key: str, details: dict[str, str]) -> int:
    """The industry pack's starter FAQs, as approved FAQs of the bot. Returns how many exist now."""
    # Lazy: industry_modes parses its YAML packs on first import; bots.config is imported with it (decision 0013).
    from industry_modes import load_pack
    from tenants.bots.config import fill_placeholders

    pack = load_pack(pack_key)
    for faq in pack.faqs:
        faq_upsert(bot_id=bot_id, question=fill_placeholders(faq.question, details),
                   answer=fill_placeholders(faq.answer, details))
    return Faq.objects.filter(bot_id=bot_id).count()
