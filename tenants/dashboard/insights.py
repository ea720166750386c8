"""CXI-3/4/5, PRM-4 and BEY-3: what the client's visitors ask, where it hurts, what was missed, what to
improve, and how visitors rate the answers. Read inside one client's schema, for the client's dashboard
and for the agency's page on that client (the same figures on both sides).
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Count, Max, Q
from django.utils import timezone

from tenants.analytics.labels import human_label
from tenants.conversations.models import Conversation, Message
from tenants.review.models import ReviewItem
from tenants.review.services import question_normalise

# The lead scorer's "hot" bar (agents.detection.lead_scoring.HOT_INTENT; not imported: no agent stack here).
HOT_INTENT = 0.65
FEED_DAYS = 14
PAIN_DAYS = 7
MISSED_DAYS = 7
DEMAND_DAYS = 30
SUGGESTION_DAYS = 30
FEEDBACK_DAYS = 30
_QUESTION_START = re.compile(
    r"^(?:what|how|when|where|why|who|which|do|does|did|can|could|is|are|will|would|should|may|have|has)\b", re.I)
_SENSITIVE = ("crisis", "at_risk")


def _since(days: int) -> datetime:
    return timezone.now() - timedelta(days=days)


def _is_question(text: str) -> bool:
    text = text.strip()
    return "?" in text or bool(_QUESTION_START.match(text))


# --- CXI-3 ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class AskedQuestion:
    text: str
    asked_at: datetime


def recent_questions(*, limit: int = 15, days: int = FEED_DAYS) -> list[AskedQuestion]:
    """The newest distinct questions visitors asked (crisis messages never appear in a feed)."""
    rows = (Message.objects.filter(role=Message.Role.VISITOR, created_at__gte=_since(days))
            .exclude(crisis_level__in=_SENSITIVE).order_by("-created_at").values_list("text", "created_at")[:400])
    seen: set[str] = set()
    out: list[AskedQuestion] = []
    for text, at in rows:
        key = question_normalise(text)
        if key and key not in seen and _is_question(text):
            seen.add(key)
            out.append(AskedQuestion(text=text.strip()[:300], asked_at=at))
            if len(out) == limit:
                break
    return out


# --- CXI-4 ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PainPoint:
    topic: str
    conversations: int
    quotes: list[str] = field(default_factory=list)


def pain_points(*, limit: int = 5, days: int = PAIN_DAYS) -> list[PainPoint]:
    """Negative and complaint conversations of the week, grouped by topic, with what visitors said."""
    conversations = list(Conversation.objects.filter(last_message_at__gte=_since(days))
                         .filter(Q(sentiment="negative") | Q(lead_type="complaint"))
                         .exclude(crisis_level__in=_SENSITIVE).values_list("id", "tags", "lead_type")[:500])
    if not conversations:
        return []
    quotes: dict[object, list[str]] = defaultdict(list)
    for conversation_id, text in (Message.objects.filter(conversation_id__in=[c[0] for c in conversations],
                                                         role=Message.Role.VISITOR)
                                  .filter(Q(sentiment="negative") | Q(lead_type="complaint"))
                                  .exclude(crisis_level__in=_SENSITIVE).order_by("created_at")
                                  .values_list("conversation_id", "text")):
        quotes[conversation_id].append(text.strip()[:200])
    groups: dict[str, list[object]] = defaultdict(list)
    for conversation_id, tags, lead_type in conversations:
        topic = human_label(tags[0]) if tags else ("Complaints" if lead_type == "complaint" else "Other")
        groups[topic].append(conversation_id)
    points = [PainPoint(topic=topic, conversations=len(ids),
                        quotes=[quotes[i][0] for i in ids if quotes.get(i)][:3]) for topic, ids in groups.items()]
    points.sort(key=lambda p: (-p.conversations, p.topic))
    return points[:limit]


# --- unanswered demand, shared by CXI-5 and PRM-4 -------------------------------------------------------
@dataclass(frozen=True)
class QuestionGroup:
    question: str  # the earliest wording
    key: str  # the normalised question: what the agency's "draft an FAQ" posts back
    count: int
    disliked: bool  # thumbs-down answers (else: questions the bot could not answer)
    last_at: datetime

    @property
    def advice(self) -> str:
        times = f"{self.count} time{'s' if self.count != 1 else ''}"
        if self.disliked:
            return f"Visitors marked the answer to this as not helpful {times}: improve it with an FAQ."
        return f"Asked {times} without an answer: add an FAQ so the assistant can answer it."


def question_groups(*, days: int, disliked: bool | None = None, min_count: int = 1) -> list[QuestionGroup]:
    """Open unanswered (and/or thumbs-down) review items of the window, duplicates grouped, most asked first."""
    kinds = {False: [ReviewItem.Kind.UNKNOWN_QUESTION, ReviewItem.Kind.FALLBACK],
             True: [ReviewItem.Kind.THUMBS_DOWN]}
    wanted = kinds[disliked] if disliked is not None else kinds[False] + kinds[True]
    rows = (ReviewItem.objects.filter(status=ReviewItem.Status.OPEN, kind__in=wanted, created_at__gte=_since(days))
            .exclude(question="").order_by("created_at").values_list("kind", "question", "created_at"))
    groups: dict[tuple[bool, str], list[tuple[str, datetime]]] = defaultdict(list)
    for kind, question, at in rows:
        key = question_normalise(question)
        if key:
            groups[(kind == ReviewItem.Kind.THUMBS_DOWN, key)].append((question, at))
    out = [QuestionGroup(question=items[0][0].strip()[:300], key=key, count=len(items), disliked=is_disliked,
                         last_at=items[-1][1])
           for (is_disliked, key), items in groups.items() if len(items) >= min_count]
    out.sort(key=lambda g: (-g.count, g.disliked, -g.last_at.timestamp()))
    return out


# --- CXI-5 ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class HotWithoutLead:
    conversation_id: object
    first_question: str
    last_message_at: datetime
    intent: str


@dataclass(frozen=True)
class MissedOpportunities:
    hot_without_lead: list[HotWithoutLead]
    unanswered_demand: list[QuestionGroup]

    def __bool__(self) -> bool:
        return bool(self.hot_without_lead or self.unanswered_demand)


def missed_opportunities(*, limit: int = 5) -> MissedOpportunities:
    """Hot conversations (strong buying intent) that never became a lead, and questions asked again and
    again that the assistant could not answer."""
    hot = list(Conversation.objects.filter(last_message_at__gte=_since(MISSED_DAYS), lead__isnull=True)
               .exclude(crisis_level__in=_SENSITIVE)
               .annotate(top_intent=Max("messages__buying_intent"))
               .filter(top_intent__gte=HOT_INTENT).order_by("-top_intent", "-last_message_at")
               .values_list("id", "last_message_at", "lead_type")[:limit])
    firsts = dict(Message.objects.filter(conversation_id__in=[h[0] for h in hot], role=Message.Role.VISITOR)
                  .order_by("conversation_id", "created_at").distinct("conversation_id")
                  .values_list("conversation_id", "text"))
    return MissedOpportunities(
        hot_without_lead=[HotWithoutLead(conversation_id=cid, first_question=(firsts.get(cid) or "")[:200],
                                         last_message_at=at, intent=human_label(lead_type))
                          for cid, at, lead_type in hot],
        unanswered_demand=question_groups(days=DEMAND_DAYS, disliked=False, min_count=2)[:limit])


# --- PRM-4 ------------------------------------------------------------------------------------------
def suggested_improvements(*, limit: int = 8) -> list[QuestionGroup]:
    """What to teach the assistant next: unanswered clusters and thumbs-down answers, most frequent first."""
    return question_groups(days=SUGGESTION_DAYS)[:limit]


# --- BEY-3 ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class FeedbackRates:
    helpful: int
    not_helpful: int
    replies: int

    @property
    def rated(self) -> int:
        return self.helpful + self.not_helpful

    @property
    def helpful_share(self) -> int | None:
        return round(100 * self.helpful / self.rated) if self.rated else None

    @property
    def rated_share(self) -> int | None:
        return round(100 * self.rated / self.replies) if self.replies else None


def feedback_rates(*, days: int = FEEDBACK_DAYS) -> FeedbackRates:
    figures = Message.objects.filter(role=Message.Role.BOT, created_at__gte=_since(days)).aggregate(
        up=Count("id", filter=Q(feedback=Message.Feedback.UP)),
        down=Count("id", filter=Q(feedback=Message.Feedback.DOWN)), replies=Count("id"))
    return FeedbackRates(helpful=figures["up"], not_helpful=figures["down"], replies=figures["replies"])


@dataclass(frozen=True)
class Insights:
    questions: list[AskedQuestion]
    pain_points: list[PainPoint]
    missed: MissedOpportunities
    suggestions: list[QuestionGroup]
    feedback: FeedbackRates


def insights_build() -> Insights:
    return Insights(questions=recent_questions(), pain_points=pain_points(), missed=missed_opportunities(),
                    suggestions=suggested_improvements(), feedback=feedback_rates())
