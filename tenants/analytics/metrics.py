"""AN-1..AN-8 and the value metrics, each defined exactly once (docs/metrics.md says the same in words).

Two halves, one rule each:
- *Count rules* say which raw rows a metric counts and which timestamp puts a row in a period. The
  rollup builder groups exactly these querysets by hour and by local day; tests compare against them.
- *Readers* turn summed rollup counts into the figures pages, exports and emails show (rates,
  percentiles, values). Nothing else computes a metric.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Case, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When

from tenants.conversations.models import Conversation, Event, Message, VisitorSession
from tenants.conversations.services import CONVERSATION_IDLE_MINUTES
from tenants.leads.models import Lead

# AN-7: response-time buckets (ms, upper bounds, inclusive). A reply of 240 ms lands in "<= 300".
RESPONSE_MS_EDGES: tuple[int, ...] = (50, 100, 200, 300, 500, 750, 1000, 1500, 2000, 3000, 5000, 8000,
                                      13000, 20000, 30000, 60000)
HISTOGRAM_SIZE = len(RESPONSE_MS_EDGES) + 1  # the last bucket holds anything slower than 60 s
# PRM-1: what one answered question would have cost the business in staff time.
MINUTES_SAVED_PER_ANSWER = 2
LEAD_TYPES = ("service_request", "appointment", "pricing", "hours_location", "complaint", "general_question",
              "other")
SENTIMENTS = ("positive", "neutral", "negative")


# --- Count rules ------------------------------------------------------------------------------

@dataclass(frozen=True)
class CountRule:
    key: str  # the rollup column
    feature: str
    timestamp: str  # the field that places a row in an hour / a day
    rows: Callable[[datetime], QuerySet[Any]]  # the rows counted; `now` decides what is "over"


def messages_rows(now: datetime) -> QuerySet[Message]:
    """AN-1: messages visitors sent. Each gets exactly one bot reply, so this also counts turns."""
    return Message.objects.filter(role=Message.Role.VISITOR)


def bot_replies_rows(now: datetime) -> QuerySet[Message]:
    return Message.objects.filter(role=Message.Role.BOT)


def fallback_replies_rows(now: datetime) -> QuerySet[Message]:
    """AN-6: bot replies where the bot could not answer and sent its fallback."""
    return Message.objects.filter(role=Message.Role.BOT, is_fallback=True)


def sessions_rows(now: datetime) -> QuerySet[VisitorSession]:
    return VisitorSession.objects.all()


def returning_sessions_rows(now: datetime) -> QuerySet[VisitorSession]:
    """AN-4: a session of a visitor who had an earlier session (the widget remembers the visitor)."""
    return VisitorSession.objects.filter(is_returning=True)


def engaged_sessions_rows(now: datetime) -> QuerySet[VisitorSession]:
    """VAL-1: a widget visit in which the visitor sent at least one message (a subset of sessions, so
    engagement can never exceed 100 %). Placed on the visit's start, like sessions."""
    return VisitorSession.objects.filter(Exists(Message.objects.filter(
        conversation__session=OuterRef("pk"), role=Message.Role.VISITOR)))


def conversations_rows(now: datetime) -> QuerySet[Conversation]:
    return Conversation.objects.all()


def conversations_over_rows(now: datetime) -> QuerySet[Conversation]:
    """A conversation is over once ended, or after CONVERSATION_IDLE_MINUTES without a message."""
    idle_since = now - timedelta(minutes=CONVERSATION_IDLE_MINUTES)
    return Conversation.objects.filter(Q(status=Conversation.Status.ENDED) | Q(last_message_at__lt=idle_since))


def conversations_completed_rows(now: datetime) -> QuerySet[Conversation]:
    """AN-5: an over conversation with an outcome: a lead, a booking click, or at least two visitor
    messages whose last bot reply was an answer (not the fallback)."""
    last_reply_fallback = Subquery(
        Message.objects.filter(conversation=OuterRef("pk"), role=Message.Role.BOT)
        .order_by("-created_at", "-id").values("is_fallback")[:1]
    )
    return conversations_over_rows(now).annotate(
        has_lead=Exists(Lead.objects.filter(conversation=OuterRef("pk"))),
        has_booking=Exists(Event.objects.filter(kind=Event.Kind.BOOKING_CLICK, conversation_id=OuterRef("pk"))),
        last_reply_fallback=last_reply_fallback,
    ).filter(Q(has_lead=True) | Q(has_booking=True) | Q(message_count__gte=4, last_reply_fallback=False))


def leads_rows(now: datetime) -> QuerySet[Lead]:
    """AN-2: leads (one per conversation at most), on the day they were captured."""
    return Lead.objects.all()


def hot_leads_rows(now: datetime) -> QuerySet[Lead]:
    """AN-8: leads whose current score is hot, on the day they were captured."""
    return Lead.objects.filter(score=Lead.Score.HOT)


def booking_clicks_rows(now: datetime) -> QuerySet[Event]:
    """AN-3: clicks on the booking link the bot offered (every click counts)."""
    return Event.objects.filter(kind=Event.Kind.BOOKING_CLICK)


COUNT_RULES: tuple[CountRule, ...] = (
    CountRule("messages", "AN-1", "created_at", messages_rows),
    CountRule("bot_replies", "AN-6", "created_at", bot_replies_rows),
    CountRule("fallback_replies", "AN-6", "created_at", fallback_replies_rows),
    CountRule("sessions", "AN-4", "started_at", sessions_rows),
    CountRule("returning_sessions", "AN-4", "started_at", returning_sessions_rows),
    CountRule("engaged_sessions", "VAL-1", "started_at", engaged_sessions_rows),
    CountRule("conversations", "VAL-1", "started_at", conversations_rows),
    CountRule("conversations_over", "AN-5", "started_at", conversations_over_rows),
    CountRule("conversations_completed", "AN-5", "started_at", conversations_completed_rows),
    CountRule("leads", "AN-2", "created_at", leads_rows),
    CountRule("hot_leads", "AN-8", "created_at", hot_leads_rows),
    CountRule("booking_clicks", "AN-3", "occurred_at", booking_clicks_rows),
)
RULES_BY_KEY = {rule.key: rule for rule in COUNT_RULES}


def response_bucket(field_name: str) -> Case:
    """AN-7: the histogram bucket of one bot reply's time (SQL), shared by rollups and tests."""
    whens = [When(**{f"{field_name}__lte": edge}, then=Value(i)) for i, edge in enumerate(RESPONSE_MS_EDGES)]
    return Case(*whens, default=Value(len(RESPONSE_MS_EDGES)), output_field=IntegerField())


def response_rows(field_name: str) -> QuerySet[Message]:
    """AN-7: bot replies that recorded this time (server_ms: every reply; model_ms: replies that called a model)."""
    return Message.objects.filter(role=Message.Role.BOT, **{f"{field_name}__isnull": False})


def model_usage_rows() -> QuerySet[Message]:
    """AX-8: bot replies that called a model, with the tokens it reported and its name. Placed on the
    local day the reply was written; the portal prices them (settings.MODEL_PRICES_USD_PER_MILLION)."""
    return Message.objects.filter(role=Message.Role.BOT).exclude(model_name="")


# --- Readers ------------------------------------------------------------------------------------

ADDITIVE = tuple(rule.key for rule in COUNT_RULES)


@dataclass
class Totals:
    """Summed rollup rows of a period."""

    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(ADDITIVE, 0))
    server_ms_histogram: list[int] = field(default_factory=lambda: [0] * HISTOGRAM_SIZE)
    model_ms_histogram: list[int] = field(default_factory=lambda: [0] * HISTOGRAM_SIZE)

    def __getattr__(self, name: str) -> int:
        counts = self.__dict__.get("counts", {})
        if name in counts:
            return int(counts[name])
        raise AttributeError(name)

    def add(self, row: Any) -> None:
        for key in ADDITIVE:
            self.counts[key] += getattr(row, key)
        histogram_add(self.server_ms_histogram, row.server_ms_histogram)
        histogram_add(self.model_ms_histogram, row.model_ms_histogram)


def totals_of(rows: Iterable[Any]) -> Totals:
    totals = Totals()
    for row in rows:
        totals.add(row)
    return totals


def histogram_add(into: list[int], other: Sequence[int]) -> None:
    for i, value in enumerate(other[:HISTOGRAM_SIZE]):
        into[i] += value


def ratio(numerator: int, denominator: int) -> float | None:
    """A rate in [0, 1], or None when there is nothing to divide (shown as "–", never as 0 %)."""
    return None if denominator == 0 else numerator / denominator


# Readers accept Totals or a single rollup row: both carry the count rules' names as attributes.
def fallback_rate(t: Totals) -> float | None:
    """AN-6: fallback bot replies / bot replies."""
    return ratio(t.fallback_replies, t.bot_replies)


def completion_rate(t: Totals) -> float | None:
    """AN-5: completed conversations / conversations that are over, by the day they started."""
    return ratio(t.conversations_completed, t.conversations_over)


def return_visitor_rate(t: Totals) -> float | None:
    """AN-4: returning sessions / sessions."""
    return ratio(t.returning_sessions, t.sessions)


def engagement_rate(t: Totals) -> float | None:
    """VAL-1: widget visits with at least one visitor message / widget visits. The numerator counts
    visits, not conversations (a visit can hold several), so the share stays within 0–100 %."""
    return ratio(t.engaged_sessions, t.sessions)


def lead_rate(t: Totals) -> float | None:
    """VAL-4: leads / conversations."""
    return ratio(t.leads, t.conversations)


def percentile_ms(histogram: Sequence[int], q: float) -> int | None:
    """AN-7: nearest-rank percentile at bucket resolution: the smallest bucket upper bound at which at
    least q of all replies are counted. Replies over the last edge report that edge. None without replies."""
    total = sum(histogram)
    if total == 0:
        return None
    needed = q * total
    running = 0
    for i, count in enumerate(histogram):
        running += count
        if running >= needed:
            return RESPONSE_MS_EDGES[min(i, len(RESPONSE_MS_EDGES) - 1)]
    return RESPONSE_MS_EDGES[-1]


def hours_saved(t: Totals) -> float:
    """PRM-1: answered bot replies (not fallbacks) × MINUTES_SAVED_PER_ANSWER, in hours."""
    return (t.bot_replies - t.fallback_replies) * MINUTES_SAVED_PER_ANSWER / 60


# A complaint is a lead to handle, never revenue: it is valued at zero whatever the admin set.
NO_REVENUE_LEAD_TYPES = frozenset({"complaint"})


def lead_type_value_cents(lead_type: str, values: Mapping[str, int], default_cents: int) -> int:
    """VAL-8: one lead's estimated value: the type's average sale value, else the client's default."""
    if lead_type in NO_REVENUE_LEAD_TYPES:
        return 0
    return values.get(lead_type, default_cents)


def lead_value_cents(leads_by_type: Mapping[str, int], values: Mapping[str, int], default_cents: int) -> int:
    """VAL-8: Σ leads of a type × that type's value (lead_type_value_cents); complaints count zero."""
    return sum(count * lead_type_value_cents(lead_type, values, default_cents)
               for lead_type, count in leads_by_type.items())


# --- What a reader sees ----------------------------------------------------------------------------
# The label and one-sentence help of every figure, next to the rules above. Pages, the PDF report and
# emails take their wording from here, so a client never sees a rule's internal name.

@dataclass(frozen=True)
class MetricText:
    label: str
    help: str


METRIC_TEXT: dict[str, MetricText] = {
    "messages": MetricText("Messages", "Messages your visitors sent to the assistant."),
    "leads": MetricText("Leads", "Visitors who left a name, phone number or email, at most one per conversation."),
    "hot_leads": MetricText("Hot leads", "Leads ready to buy or book now, by the assistant's latest scoring."),
    "booking_clicks": MetricText("Booking clicks", "Clicks on the booking link the assistant offered."),
    "lead_value": MetricText("Lead value", "Each lead times the average sale value set for its kind of lead."),
    "engagement": MetricText("Engagement",
                             "Share of widget visits in which the visitor sent at least one message."),
    "return_visitors": MetricText("Return visitors", "Share of widget visits by people who had visited before."),
    "completion_rate": MetricText("Completion rate",
                                  "Share of finished conversations that ended with a lead, a booking click or "
                                  "an answered follow-up question."),
    "fallback_rate": MetricText("Fallback rate", "Share of replies where the assistant could not answer."),
    "response_time": MetricText("Response time (95th percentile)",
                                "95 of every 100 replies arrived within this time."),
    "time_saved": MetricText("Time saved", "Questions answered times two minutes of staff time each."),
    "topics": MetricText("Popular topics", "What conversations in this period were about."),
    "sentiment": MetricText("Sentiment", "How conversations ended up feeling."),
}


def metric_label(key: str) -> str:
    return METRIC_TEXT[key].label


def change(current: float | None, previous: float | None) -> float | None:
    """Relative change against the previous period of the same length; None when not comparable."""
    if current is None or previous is None or previous == 0:
        return None
    return (current - previous) / previous
