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
from tenants.knowledge.models import KnowledgeSource, WebsiteCrawl, WebsiteSource
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


def website_refresh(*, site: WebsiteSource, trigger: str = "manual", client: httpx.Client | None = None) -> WebsiteCrawl:
    """Crawl the site and bring its pages in line: added, changed, removed, each recorded."""
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
    fetched: set[str] = set()
    with transaction.atomic():
        for page in result.pages:
            if page.url in fetched:
                continue
            fetched.add(page.url)
            previous = existing.get(page.url)
            old_body = previous.body if previous else ""
            outcome = knowledge_source_upsert(bot_id=site.bot_id, kind=KnowledgeSource.Kind.PAGE, title=page.title,
                                              body=page.text, url=page.url, source=previous,
                                              extra={"website": site})
            if previous is None:
                crawl.added.append(page.url)
            elif outcome.unchanged:
                crawl.unchanged += 1
            else:
                crawl.changed.append({"url": page.url, "title": page.title,
                                      "diff": text_diff_summary(old_body, page.text)})
        gone = [url for url in existing if url not in fetched]
        if gone:
            KnowledgeSource.objects.filter(website=site, url__in=gone).delete()
        crawl.removed = gone
        crawl.state, crawl.finished_at = WebsiteCrawl.State.DONE, timezone.now()
        crawl.save()
        site.last_crawled_at = crawl.finished_at
        site.save(update_fields=["last_crawled_at"])
    return crawl
