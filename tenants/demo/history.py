"""Issue 4: ~90 days of believable history for each demo client, made by driving the real services.

Every conversation goes through session_start → message_reply (the real agent graph, offline
model) → booking_click_record / feedback_record, exactly as the widget would. Only afterwards
are that conversation's rows moved back in time (timestamps only) to a moment sampled from the
industry's daily and hourly rhythm, and it gets the summary and topic tags the worker's
conversation_summarize writes (offline summariser). Replies counted against this month's usage are
booked to the month they now belong to. Idempotent: a client that already has conversations is skipped.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django_tenants.utils import schema_context

from controlplane.billing.models import UsagePeriod
from controlplane.clients.models import Client
from controlplane.core.model_provider import model_provider
from controlplane.notifications.outbox import notifications_suppressed
from tenants.analytics.forecast import forecast_refresh
from tenants.analytics.models import LeadValue
from tenants.analytics.questions import question_vectors_update
from tenants.analytics.services import analytics_rollups_update
from tenants.bots.selectors import bot_primary, bot_published_config
from tenants.conversations.models import Conversation, Event, Message, Visitor, VisitorSession
from tenants.conversations.services import (
    booking_click_record,
    conversation_summarize,
    feedback_record,
    message_reply,
    session_start,
    widget_load_record,
)
from tenants.leads.models import Lead
from tenants.review.models import ReviewItem
from tenants.review.services import review_counts_recount

DAYS = 90
CONTACT_POOL = 8  # distinct contact lines per template
SEED = 20261127


def _hours(*peaks: tuple[int, int, float]) -> list[float]:
    """24 hourly weights: a low base plus (start, end, weight) peaks."""
    weights = [0.15] * 24
    for start, end, weight in peaks:
        for h in range(start, end):
            weights[h % 24] += weight
    return weights


@dataclass(frozen=True)
class Rhythm:
    hours: list[float]
    weekdays: list[float]  # Monday first
    per_day: tuple[int, int]


RHYTHMS = {
    "restaurant": Rhythm(_hours((11, 14, 3.0), (17, 21, 3.5), (9, 11, 0.6)), [0.8, 0.8, 0.9, 1.0, 1.4, 1.6, 1.2],
                         (1, 4)),
    "gym": Rhythm(_hours((5, 8, 3.0), (17, 20, 3.2), (12, 13, 1.0)), [1.4, 1.2, 1.1, 1.0, 0.9, 0.7, 0.6], (1, 4)),
    "sober_living": Rhythm(_hours((21, 27, 2.6), (9, 12, 1.0), (14, 17, 0.8)), [1.0] * 5 + [1.2, 1.3], (1, 3)),
    "barbershop": Rhythm(_hours((8, 11, 1.6), (16, 20, 2.4)), [0.7, 1.0, 1.0, 1.1, 1.4, 1.6, 0.5], (1, 3)),
    "realtor": Rhythm(_hours((10, 13, 1.2), (18, 22, 2.6)), [0.9, 0.9, 1.0, 1.0, 1.0, 1.5, 1.4], (1, 3)),
    "auto_service": Rhythm(_hours((7, 10, 2.6), (12, 14, 1.2), (16, 18, 1.0)), [1.5, 1.2, 1.1, 1.0, 1.1, 0.7, 0.3],
                           (1, 3)),
}

SCRIPTS: dict[str, dict[str, list[str]]] = {
    "restaurant": {
        "open": ["What time do you open today?", "Do you take reservations for Friday night?",
                 "Can I see the menu?", "Do you have vegetarian options?", "Is there parking nearby?",
                 "Do you deliver to the harbor district?", "How much is the seafood platter?",
                 "Can I book a table for 6 people on Saturday?", "Do you have gluten free dishes?",
                 "Are you open on Sunday for brunch?"],
        "follow": ["Great, and do you have outdoor seating?", "Is it kid friendly?", "How late is the kitchen open?",
                   "Can I order online for pickup?"],
        "contact": ["I'd like to book for Saturday at 7pm, I'm {name}, {phone}",
                    "Please call me back about a private party, {name} {phone}"],
    },
    "gym": {
        "open": ["How much is a monthly membership?", "What time do you open in the morning?",
                 "Do you have a spin class schedule?", "Can I get a free trial pass?", "Do you offer personal training?",
                 "Is there a student discount?", "Do you have yoga classes on weekends?", "Can I freeze my membership?"],
        "follow": ["Are there showers and lockers?", "Is there a joining fee?", "Do you have kids classes?",
                   "How busy is it after work?"],
        "contact": ["I want to sign up for a trial, my email is {email}", "Book me a tour please, {name} {phone}"],
    },
    "sober_living": {
        "open": ["How does admission work?", "Do you accept insurance?", "What are the house rules?",
                 "Is there a bed available this week?", "Can family visit on weekends?", "How much does it cost per month?",
                 "Do residents need to have a job?", "I'm struggling tonight and need somewhere safe to stay"],
        "follow": ["Is there a curfew?", "Do you help with meetings and sponsors?", "How long can someone stay?",
                   "Is there a waiting list?"],
        "contact": ["Please call me about admission, I'm {name}, {phone}", "My son needs a place, reach me at {email}"],
    },
    "barbershop": {
        "open": ["How much is a skin fade?", "Can I book a haircut for tomorrow?", "Do you take walk-ins?",
                 "Do you do beard trims?", "What are your hours on Saturday?", "Do you cut kids hair?",
                 "How long does a fade take?"],
        "follow": ["Can I pay by card?", "Is there parking?", "Which barber is best for curly hair?"],
        "contact": ["Book me for Friday at 5, {name} {phone}", "Text me when there is an opening, {phone}"],
    },
    "realtor": {
        "open": ["Can I schedule a showing for the house on Ocean Drive?", "What homes do you have under 500k?",
                 "How much is my house worth?", "Are there condos near the beach?", "What are the HOA fees?",
                 "Do you help first-time buyers?", "Is the listing on Bay Street still available?"],
        "follow": ["How many bedrooms does it have?", "Is there an open house this weekend?", "What are the taxes like?"],
        "contact": ["Please have an agent call me, {name} {phone}", "Send me new listings at {email}"],
    },
    "auto_service": {
        "open": ["How much is an oil change?", "My check engine light is on, can you look at it?",
                 "Can I book a brake inspection?", "Do you do tire rotations?", "How long does a state inspection take?",
                 "My car makes a grinding noise when braking", "Do you offer a loaner car?"],
        "follow": ["Do I need an appointment?", "Do you work on hybrids?", "Is there a warranty on repairs?"],
        "contact": ["Can you give me a quote, {name} {phone}", "Book me for Monday morning, {email}"],
    },
}
# VAL-8 demo values (cents): the client's average sale, and a few lead types the agency priced apart.
SALE_VALUES = {
    "restaurant": (6_000, {"appointment": 14_000, "service_request": 9_000}),
    "gym": (45_000, {"appointment": 60_000, "pricing": 45_000}),
    "sober_living": (250_000, {"appointment": 300_000}),
    "barbershop": (3_500, {"appointment": 4_000}),
    "realtor": (900_000, {"appointment": 1_200_000, "pricing": 600_000}),
    "auto_service": (30_000, {"service_request": 45_000, "appointment": 35_000}),
}
NAMES = ["Maria Lopez", "Dev Patel", "Sam O'Neil", "Ana Costa", "Jordan Lee", "Chris Wong", "Taylor Brooks",
         "Priya Shah", "Marcus Green", "Elena Rossi", "Omar Haddad", "Grace Kim"]


def _contact_line(rng: random.Random, template: str) -> str:
    """From a finite pool (the embedder caches what it has seen), so seeding stays fast."""
    rng = random.Random(rng.randint(0, CONTACT_POOL - 1))
    name = rng.choice(NAMES)
    phone = f"(555) {rng.randint(200, 989)}-{rng.randint(1000, 9999)}"
    email = name.split()[0].lower() + f"{rng.randint(1, 99)}@example.com"
    return template.format(name=name, phone=phone, email=email)


def _prime_embeddings(script: dict[str, list[str]]) -> None:
    """One batched embedding call for every text the script can send (the per-message path then hits
    the provider's cache): several times faster than embedding sentence by sentence."""

    texts = list(script["open"]) + list(script["follow"])
    for template in script["contact"]:
        texts += [_contact_line(random.Random(i), template) for i in range(CONTACT_POOL * 4)]
    model_provider().embedder.embed(list(dict.fromkeys(texts)))


# Issue 15's walk: one client whose chats fell this week (client health lists it for outreach, with the reason).
RECENT_SHARE = {"harbor-grill": 0.35}
# ... and one open crisis conversation from today, so Needs review has a crisis to put first.
CRISIS_TODAY = {"serenity-house": "I relapsed last night and honestly I want to die."}


def _moments(rng: random.Random, rhythm: Rhythm, tz: ZoneInfo, now: datetime,
             recent_share: float = 1.0) -> list[datetime]:
    """Conversation start times over the last DAYS days, with the industry's rhythm, oldest first
    (the last six days scaled by `recent_share`)."""
    moments = []
    today = now.astimezone(tz).date()
    for offset in range(DAYS, 0, -1):
        day = today - timedelta(days=offset)
        low, high = rhythm.per_day
        count = round(rng.uniform(low, high) * rhythm.weekdays[day.weekday()] * (0.7 + 0.6 * (DAYS - offset) / DAYS)
                      * (recent_share if offset < 7 else 1.0))
        for _ in range(max(0, count)):
            hour = rng.choices(range(24), weights=rhythm.hours)[0]
            local = datetime(day.year, day.month, day.day, hour, rng.randint(0, 59), rng.randint(0, 59), tzinfo=tz)
            moments.append(local.astimezone(ZoneInfo("UTC")))
    return sorted(moments)


def _backdate(*, since: datetime, target: datetime, conversation_id: Any) -> None:
    """Move every row written since `since` (this conversation only; the seed is single-threaded)."""
    shift = target - since
    Message.objects.filter(conversation_id=conversation_id).update(created_at=F("created_at") + shift)
    messages = list(Message.objects.filter(conversation_id=conversation_id).order_by("created_at", "id"))
    for i, m in enumerate(messages):  # realistic pacing: a turn every ~45 s, the reply a few seconds later
        m.created_at = target + timedelta(seconds=45 * (i // 2) + (3 if i % 2 else 0))
    Message.objects.bulk_update(messages, ["created_at"])
    last = messages[-1].created_at if messages else target
    Conversation.objects.filter(pk=conversation_id).update(started_at=target, last_message_at=last,
                                                          status=Conversation.Status.ENDED, ended_at=last)
    Lead.objects.filter(conversation_id=conversation_id).update(created_at=F("created_at") + shift,
                                                               updated_at=F("updated_at") + shift)
    Event.objects.filter(occurred_at__gte=since).update(occurred_at=F("occurred_at") + shift)
    VisitorSession.objects.filter(started_at__gte=since).update(started_at=F("started_at") + shift)
    ReviewItem.objects.filter(created_at__gte=since).update(created_at=F("created_at") + shift)
    Visitor.objects.filter(first_seen_at__gte=since).update(first_seen_at=F("first_seen_at") + shift)
    Visitor.objects.filter(last_seen_at__gte=since).update(last_seen_at=last)


def _conversation(*, rng: random.Random, client: Client, bot: Any, config: Any, script: dict[str, list[str]],
                  visitor_key: str, origin: str) -> Any:
    widget_load_record(bot=bot, origin=origin, page_url=f"{origin}/")
    session_start(bot=bot, visitor_key=visitor_key, origin=origin, page_url=f"{origin}/")
    texts = [rng.choice(script["open"])]
    for _ in range(rng.choices([0, 1, 2], weights=[5, 4, 1])[0]):
        texts.append(rng.choice(script["follow"]))
    if rng.random() < 0.35:
        texts.append(_contact_line(rng, rng.choice(script["contact"])))
    conversation_id = None
    outcome = None
    for text in texts:
        outcome = message_reply(bot=bot, config=config, client_id=client.pk, client_slug=client.slug,
                                visitor_key=visitor_key, conversation_id=conversation_id, text=text)
        conversation_id = outcome.conversation_id
    assert outcome is not None
    if config.booking_url and rng.random() < 0.3:
        booking_click_record(bot=bot, visitor_key=visitor_key, conversation_id=conversation_id,
                             url=config.booking_url)
    if rng.random() < 0.25:
        feedback_record(bot=bot, visitor_key=visitor_key, message_id=outcome.message_id,
                        value="down" if outcome.is_fallback or rng.random() < 0.2 else "up")
    return conversation_id


def history_generate(*, client: Client, origin: str, seed: int = SEED, now: datetime | None = None) -> int:
    """Generate this client's history unless it has conversations already. Returns conversations made."""
    now = now or timezone.now()
    rng = random.Random(f"{seed}:{client.slug}")
    rhythm = RHYTHMS.get(client.industry_mode, RHYTHMS["restaurant"])
    script = SCRIPTS.get(client.industry_mode, SCRIPTS["restaurant"])
    replies_by_month: dict[str, int] = {}
    made = 0
    with schema_context(client.schema_name):
        if Conversation.objects.exists():
            return 0
        with connection.cursor() as cursor:  # demo data: losing the last commit on a crash is harmless
            cursor.execute("SET synchronous_commit TO off")
        bot = bot_primary()
        if bot is None:
            return 0
        config = bot_published_config(bot)
        _prime_embeddings(script)
        visitors: list[str] = []
        for target in _moments(rng, rhythm, ZoneInfo(client.timezone), now, RECENT_SHARE.get(client.slug, 1.0)):
            if visitors and rng.random() < 0.25:
                key = rng.choice(visitors)
            else:
                key = f"demo-{client.slug}-{len(visitors)}"
                visitors.append(key)
            with transaction.atomic():
                since = timezone.now()
                conversation_id = _conversation(rng=rng, client=client, bot=bot, config=config, script=script,
                                                visitor_key=key, origin=origin)
                _backdate(since=since, target=target, conversation_id=conversation_id)
                # ADM-3/ADM-4 as the worker would write them once it ended (the offline summariser;
                # the tags never depend on a model), so Popular topics is filled when the demo is
                # ready rather than after the worker works through ~1,200 queued summaries. The
                # rollups below run after every conversation has its tags.
                conversation_summarize(conversation_id=conversation_id, use_model=False, reopen_rollups=False)
            month = target.strftime("%Y-%m")
            replies = Message.objects.filter(conversation_id=conversation_id, role=Message.Role.BOT).count()
            replies_by_month[month] = replies_by_month.get(month, 0) + replies
            made += 1
        if client.slug in CRISIS_TODAY:  # left open and recent: the agency's triage shows it first
            message_reply(bot=bot, config=config, client_id=client.pk, client_slug=client.slug,
                          visitor_key=f"demo-{client.slug}-crisis", conversation_id=None, text=CRISIS_TODAY[client.slug])
        # The items were backdated after they opened: the public counts and the triage index follow.
        review_counts_recount()
    _usage_rebook(client=client, replies_by_month=replies_by_month, now=now)
    return made


def _usage_rebook(*, client: Client, replies_by_month: dict[str, int], now: datetime) -> None:
    """message_reply metered every reply in the current month; move them to the months they now belong to."""
    current = now.strftime("%Y-%m")
    moved = sum(n for month, n in replies_by_month.items() if month != current)
    with transaction.atomic():
        UsagePeriod.objects.filter(client=client, period=current).update(messages=F("messages") - moved)
        for month, n in replies_by_month.items():
            if month == current:
                continue
            row, _ = UsagePeriod.objects.get_or_create(client=client, period=month)
            UsagePeriod.objects.filter(pk=row.pk).update(messages=F("messages") + n)


def history_seed_all(*, clients: list[Client], origin: str, stdout: Any = None) -> dict[str, int]:
    """Seed every client's history, then bring their rollups (and the public copy) up to date."""

    made: dict[str, int] = {}
    for client in clients:
        started = time.perf_counter()
        with notifications_suppressed():  # 90 days of made-up leads must not text anyone
            made[client.slug] = history_generate(client=client, origin=origin)
        default, by_type = SALE_VALUES.get(client.industry_mode, (5_000, {}))
        if made[client.slug] and not client.avg_sale_value_cents:
            Client.objects.filter(pk=client.pk).update(avg_sale_value_cents=default)
            client.avg_sale_value_cents = default
            with schema_context(client.schema_name):
                for lead_type, cents in by_type.items():
                    LeadValue.objects.get_or_create(lead_type=lead_type, defaults={"value_cents": cents})
        with schema_context(client.schema_name):
            analytics_rollups_update(client=client, full=made[client.slug] > 0)
            if made[client.slug]:
                question_vectors_update(batch=5000)
                forecast_refresh(tz_name=client.timezone)
        if stdout is not None and made[client.slug]:
            stdout.write(f"  history: {client.name}: {made[client.slug]} conversations "
                         f"in {time.perf_counter() - started:.1f} s")
    return made
