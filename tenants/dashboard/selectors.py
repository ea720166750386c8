"""Reads of the client dashboard beyond analytics: status and setup, lists, one conversation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.paginator import Page, Paginator
from django.utils import timezone

from controlplane.billing.metering import UsageMeter, usage_meter
from controlplane.clients.selectors import public_url
from controlplane.widgets.models import AllowedOrigin, WidgetToken
from tenants.bots.models import Bot
from tenants.conversations.models import Conversation, Event, Message
from tenants.dashboard.filters import ListFilters, conversations_filtered, leads_filtered
from tenants.leads.models import Lead

PAGE_SIZE = 25
INACTIVE_AFTER_DAYS = 7  # CX-4
TOKEN_PLACEHOLDER = "YOUR_WIDGET_TOKEN"  # noqa: S105 (a placeholder, never a secret)


# The meter (used / quota / near and over limit) is billing's: one definition for dashboard and portal.
Usage = UsageMeter


@dataclass(frozen=True)
class SetupStatus:
    bot: Bot | None
    allowed_origins: list[str]
    last_load_at: datetime | None
    usage: Usage
    snippet: str
    token_prefix: str

    @property
    def inactive(self) -> bool:
        """CX-4: no widget load from an allowed site in the last INACTIVE_AFTER_DAYS days."""
        return self.bot is not None and self.last_load_at is None


def embed_snippet(token: str = TOKEN_PLACEHOLDER) -> str:
    return f'<script src="{public_url("/static/widget/loader.js")}" data-token="{token}" async></script>'


def setup_status(*, client: Any, bot: Bot | None) -> SetupStatus:
    """Five queries: origins, last load, token prefix, usage, plan."""
    origins: list[str] = []
    last_load = None
    prefix = ""
    if bot is not None:
        origins = list(AllowedOrigin.objects.filter(client_id=client.pk, bot_id=bot.pk)
                       .values_list("origin", flat=True))
        since = timezone.now() - timedelta(days=INACTIVE_AFTER_DAYS)
        if origins:
            last_load = (Event.objects.filter(kind=Event.Kind.WIDGET_LOAD, occurred_at__gte=since,
                                              bot_id=bot.pk, data__origin__in=origins)
                         .order_by("-occurred_at").values_list("occurred_at", flat=True).first())
        prefix = (WidgetToken.objects.filter(client_id=client.pk, bot_id=bot.pk, revoked_at__isnull=True)
                  .order_by("-created_at").values_list("prefix", flat=True).first() or "")
    usage = usage_meter(client=client)
    return SetupStatus(bot=bot, allowed_origins=origins, last_load_at=last_load, usage=usage,
                       snippet=embed_snippet(), token_prefix=prefix)


def leads_page(f: ListFilters, page: Any) -> Page[Lead]:
    return Paginator(leads_filtered(f).select_related("conversation"), PAGE_SIZE).get_page(page)


def conversations_page(f: ListFilters, page: Any) -> Page[Conversation]:
    return Paginator(conversations_filtered(f).select_related("lead"), PAGE_SIZE).get_page(page)


def conversation_detail(*, conversation_id: Any) -> tuple[Conversation, list[Message]] | None:
    conversation = Conversation.objects.select_related("lead").filter(pk=conversation_id).first()
    if conversation is None:
        return None
    return conversation, list(conversation.messages.order_by("created_at", "id"))


def tag_choices(tags: Any, limit: int = 12) -> list[str]:
    return [tag for tag, _ in tags.most_common(limit)]
