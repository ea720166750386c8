"""BEY-1: the agency's live handoffs. The list reads the public index (crisis first, then waiting,
then held); one conversation is read and answered inside its client's schema
(tenants.portal_access.client_portal_view), so another client's id can never be reached."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from controlplane.accounts.decorators import agency_required
from controlplane.notifications.handoffs import live_handoff_list
from tenants.bots.availability import contact_expectation
from tenants.bots.selectors import bot_get, bot_published_config
from tenants.conversations.handoff import MAX_STAFF_REPLY_CHARS, handoff_release, handoff_reply, handoff_take
from tenants.conversations.models import Conversation
from tenants.portal_access import client_portal_view, get_or_404

TRANSCRIPT_LIMIT = 200


@require_GET
@agency_required
def handoff_home(request: HttpRequest) -> HttpResponse:
    show_closed = request.GET.get("show") == "all"
    rows = list(live_handoff_list(include_closed=show_closed)[:200])
    return render(request, "portal/handoffs/home.html", {"rows": rows, "show_closed": show_closed})


def _page(request: HttpRequest, client: Any, conversation: Conversation, status: int = 200) -> HttpResponse:
    transcript = list(conversation.messages.order_by("-created_at", "-id")[:TRANSCRIPT_LIMIT])[::-1]
    bot = bot_get(bot_id=conversation.bot_id)
    expectation = contact_expectation(bot_published_config(bot).business, timezone.now()) if bot else ""
    return render(
        request,
        "portal/handoffs/detail.html",
        {
            "client": client,
            "conversation": conversation,
            "transcript": transcript,
            "held_by_me": conversation.held_by_email == request.user.email,  # type: ignore[union-attr]
            "expectation": expectation,
            "max_chars": MAX_STAFF_REPLY_CHARS,
            "draft": request.POST.get("text", "") if request.method == "POST" else "",
        },
        status=status,
    )


@require_GET
@client_portal_view()
def handoff_detail(request: HttpRequest, client: Any, conversation_id: uuid.UUID) -> HttpResponse:
    return _page(request, client, get_or_404(Conversation.objects, pk=conversation_id))


def _act(
    request: HttpRequest, client: Any, conversation_id: uuid.UUID, action: Any, done: str, **kwargs: Any
) -> HttpResponse:
    conversation = get_or_404(Conversation.objects, pk=conversation_id)
    try:
        action(conversation_id=conversation.pk, actor=request.user, request=request, **kwargs)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        conversation.refresh_from_db()
        return _page(request, client, conversation, status=400)
    messages.success(request, done)
    return redirect("handoffs:detail", slug=client.slug, conversation_id=conversation.pk)


@require_POST
@client_portal_view()
def handoff_take_view(request: HttpRequest, client: Any, conversation_id: uuid.UUID) -> HttpResponse:
    return _act(
        request,
        client,
        conversation_id,
        handoff_take,
        "You're replying to this visitor now. The assistant stays quiet until you hand it back.",
    )


@require_POST
@client_portal_view()
def handoff_reply_view(request: HttpRequest, client: Any, conversation_id: uuid.UUID) -> HttpResponse:
    return _act(
        request,
        client,
        conversation_id,
        handoff_reply,
        "Sent. The visitor sees it in the chat.",
        text=request.POST.get("text", ""),
    )


@require_POST
@client_portal_view()
def handoff_release_view(request: HttpRequest, client: Any, conversation_id: uuid.UUID) -> HttpResponse:
    return _act(
        request,
        client,
        conversation_id,
        handoff_release,
        "Handed back to the assistant. It answers the visitor again.",
    )
