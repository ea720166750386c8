"""ADM-10/BEY-7: a bot's websites, their crawls, and what changed between two crawls."""

from __future__ import annotations

import difflib
from typing import Any

import httpx
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from controlplane.audit.services import audit_record
from controlplane.core.outbound import OutboundRefused, validate_public_url
from controlplane.errorlog.capture import client_slug_of_schema
from controlplane.errorlog.models import ErrorKind
from controlplane.errorlog.services import error_record
from tenants.knowledge.chunking import content_hash
from tenants.knowledge.models import KnowledgeDraft, KnowledgeSource, WebsiteCrawl, WebsiteSource
from tenants.knowledge.scraper import website_crawl
from tenants.knowledge.services import knowledge_source_upsert

MAX_DEPTH_LIMIT = 5
MAX_PAGES_LIMIT = 500
DIFF_LINES = 12


def website_source_check(*, start_url: str, max_depth: int, max_pages: int) -> None:
    """A site the crawler may fetch, with limits in range (checked again when a draft is approved)."""
    if not start_url.startswith(("http://", "https://")):
        raise ValidationError("The start URL must begin with http:// or https://.")
    try:
        validate_public_url(start_url)
    except OutboundRefused as refused:
        raise ValidationError(str(refused)) from refused
    if not 0 <= max_depth <= MAX_DEPTH_LIMIT or not 1 <= max_pages <= MAX_PAGES_LIMIT:
        raise ValidationError(f"Depth must be 0–{MAX_DEPTH_LIMIT} and pages 1–{MAX_PAGES_LIMIT}.")


def website_source_add(*, bot_id: int, start_url: str, max_depth: int = 2, max_pages: int = 50,
                       weekly_refresh: bool = True, actor: Any = None, request: Any = None) -> WebsiteSource:
    website_source_check(start_url=start_url, max_depth=max_depth, max_pages=max_pages)
    with transaction.atomic():
        site, _ = WebsiteSource.objects.update_or_create(
            bot_id=bot_id, start_url=start_url,
            defaults={"max_depth": max_depth, "max_pages": max_pages, "weekly_refresh": weekly_refresh})
        audit_record(action="knowledge.website_saved", actor=actor, target=site, request=request,
                     data={"bot_id": bot_id, "start_url": start_url, "max_depth": max_depth, "max_pages": max_pages})
    return site


def website_source_delete(*, site: WebsiteSource, actor: Any = None, request: Any = None) -> None:
    with transaction.atomic():
        audit_record(action="knowledge.website_deleted", actor=actor, target=site, request=request,
                     data={"start_url": site.start_url, "pages": site.pages.count()})
        site.delete()  # its pages (and their chunks) go with it


def text_diff_summary(old: str, new: str) -> str:
    """A short, readable line diff: what a person needs to see what changed on a page."""
    old_lines, new_lines = old.splitlines(), new.splitlines()
    changes = [line for line in difflib.unified_diff(old_lines, new_lines, lineterm="", n=0)
               if line[:1] in "+-" and not line.startswith(("+++", "---"))]
    added = sum(1 for line in changes if line.startswith("+"))
    removed = len(changes) - added
    shown = "\n".join(line[:200] for line in changes[:DIFF_LINES])
    more = f"\n… {len(changes) - DIFF_LINES} more changed lines" if len(changes) > DIFF_LINES else ""
    return f"+{added} −{removed} lines\n{shown}{more}"


def _crawl_failure_record(site: WebsiteSource, reason: str) -> None:
    """AX-6: a failed crawl shows in the agency's error log, grouped per site."""
    error_record(kind=ErrorKind.CRAWL, where=site.start_url, client_slug=client_slug_of_schema(),
                 title=f"Website crawl of {site.start_url} failed", detail=reason,
                 context={"site_id": site.pk, "bot_id": site.bot_id})


def _page_unchanged(previous: KnowledgeSource, title: str, text: str) -> bool:
    return previous.content_hash == content_hash(f"{title}\n{text}") and previous.title == title


def website_refresh(*, site: WebsiteSource, trigger: str = "manual", client: httpx.Client | None = None,
                    publish: bool = False) -> WebsiteCrawl:
    """Crawl the site and bring its pages in line: added, changed, removed, each recorded.

    BOT-4: the first crawl of an approved site publishes what it reads (approving the site approved
    it). A later crawl (weekly, or asked for by staff) that finds changed, new or removed pages does
    not touch the live bot: the changes wait as one "website update" draft with a diff per page,
    for an admin to approve. `publish=True` (an admin asked for the crawl) applies them at once.
    """
    crawl = WebsiteCrawl.objects.create(site=site, trigger=trigger)
    try:
        result = website_crawl(start_url=site.start_url, max_depth=site.max_depth, max_pages=site.max_pages,
                               client=client)
    except (httpx.HTTPError, ValueError) as error:
        crawl.state, crawl.error, crawl.finished_at = WebsiteCrawl.State.FAILED, str(error)[:2000], timezone.now()
        crawl.save()
        _crawl_failure_record(site, crawl.error)
        return crawl
    crawl.pages_fetched, crawl.skipped = len(result.pages), result.skipped[:200]
    if not result.pages:
        # An unreachable site must not wipe the knowledge it gave before.
        crawl.state, crawl.finished_at = WebsiteCrawl.State.FAILED, timezone.now()
        crawl.error = "No readable page was fetched; existing pages were kept."
        crawl.save()
        _crawl_failure_record(site, "\n".join([crawl.error, *map(str, result.skipped[:10])]))
        return crawl
    existing = {s.url: s for s in site.pages.all()}
    first_crawl = not existing and not site.crawls.filter(state=WebsiteCrawl.State.DONE).exists()
    pages: dict[str, Any] = {}
    for page in result.pages:
        pages.setdefault(page.url, page)
    update: list[dict[str, str]] = []  # new and changed pages, with their new text
    for url, page in pages.items():
        previous = existing.get(url)
        if previous is None:
            crawl.added.append(url)
        elif _page_unchanged(previous, page.title, page.text):
            crawl.unchanged += 1
            continue
        else:
            crawl.changed.append({"url": url, "title": page.title,
                                  "diff": text_diff_summary(previous.body, page.text)})
        update.append({"url": url, "title": page.title, "text": page.text})
    crawl.removed = [url for url in existing if url not in pages]
    with transaction.atomic():
        if (update or crawl.removed) and not publish and not first_crawl:
            crawl.held = True
            website_update_draft_save(site=site, pages=update, removed=crawl.removed, trigger=trigger)
        else:
            website_update_apply(site=site, pages=update, removed=crawl.removed)
        crawl.state, crawl.finished_at = WebsiteCrawl.State.DONE, timezone.now()
        crawl.save()
        site.last_crawled_at = crawl.finished_at
        site.save(update_fields=["last_crawled_at"])
    return crawl


def website_update_apply(*, site: WebsiteSource, pages: list[dict[str, str]], removed: list[str]) -> None:
    """Put a crawl's new and changed pages live and drop its removed ones (chunks follow)."""
    existing = {s.url: s for s in site.pages.filter(url__in=[p["url"] for p in pages])}
    with transaction.atomic():
        for page in pages:
            knowledge_source_upsert(bot_id=site.bot_id, kind=KnowledgeSource.Kind.PAGE, title=page["title"],
                                    body=page["text"], url=page["url"], source=existing.get(page["url"]),
                                    extra={"website": site})
        if removed:
            KnowledgeSource.objects.filter(website=site, url__in=removed).delete()


def website_update_draft_save(*, site: WebsiteSource, pages: list[dict[str, str]], removed: list[str],
                              trigger: str) -> KnowledgeDraft:
    """One pending "website update" per site: a later crawl replaces the earlier one's findings (both
    were compared with the live pages, so the newer crawl holds everything that changed)."""
    n_new = sum(1 for p in pages if not site.pages.filter(url=p["url"]).exists())
    title = (f"{site.start_url}: {len(pages) - n_new} changed, {n_new} new, {len(removed)} removed "
             f"page{'s' if len(pages) + len(removed) != 1 else ''}")
    values = {"title": title[:300], "url": site.start_url, "body": "",
              "settings": {"pages": pages, "removed": removed, "trigger": trigger},
              "created_by": "weekly re-crawl" if trigger == "weekly" else "re-crawl"}
    draft = KnowledgeDraft.objects.filter(target_site=site, kind=KnowledgeDraft.Kind.RECRAWL).first()
    if draft is None:
        draft = KnowledgeDraft.objects.create(bot_id=site.bot_id, kind=KnowledgeDraft.Kind.RECRAWL,
                                              target_site=site, **values)
    else:
        for name, value in values.items():
            setattr(draft, name, value)
        draft.save()
    audit_record(action="knowledge.draft_saved", actor=None, target=draft,
                 data={"bot_id": site.bot_id, "kind": draft.kind, "title": draft.title[:200],
                       "changes_site_id": site.pk})
    return draft
