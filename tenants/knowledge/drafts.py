"""BOT-4: staff changes to a bot's knowledge are drafts until a platform admin approves them.

Articles, documents and websites written, uploaded or added by staff become a `KnowledgeDraft`
(FAQs keep their own draft rows, see services.faq_save_by). A draft has no chunks, so retrieval
never sees it: the live bot answers from the approved version while the draft waits. An admin's
own change is live at once (the admin is the approver), audited like every other step.

Before approving, the admin sees what changes (old vs new text), what the rebuild will do (chunks
added and removed) and how the bot's saved test conversations answer with the change applied.
"""

from __future__ import annotations

import difflib
import logging
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from controlplane.audit.services import audit_record
from tenants.knowledge.chunking import content_hash
from tenants.knowledge.documents import ExtractedDocument
from tenants.knowledge.models import Faq, KnowledgeDraft, KnowledgeSource, WebsiteSource
from tenants.knowledge.services import (
    IngestResult,
    _chunk_texts,
    _is_admin,
    article_upsert,
    document_ingest,
    faq_approve,
    faq_upsert,
)

Kind = KnowledgeDraft.Kind
log = logging.getLogger(__name__)
DIFF_CONTEXT = 2
DIFF_MAX_LINES = 200


def _email(actor: Any) -> str:
    return getattr(actor, "email", "") or "system"


def _require_admin(actor: Any) -> None:
    if not _is_admin(actor):
        raise PermissionDenied("Only a platform admin can approve a knowledge change.")


def _draft_save(*, bot_id: int, kind: str, target: KnowledgeSource | None = None,
                target_site: WebsiteSource | None = None, actor: Any, request: Any = None,
                **values: Any) -> KnowledgeDraft:
    """One pending draft per changed source: a second staff edit updates the first."""
    with transaction.atomic():
        existing = None
        if target is not None:
            existing = KnowledgeDraft.objects.filter(target=target).first()
        elif target_site is not None:
            existing = KnowledgeDraft.objects.filter(target_site=target_site).first()
        elif kind == Kind.DOCUMENT and values.get("file_name"):
            existing = KnowledgeDraft.objects.filter(bot_id=bot_id, kind=kind, target=None,
                                                     file_name=values["file_name"]).first()
        elif kind == Kind.WEBSITE:
            existing = KnowledgeDraft.objects.filter(bot_id=bot_id, kind=kind, target_site=None,
                                                     url=values.get("url", "")).first()
        if existing is None:
            draft = KnowledgeDraft.objects.create(bot_id=bot_id, kind=kind, target=target, target_site=target_site,
                                                  created_by=_email(actor), **values)
        else:
            draft = existing
            for name, value in values.items():
                setattr(draft, name, value)
            draft.created_by = _email(actor)
            draft.save()
        audit_record(action="knowledge.draft_saved", actor=actor, target=draft, request=request,
                     data={"bot_id": bot_id, "kind": kind, "title": draft.title[:200],
                           "changes_source_id": target.pk if target else None,
                           "changes_site_id": target_site.pk if target_site else None})
    return draft


# --- saving: admins publish, staff draft ------------------------------------------------------

@dataclass(frozen=True)
class SaveOutcome:
    """What a person's save did: went live (`result`/`site`) or waits as a `draft`."""

    draft: KnowledgeDraft | None = None
    result: IngestResult | None = None
    site: WebsiteSource | None = None

    @property
    def live(self) -> bool:
        return self.draft is None


def article_save_by(*, actor: Any, bot_id: int, title: str, body: str, source: KnowledgeSource | None = None,
                    request: Any = None) -> SaveOutcome:
    title, body = title.strip(), body.strip()
    if not title or not body:
        raise ValidationError("An article needs a title and some text.")
    if _is_admin(actor):
        return SaveOutcome(result=article_upsert(bot_id=bot_id, title=title, body=body, source=source, actor=actor,
                                                 request=request))
    return SaveOutcome(draft=_draft_save(bot_id=bot_id, kind=Kind.ARTICLE, target=source, actor=actor,
                                         request=request, title=title, body=body))


def document_save_by(*, actor: Any, bot_id: int, document: ExtractedDocument, request: Any = None) -> SaveOutcome:
    if _is_admin(actor):
        return SaveOutcome(result=document_ingest(bot_id=bot_id, document=document, actor=actor, request=request))
    url = f"upload:{document.file_name}"
    target = KnowledgeSource.objects.filter(bot_id=bot_id, kind=KnowledgeSource.Kind.DOCUMENT, url=url).first()
    return SaveOutcome(draft=_draft_save(
        bot_id=bot_id, kind=Kind.DOCUMENT, target=target, actor=actor, request=request, title=document.title,
        body=document.text, url=url, file_name=document.file_name, file_type=document.file_type,
        file_size=document.size))


def website_save_by(*, actor: Any, bot_id: int, start_url: str, max_depth: int = 2, max_pages: int = 50,
                    weekly_refresh: bool = True, request: Any = None) -> SaveOutcome:
    """An admin's site is saved (and crawled by the caller) at once; staff's waits for approval and is
    not crawled before it (a crawl would put its pages in front of visitors)."""
    # Lazy: knowledge.website imports trafilatura (~1.5 s); only website pages need it (decision 0013).
    from tenants.knowledge.website import website_source_add, website_source_check

    if _is_admin(actor):
        return SaveOutcome(site=website_source_add(bot_id=bot_id, start_url=start_url, max_depth=max_depth,
                                                   max_pages=max_pages, weekly_refresh=weekly_refresh,
                                                   actor=actor, request=request))
    website_source_check(start_url=start_url, max_depth=max_depth, max_pages=max_pages)
    site = WebsiteSource.objects.filter(bot_id=bot_id, start_url=start_url).first()
    return SaveOutcome(draft=_draft_save(
        bot_id=bot_id, kind=Kind.WEBSITE, target_site=site, actor=actor, request=request, title=start_url,
        url=start_url, settings={"max_depth": max_depth, "max_pages": max_pages,
                                 "weekly_refresh": weekly_refresh}))


# --- approving and discarding ----------------------------------------------------------------

@dataclass(frozen=True)
class ApproveOutcome:
    draft_id: int
    kind: str
    source: KnowledgeSource | None = None
    site: WebsiteSource | None = None  # a website to crawl now (after commit)
    chunks_created: int = 0
    chunks_deleted: int = 0


def _apply(draft: KnowledgeDraft) -> ApproveOutcome:
    """Put the draft's content live: ingest (chunks and embeddings) or save the website."""
    if draft.kind == Kind.RECRAWL:
        # Lazy: see website_save_by.
        from tenants.knowledge.website import website_update_apply

        site = draft.target_site
        if site is None:  # the site was removed meanwhile; the draft went with it (CASCADE), so unreachable
            raise ValidationError("This website is no longer part of the bot.")
        update = draft.settings or {}
        website_update_apply(site=site, pages=list(update.get("pages", [])), removed=list(update.get("removed", [])))
        return ApproveOutcome(draft_id=draft.pk, kind=draft.kind)
    if draft.kind == Kind.WEBSITE:
        # Lazy: see website_save_by.
        from tenants.knowledge.website import website_source_add

        settings = draft.settings or {}
        site = website_source_add(bot_id=draft.bot_id, start_url=draft.url,
                                  max_depth=int(settings.get("max_depth", 2)),
                                  max_pages=int(settings.get("max_pages", 50)),
                                  weekly_refresh=bool(settings.get("weekly_refresh", True)))
        return ApproveOutcome(draft_id=draft.pk, kind=draft.kind, site=site)
    if draft.kind == Kind.DOCUMENT:
        result = document_ingest(bot_id=draft.bot_id, document=ExtractedDocument(
            title=draft.title, text=draft.body, file_name=draft.file_name, file_type=draft.file_type,
            size=draft.file_size or 0, pages=0))
    else:
        result = article_upsert(bot_id=draft.bot_id, title=draft.title, body=draft.body, source=draft.target)
    return ApproveOutcome(draft_id=draft.pk, kind=draft.kind, source=result.source,
                          chunks_created=result.chunks_created, chunks_deleted=result.chunks_deleted)


def knowledge_draft_approve(*, draft: KnowledgeDraft, actor: Any, comment: str = "",
                            request: Any = None) -> ApproveOutcome:
    _require_admin(actor)
    with transaction.atomic():
        KnowledgeDraft.objects.select_for_update().filter(pk=draft.pk).first()
        outcome = _apply(draft)
        audit_record(action="knowledge.draft_approved", actor=actor, target=draft, request=request,
                     data={"bot_id": draft.bot_id, "kind": draft.kind, "title": draft.title[:200],
                           "drafted_by": draft.created_by, "comment": comment[:500],
                           "source_id": outcome.source.pk if outcome.source else None,
                           "site_id": outcome.site.pk if outcome.site else None,
                           "chunks_created": outcome.chunks_created, "chunks_deleted": outcome.chunks_deleted})
        draft.delete()
    return outcome


def knowledge_draft_discard(*, draft: KnowledgeDraft, actor: Any, request: Any = None) -> None:
    """Staff may discard a draft (their change is withdrawn); nothing live changes."""
    with transaction.atomic():
        audit_record(action="knowledge.draft_discarded", actor=actor, target=draft, request=request,
                     data={"bot_id": draft.bot_id, "kind": draft.kind, "title": draft.title[:200],
                           "drafted_by": draft.created_by})
        draft.delete()


# --- what the approver sees ------------------------------------------------------------------

@dataclass(frozen=True)
class DiffLine:
    kind: str  # "same" | "added" | "removed" | "gap"
    text: str


@dataclass(frozen=True)
class ChunkImpact:
    added: int
    removed: int
    kept: int

    @property
    def summary(self) -> str:
        return f"{self.added} chunk(s) added, {self.removed} removed, {self.kept} kept"


@dataclass
class DraftPreview:
    title_old: str
    title_new: str
    diff: list[DiffLine]
    impact: ChunkImpact | None
    regression: list[dict[str, Any]] = field(default_factory=list)
    regression_ran: bool = False
    notes: list[str] = field(default_factory=list)

    @property
    def regression_failed(self) -> int:
        return sum(1 for r in self.regression if not r.get("passed"))


def text_diff(old: str, new: str) -> list[DiffLine]:
    """Old vs new, line by line, with a little context around each change."""
    lines: list[DiffLine] = []
    for group in difflib.SequenceMatcher(a=old.splitlines(), b=new.splitlines(), autojunk=False).get_grouped_opcodes(
            DIFF_CONTEXT):
        if lines:
            lines.append(DiffLine("gap", "…"))
        for tag, i1, i2, j1, j2 in group:
            a, b = old.splitlines()[i1:i2], new.splitlines()[j1:j2]
            if tag == "equal":
                lines += [DiffLine("same", t) for t in a]
            else:
                lines += [DiffLine("removed", t) for t in a] + [DiffLine("added", t) for t in b]
    return lines[:DIFF_MAX_LINES]


def chunk_impact(*, title: str, body: str, current: KnowledgeSource | None) -> ChunkImpact:
    """What approving will do to the index: the same cutting as ingestion, compared by content hash
    (nothing is embedded to find out)."""
    wanted = {content_hash(t) for t in _chunk_texts(title, body)}
    existing = set(current.chunks.values_list("content_hash", flat=True)) if current is not None else set()
    return ChunkImpact(added=len(wanted - existing), removed=len(existing - wanted), kept=len(wanted & existing))


class _Rollback(Exception):
    pass


def _regression_with(apply: Any, bot_id: int) -> tuple[bool, list[dict[str, Any]]]:
    """The bot's saved test conversations (BEY-5), answered by the live configuration with the change
    applied inside a savepoint that is always rolled back: nothing of the preview stays."""
    # Lazy: the sandbox loads the agent runtime (decision 0013).
    from tenants.bots.models import Bot
    from tenants.bots.sandbox import regression_run

    bot = Bot.objects.select_related("published_version").filter(pk=bot_id).first()
    if bot is None or bot.published_version is None or not bot.test_cases.exists():
        return False, []
    results: list[dict[str, Any]] = []
    try:
        with transaction.atomic():
            apply()
            results = [o.as_json() for o in regression_run(version=bot.published_version)]
            raise _Rollback
    except _Rollback:
        pass
    except Exception as error:  # noqa: BLE001 - the review page must open even when the model is down
        log.warning("saved tests could not run for a knowledge draft of bot %s: %s", bot_id, error)
        return False, [{"name": "Saved tests", "question": "", "passed": False, "reply": "",
                        "failures": [f"could not run right now ({type(error).__name__}); try again later"]}]
    return True, results


def _website_update_preview(draft: KnowledgeDraft, run_regression: bool) -> DraftPreview:
    """A re-crawl's findings: each changed or new page's live text against what the site says now,
    and each removed page's live text going away."""
    update = draft.settings or {}
    pages, removed = list(update.get("pages", [])), list(update.get("removed", []))
    site = draft.target_site
    live = {s.url: s for s in site.pages.filter(url__in=[p["url"] for p in pages] + removed)} if site else {}
    old: list[str] = []
    new: list[str] = []
    for page in pages:
        current = live.get(page["url"])
        old += [f"== {page['url']}", *(current.body.splitlines() if current else [])]
        new += [f"== {page['url']}", *page["text"].splitlines()]
    for url in removed:
        current = live.get(url)
        old += [f"== {url}", *(current.body.splitlines() if current else [])]
    impacts = [chunk_impact(title=p["title"], body=p["text"], current=live.get(p["url"])) for p in pages]
    gone = sum(live[url].chunks.count() for url in removed if url in live)
    impact = ChunkImpact(added=sum(i.added for i in impacts), removed=sum(i.removed for i in impacts) + gone,
                         kept=sum(i.kept for i in impacts))
    changed = sum(1 for p in pages if p["url"] in live)
    preview = DraftPreview(
        title_old=site.start_url if site else "", title_new=draft.url, diff=text_diff("\n".join(old), "\n".join(new)),
        impact=impact, notes=[f"A re-crawl of {draft.url} found {changed} changed page(s), {len(pages) - changed} new "
                              f"and {len(removed)} removed. Visitors get the live pages until an admin approves."])
    if run_regression:
        preview.regression_ran, preview.regression = _regression_with(lambda: _apply(draft), draft.bot_id)
    return preview


def knowledge_draft_preview(draft: KnowledgeDraft, *, run_regression: bool = True) -> DraftPreview:
    if draft.kind == Kind.RECRAWL:
        return _website_update_preview(draft, run_regression)
    if draft.kind == Kind.WEBSITE:
        site = draft.target_site
        old = "" if site is None else (f"Start page: {site.start_url}\nLink depth: {site.max_depth}\n"
                                       f"Page limit: {site.max_pages}\nWeekly re-crawl: {'yes' if site.weekly_refresh else 'no'}")
        s = draft.settings or {}
        new = (f"Start page: {draft.url}\nLink depth: {s.get('max_depth')}\nPage limit: {s.get('max_pages')}\n"
               f"Weekly re-crawl: {'yes' if s.get('weekly_refresh') else 'no'}")
        return DraftPreview(title_old=site.start_url if site else "", title_new=draft.url, diff=text_diff(old, new),
                            impact=None, notes=["The site is crawled once approved; each page it reads becomes "
                                                "knowledge, and the crawl lists what it added."])
    current = draft.target
    if current is None and draft.kind == Kind.DOCUMENT:
        current = KnowledgeSource.objects.filter(bot_id=draft.bot_id, kind=KnowledgeSource.Kind.DOCUMENT,
                                                 url=draft.url).first()
    preview = DraftPreview(title_old=current.title if current else "", title_new=draft.title,
                           diff=text_diff(current.body if current else "", draft.body),
                           impact=chunk_impact(title=draft.title, body=draft.body, current=current))
    if run_regression:
        preview.regression_ran, preview.regression = _regression_with(lambda: _apply(draft), draft.bot_id)
    return preview


def faq_draft_preview(faq: Faq, *, run_regression: bool = True) -> DraftPreview:
    """An FAQ draft: the live answer it replaces (if any) against the draft."""
    live = faq.replaces
    old = f"Q: {live.question}\nA: {live.answer}" if live else ""
    current = live.source if live and live.source_id else None
    preview = DraftPreview(title_old=live.question if live else "", title_new=faq.question,
                           diff=text_diff(old, f"Q: {faq.question}\nA: {faq.answer}"),
                           impact=chunk_impact(title=faq.question, body=faq.answer, current=current),
                           notes=["Once approved, visitors asking this question get the answer word for word."])
    if run_regression:
        def apply() -> None:
            if live is not None:
                faq_upsert(bot_id=faq.bot_id, question=faq.question, answer=faq.answer, approved=True, faq=live)
            else:
                faq_upsert(bot_id=faq.bot_id, question=faq.question, answer=faq.answer, approved=True, faq=faq)

        preview.regression_ran, preview.regression = _regression_with(apply, faq.bot_id)
    return preview


@dataclass(frozen=True)
class PendingChanges:
    faqs: list[Faq]
    drafts: list[KnowledgeDraft]

    @property
    def count(self) -> int:
        return len(self.faqs) + len(self.drafts)


def knowledge_pending(*, bot_id: int) -> PendingChanges:
    """Everything of this bot's knowledge waiting for an admin."""
    return PendingChanges(
        faqs=list(Faq.objects.filter(bot_id=bot_id, approved=False).select_related("replaces").order_by("created_at")),
        drafts=list(KnowledgeDraft.objects.filter(bot_id=bot_id).select_related("target", "target_site")))


__all__ = ["faq_approve", "knowledge_draft_approve", "knowledge_draft_discard", "knowledge_draft_preview"]
