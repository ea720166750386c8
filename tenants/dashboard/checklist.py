"""AX-3: a client's weekly maintenance checklist, generated from its data each time it is read.

Six checks (unanswered questions this week, stale knowledge, failed crawls, a bot that needs an
update, usage near the plan's limit, no widget load in 7 days). Each one that needs attention can be
ticked off by the agency; ticks are remembered per client and ISO week (controlplane.portal), so a new
week starts with a fresh list. Read inside the client's schema (tenants.portal_access).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Sum
from django.urls import reverse as _reverse
from django.utils import timezone

from controlplane.billing.metering import usage_this_period
from controlplane.clients.models import Client
from controlplane.portal.checklist_ticks import checklist_ticks, iso_week
from controlplane.portal.models import ChecklistTick
from controlplane.rollups.models import ClientDailyRollup
from tenants.bots.models import Bot, BotStatus
from tenants.knowledge.models import Faq, KnowledgeSource, WebsiteCrawl
from tenants.review.models import ReviewItem

STALE_KNOWLEDGE_DAYS = 90
NEAR_LIMIT_SHARE = 0.8
QUIET_WIDGET_DAYS = 7
ITEMS = ("unanswered", "stale_knowledge", "failed_crawls", "bot_update", "usage", "widget")


@dataclass(frozen=True)
class CheckItem:
    key: str
    title: str
    detail: str
    needs_attention: bool
    link: str = ""
    tick: ChecklistTick | None = None

    @property
    def done(self) -> bool:
        return self.tick is not None


@dataclass(frozen=True)
class Checklist:
    week: str
    week_start: date
    items: list[CheckItem]

    @property
    def open_count(self) -> int:
        return sum(1 for i in self.items if i.needs_attention and not i.done)


def reverse(name: str, kwargs: dict[str, Any] | None = None) -> str:
    """Links into the agency portal, also when built outside a portal request (tests, tasks)."""
    return _reverse(name, kwargs=kwargs, urlconf=settings.PUBLIC_SCHEMA_URLCONF)


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def checklist_build(*, client: Client, today: date | None = None) -> Checklist:
    today = today or timezone.localdate()
    week_start = today - timedelta(days=today.weekday())
    since = timezone.make_aware(datetime.combine(week_start, time.min))
    now = timezone.now()
    bots = list(Bot.objects.order_by("id"))
    first_bot = bots[0].pk if bots else None
    knowledge = reverse("knowledge:home", kwargs={"slug": client.slug, "bot_id": first_bot}) if first_bot else ""
    items: list[CheckItem] = []

    unanswered = ReviewItem.objects.filter(kind__in=[ReviewItem.Kind.UNKNOWN_QUESTION, ReviewItem.Kind.FALLBACK],
                                           created_at__gte=since)
    asked, still_open = unanswered.count(), unanswered.filter(status=ReviewItem.Status.OPEN).count()
    items.append(CheckItem(
        "unanswered", "Answer the questions the bot could not",
        (f"{_plural(asked, 'question')} went unanswered this week, {still_open:,} still open."
         if asked else "Every question this week got an answer."),
        still_open > 0, f"{reverse('review:home')}?client={client.slug}&kind=unknown_question"))

    stale_before = now - timedelta(days=STALE_KNOWLEDGE_DAYS)
    stale = (KnowledgeSource.objects.filter(updated_at__lt=stale_before).exclude(kind=KnowledgeSource.Kind.PAGE)
             .count() + Faq.objects.filter(approved=True, updated_at__lt=stale_before, source__isnull=True).count())
    items.append(CheckItem(
        "stale_knowledge", "Review knowledge nobody has touched in a while",
        (f"{_plural(stale, 'article, document or FAQ')} not updated in {STALE_KNOWLEDGE_DAYS} days."
         if stale else f"Everything was updated in the last {STALE_KNOWLEDGE_DAYS} days."),
        stale > 0, knowledge))

    failed = WebsiteCrawl.objects.filter(state=WebsiteCrawl.State.FAILED, started_at__gte=now - timedelta(days=7))
    failed_count = failed.count()
    items.append(CheckItem(
        "failed_crawls", "Fix website crawls that failed",
        (f"{_plural(failed_count, 'crawl')} of the client's website failed in the last 7 days."
         if failed_count else "No website crawl failed in the last 7 days."),
        failed_count > 0, knowledge))

    outdated = [b.name for b in bots if b.status == BotStatus.NEEDS_UPDATE]
    items.append(CheckItem(
        "bot_update", "Update the assistant",
        (f"{', '.join(outdated)} {'needs' if len(outdated) == 1 else 'need'} an update: its knowledge changed "
         "since it was last rebuilt." if outdated else "The assistant is up to date."),
        bool(outdated), knowledge))

    quota = client.plan.monthly_message_quota if client.plan else 0
    used = usage_this_period(client_id=client.pk)
    near = bool(quota) and used >= NEAR_LIMIT_SHARE * quota
    items.append(CheckItem(
        "usage", "Talk about the plan before the limit",
        (f"{used:,} of {quota:,} messages used this month ({round(100 * used / quota)} %)." if quota
         else f"{used:,} messages this month; the plan has no limit."),
        near, reverse("portal:client_detail", kwargs={"slug": client.slug})))

    loads = (ClientDailyRollup.objects.filter(client=client, day__gt=today - timedelta(days=QUIET_WIDGET_DAYS))
             .aggregate(n=Sum("widget_loads"))["n"] or 0)
    old_enough = client.created_at <= now - timedelta(days=QUIET_WIDGET_DAYS)
    items.append(CheckItem(
        "widget", "Check the chat widget is on the website",
        (f"The widget loaded {_plural(loads, 'time')} in the last {QUIET_WIDGET_DAYS} days." if loads
         else f"The widget has not loaded on the client's website in {QUIET_WIDGET_DAYS} days."),
        loads == 0 and old_enough, reverse("portal_widget:settings", kwargs={"slug": client.slug})))

    week = iso_week(today)
    ticks = checklist_ticks(client=client, week=week)
    return Checklist(week=week, week_start=week_start,
                     items=[CheckItem(**{**i.__dict__, "tick": ticks.get(i.key)}) for i in items])


def checklist_context(client: Any) -> dict[str, Any]:
    return {"checklist": checklist_build(client=client)}
