"""Agency portal pages for one bot's knowledge (KB-1..4, ADM-9, ADM-10, BEY-7). Staff and admins
edit knowledge; whatever staff write, upload or add stays a draft until an admin approves it (BOT-4)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from controlplane.core.enqueue import enqueue_after_commit
from tenants.bots.models import Bot
from tenants.knowledge.documents import DocumentRejected, document_precheck
from tenants.knowledge.drafts import (
    article_save_by,
    faq_draft_preview,
    knowledge_draft_approve,
    knowledge_draft_discard,
    knowledge_draft_preview,
    knowledge_pending,
    website_save_by,
)
from tenants.knowledge.forms import ArticleForm, DocumentUploadForm, FaqForm, WebsiteForm
from tenants.knowledge.models import (
    Chunk,
    Faq,
    KnowledgeDraft,
    KnowledgeRebuild,
    KnowledgeSource,
    WebsiteSource,
)
from tenants.knowledge.rebuild import knowledge_rebuild_cancel, knowledge_rebuild_request
from tenants.knowledge.services import (
    faq_approve,
    faq_delete,
    faq_save_by,
    knowledge_source_delete,
)
from tenants.knowledge.tasks import knowledge_rebuild_task, website_refresh_task
from tenants.knowledge.uploads import document_upload_create, document_uploads_recent
from tenants.knowledge.website import website_source_delete
from tenants.portal_access import client_portal_view, get_or_404


def _bot(bot_id: int) -> Bot:
    return get_or_404(Bot.objects.all(), pk=bot_id)


def _is_admin(request: HttpRequest) -> bool:
    return bool(getattr(request.user, "is_platform_admin", False))


def _home(client: Any, bot: Bot) -> HttpResponse:
    return redirect("knowledge:home", slug=client.slug, bot_id=bot.pk)


@require_GET
@client_portal_view()
def knowledge_home(request: HttpRequest, client: Any, bot_id: int) -> HttpResponse:
    bot = _bot(bot_id)
    sources = KnowledgeSource.objects.filter(bot_id=bot.pk)
    return render(request, "portal/knowledge/home.html", {
        "client": client, "bot": bot,
        "faqs": Faq.objects.filter(bot_id=bot.pk, approved=True).order_by("question"),
        "articles": sources.filter(kind=KnowledgeSource.Kind.ARTICLE),
        "documents": sources.filter(kind=KnowledgeSource.Kind.DOCUMENT),
        "websites": WebsiteSource.objects.filter(bot_id=bot.pk).prefetch_related("crawls"),
        "rebuild": KnowledgeRebuild.objects.filter(bot_id=bot.pk).first(),
        "pending": knowledge_pending(bot_id=bot.pk),
        "chunk_count": Chunk.objects.filter(bot_id=bot.pk).count(),
        "upload_form": DocumentUploadForm(), "website_form": WebsiteForm(),
        "uploads": document_uploads_recent(bot_id=bot.pk),
    })


@require_http_methods(["GET", "POST"])
@client_portal_view()
def faq_edit(request: HttpRequest, client: Any, bot_id: int, faq_id: int | None = None) -> HttpResponse:
    bot = _bot(bot_id)
    faq = get_or_404(Faq.objects.filter(bot_id=bot.pk), pk=faq_id) if faq_id else None
    # A pending staff edit of this live FAQ is what the next edit continues from (BOT-4).
    pending = faq.pending_edits.filter(approved=False).order_by("id").first() if faq and faq.approved else None
    shown = pending or faq
    initial = {"question": request.GET.get("question", "")} if shown is None else {"question": shown.question,
                                                                                    "answer": shown.answer}
    form = FaqForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = faq_save_by(actor=request.user, bot_id=bot.pk, question=form.cleaned_data["question"],
                                answer=form.cleaned_data["answer"], faq=faq)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "FAQ saved and live." if saved.approved else
                             "FAQ saved as a draft: it answers visitors once an admin approves it."
                             + (" Until then the live answer stays as it was." if saved.replaces_id else ""))
            return _home(client, bot)
    if pending is not None and request.method == "GET":
        messages.info(request, "An edit of this answer waits for approval; you are editing that draft. "
                               "Visitors still get the live answer.")
    return render(request, "portal/knowledge/faq_form.html", {"client": client, "bot": bot, "faq": faq, "form": form},
                  status=400 if request.method == "POST" else 200)


@require_POST
@client_portal_view(admin=True)
def faq_approve_view(request: HttpRequest, client: Any, bot_id: int, faq_id: int) -> HttpResponse:
    bot = _bot(bot_id)
    faq = get_or_404(Faq.objects.filter(bot_id=bot.pk), pk=faq_id)
    faq_approve(faq=faq, actor=request.user, request=request)
    messages.success(request, "FAQ approved: the bot now answers it directly.")
    return _home(client, bot)


@require_POST
@client_portal_view()
def faq_delete_view(request: HttpRequest, client: Any, bot_id: int, faq_id: int) -> HttpResponse:
    bot = _bot(bot_id)
    faq = get_or_404(Faq.objects.filter(bot_id=bot.pk), pk=faq_id)
    if faq.approved and not request.user.is_platform_admin:
        messages.error(request, "Only an admin can delete a live FAQ.")
    else:
        was_live = faq.approved
        faq_delete(faq=faq, actor=request.user, request=request)
        messages.success(request, "FAQ deleted." if was_live else "Draft discarded; the live answers are unchanged.")
    return _home(client, bot)


@require_http_methods(["GET", "POST"])
@client_portal_view()
def article_edit(request: HttpRequest, client: Any, bot_id: int, source_id: int | None = None) -> HttpResponse:
    bot = _bot(bot_id)
    source = get_or_404(KnowledgeSource.objects.filter(bot_id=bot.pk, kind="article"), pk=source_id) \
        if source_id else None
    form = ArticleForm(request.POST or None, initial={"title": source.title, "body": source.body} if source else None)
    if request.method == "POST" and form.is_valid():
        try:
            outcome = article_save_by(actor=request.user, bot_id=bot.pk, title=form.cleaned_data["title"],
                                      body=form.cleaned_data["body"], source=source, request=request)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            result = outcome.result
            if result is None:
                messages.success(request, "Article saved as a draft: visitors get it once an admin approves it."
                                 + (" Until then the live version stays as it was." if source else ""))
            else:
                messages.success(request, "No change." if result.unchanged else
                                 f"Article saved and live: {result.chunks_created} new chunk(s), "
                                 f"{result.chunks_deleted} removed.")
            return _home(client, bot)
    return render(request, "portal/knowledge/article_form.html",
                  {"client": client, "bot": bot, "source": source, "form": form},
                  status=400 if request.method == "POST" else 200)


@require_POST
@client_portal_view()
def source_delete(request: HttpRequest, client: Any, bot_id: int, source_id: int) -> HttpResponse:
    bot = _bot(bot_id)
    source = get_or_404(KnowledgeSource.objects.filter(bot_id=bot.pk, kind__in=["article", "document"]),
                        pk=source_id)
    if not _is_admin(request):
        messages.error(request, "Only an admin can remove live knowledge.")
        return _home(client, bot)
    knowledge_source_delete(source=source, actor=request.user, request=request)
    messages.success(request, f"“{source.title}” removed from the bot's knowledge.")
    return _home(client, bot)


@require_POST
@client_portal_view()
def document_upload(request: HttpRequest, client: Any, bot_id: int) -> HttpResponse:
    bot = _bot(bot_id)
    form = DocumentUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "Choose a file to upload.")
        return _home(client, bot)
    upload = form.cleaned_data["file"]
    try:
        # Name and size only: the file is read by the knowledge worker, never here (decision 0034).
        document_precheck(file_name=upload.name, size=upload.size)  # refuse before reading it into memory
        document_upload_create(bot_id=bot.pk, file_name=upload.name, data=upload.read(), actor=request.user,
                               request=request)
    except DocumentRejected as error:
        messages.error(request, f"“{upload.name}” was not added: {error}")
    return _home(client, bot)


@require_POST
@client_portal_view()
def website_add(request: HttpRequest, client: Any, bot_id: int) -> HttpResponse:

    bot = _bot(bot_id)
    form = WebsiteForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Check the website form: " + "; ".join(
            f"{k}: {' '.join(v)}" for k, v in form.errors.items()))
        return _home(client, bot)
    try:
        outcome = website_save_by(actor=request.user, bot_id=bot.pk, request=request, **form.cleaned_data)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return _home(client, bot)
    site = outcome.site
    if site is None:
        messages.success(request, "Website saved as a draft: it is crawled once an admin approves it.")
        return _home(client, bot)
    enqueue_after_commit(website_refresh_task, args=[site.pk, "manual", True], schema_name=client.schema_name,
                         request=request,
                         success_message=f"Crawling {site.start_url} now; pages appear here as they are read.")
    return redirect("knowledge:website", slug=client.slug, bot_id=bot.pk, site_id=site.pk)


@require_GET
@client_portal_view()
def website_detail(request: HttpRequest, client: Any, bot_id: int, site_id: int) -> HttpResponse:
    bot = _bot(bot_id)
    site = get_or_404(WebsiteSource.objects.filter(bot_id=bot.pk), pk=site_id)
    return render(request, "portal/knowledge/website.html", {
        "client": client, "bot": bot, "site": site, "crawls": site.crawls.all()[:10],
        "pages": site.pages.order_by("url")})


@require_POST
@client_portal_view()
def website_crawl_now(request: HttpRequest, client: Any, bot_id: int, site_id: int) -> HttpResponse:

    bot = _bot(bot_id)
    site = get_or_404(WebsiteSource.objects.filter(bot_id=bot.pk), pk=site_id)
    publish = _is_admin(request)  # BOT-4: a crawl staff ask for holds what changed for an admin
    enqueue_after_commit(website_refresh_task, args=[site.pk, "manual", publish], schema_name=client.schema_name,
                         request=request, success_message="Crawl queued. Refresh this page to see what changed." + (
                             "" if publish else " Changed pages wait for an admin's approval before visitors see them."))
    return redirect("knowledge:website", slug=client.slug, bot_id=bot.pk, site_id=site.pk)


@require_POST
@client_portal_view()
def website_delete(request: HttpRequest, client: Any, bot_id: int, site_id: int) -> HttpResponse:
    bot = _bot(bot_id)
    site = get_or_404(WebsiteSource.objects.filter(bot_id=bot.pk), pk=site_id)
    if not _is_admin(request):
        messages.error(request, "Only an admin can remove a live website and its pages.")
        return _home(client, bot)
    website_source_delete(site=site, actor=request.user, request=request)
    messages.success(request, "Website and its pages removed.")
    return _home(client, bot)


@require_POST
@client_portal_view()
def rebuild_start(request: HttpRequest, client: Any, bot_id: int) -> HttpResponse:

    bot = _bot(bot_id)
    rebuild, created = knowledge_rebuild_request(bot_id=bot.pk, actor=request.user, request=request)
    if created:
        enqueue_after_commit(knowledge_rebuild_task, args=[rebuild.pk], schema_name=client.schema_name,
                             request=request)
    else:
        messages.info(request, "A rebuild is already running for this bot; here it is.")
    return redirect("knowledge:rebuild", slug=client.slug, bot_id=bot.pk, rebuild_id=rebuild.pk)


@require_GET
@client_portal_view()
def rebuild_detail(request: HttpRequest, client: Any, bot_id: int, rebuild_id: int) -> HttpResponse:
    bot = _bot(bot_id)
    rebuild = get_or_404(KnowledgeRebuild.objects.filter(bot_id=bot.pk), pk=rebuild_id)
    template = "portal/knowledge/_rebuild_progress.html" if request.htmx else "portal/knowledge/rebuild.html"
    return render(request, template, {"client": client, "bot": bot, "rebuild": rebuild})


@require_POST
@client_portal_view()
def rebuild_cancel(request: HttpRequest, client: Any, bot_id: int, rebuild_id: int) -> HttpResponse:
    bot = _bot(bot_id)
    rebuild = get_or_404(KnowledgeRebuild.objects.filter(bot_id=bot.pk), pk=rebuild_id)
    if rebuild.is_active:
        knowledge_rebuild_cancel(rebuild=rebuild, actor=request.user, request=request)
        messages.success(request, "Cancelling: the rebuild stops after the source it is working on.")
    return redirect("knowledge:rebuild", slug=client.slug, bot_id=bot.pk, rebuild_id=rebuild.pk)


# --- BOT-4: what waits for an admin, and the review of one change ----------------------------

@require_GET
@client_portal_view()
def approvals(request: HttpRequest, client: Any, bot_id: int) -> HttpResponse:
    bot = _bot(bot_id)
    return render(request, "portal/knowledge/approvals.html",
                  {"client": client, "bot": bot, "pending": knowledge_pending(bot_id=bot.pk)})


@require_GET
@client_portal_view()
def draft_review(request: HttpRequest, client: Any, bot_id: int, draft_id: int) -> HttpResponse:
    bot = _bot(bot_id)
    draft = get_or_404(KnowledgeDraft.objects.filter(bot_id=bot.pk).select_related("target", "target_site"),
                       pk=draft_id)
    return render(request, "portal/knowledge/draft_review.html", {
        "client": client, "bot": bot, "draft": draft, "kind_label": draft.get_kind_display(),
        "preview": knowledge_draft_preview(draft),
        "approve_url": reverse("knowledge:draft_approve", args=[client.slug, bot.pk, draft.pk]),
        "discard_url": reverse("knowledge:draft_discard", args=[client.slug, bot.pk, draft.pk])})


@require_GET
@client_portal_view()
def faq_review(request: HttpRequest, client: Any, bot_id: int, faq_id: int) -> HttpResponse:
    bot = _bot(bot_id)
    faq = get_or_404(Faq.objects.filter(bot_id=bot.pk).select_related("replaces"), pk=faq_id)
    return render(request, "portal/knowledge/draft_review.html", {
        "client": client, "bot": bot, "draft": faq, "kind_label": "FAQ", "already_live": faq.approved,
        "preview": faq_draft_preview(faq, run_regression=not faq.approved),
        "drafted_by": "", "approve_url": reverse("knowledge:faq_approve", args=[client.slug, bot.pk, faq.pk]),
        "discard_url": reverse("knowledge:faq_delete", args=[client.slug, bot.pk, faq.pk])})


@require_POST
@client_portal_view(admin=True)
def draft_approve(request: HttpRequest, client: Any, bot_id: int, draft_id: int) -> HttpResponse:
    bot = _bot(bot_id)
    draft = get_or_404(KnowledgeDraft.objects.filter(bot_id=bot.pk), pk=draft_id)
    try:
        outcome = knowledge_draft_approve(draft=draft, actor=request.user, comment=request.POST.get("comment", ""),
                                          request=request)
    except ValidationError as error:
        messages.error(request, "Not approved: " + " ".join(error.messages))
        return redirect("knowledge:draft", slug=client.slug, bot_id=bot.pk, draft_id=draft.pk)
    if outcome.site is not None:
        enqueue_after_commit(website_refresh_task, args=[outcome.site.pk, "manual", True],
                             schema_name=client.schema_name,
                             request=request, success_message=f"Approved: crawling {outcome.site.start_url} now.")
        return redirect("knowledge:website", slug=client.slug, bot_id=bot.pk, site_id=outcome.site.pk)
    if outcome.kind == KnowledgeDraft.Kind.RECRAWL:
        messages.success(request, "Approved: the website's changed pages are live.")
    else:
        messages.success(request, f"Approved and live: {outcome.chunks_created} chunk(s) added, "
                                  f"{outcome.chunks_deleted} removed.")
    return redirect("knowledge:approvals", slug=client.slug, bot_id=bot.pk)


@require_POST
@client_portal_view()
def draft_discard(request: HttpRequest, client: Any, bot_id: int, draft_id: int) -> HttpResponse:
    bot = _bot(bot_id)
    draft = get_or_404(KnowledgeDraft.objects.filter(bot_id=bot.pk), pk=draft_id)
    knowledge_draft_discard(draft=draft, actor=request.user, request=request)
    messages.success(request, "Draft discarded; the live knowledge is unchanged.")
    return redirect("knowledge:approvals", slug=client.slug, bot_id=bot.pk)
