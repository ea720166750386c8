"""The life of a visitor message inside a client's schema, and everything it records.

One entry point per widget action. Each one persists all it produces in one transaction,
so a failure stores nothing partial. The agent graph runs before the transaction opens
and never writes (agents/ returns effects; this module applies them).
"""

from __future__ import annotations

import functools
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.postgres.expressions import ArraySubquery
from django.db import connection, transaction
from django.db.models import F, OuterRef, Q, QuerySet
from django.db.models.functions import JSONObject
from django.utils import timezone

from agents.conversation.ports import Turn
from agents.conversation.results import TurnResult
from agents.detection.intent import IntentRule
from controlplane.billing.metering import usage_allows_answers, usage_record_reply
from controlplane.core.prepared import PreparedSelect, insert_sql, model_insert, quoted
from controlplane.notifications.handoffs import live_handoff_open
from tenants.bots.config import BotConfig
from tenants.bots.models import Bot, BotStatus
from tenants.bots.selectors import bot_get, bot_published_config
from tenants.bots.services import bot_set_status
from tenants.conversations.agent_runtime import bot_turn
from tenants.conversations.handoff import held_visitor_message
from tenants.conversations.models import Conversation, Event, Message, Visitor, VisitorSession
from tenants.conversations.notifications import (
    conversation_ended_emit,
    crisis_event_emit,
    current_client,
    handoff_event_emit,
    lead_events_emit,
)
from tenants.conversations.signals import conversation_tags_changed
from tenants.leads.models import Lead
from tenants.leads.services import lead_apply_effect
from tenants.review.models import ReviewItem
from tenants.review.services import review_context_refresh, review_item_open

if TYPE_CHECKING:
    from pydantic_ai.models.openai import OpenAIChatModel

    from agents.conversation.summary import ConversationFacts

# A conversation with no message for this long is over; the next message starts a new one.
CONVERSATION_IDLE_MINUTES = 30
HISTORY_TURNS = 10
# A visitor's last_seen_at moves at most once a minute within a conversation: it serves retention
# (idle for days) and exports, and skipping the UPDATE saves a statement on most turns (issue 17).
VISITOR_SEEN_RESOLUTION = timedelta(seconds=60)
_SEVERITY = {"none": 0, "at_risk": 1, "crisis": 2}


class ConversationNotFound(Exception):
    """The id does not name one of this visitor's conversations with this bot (callers answer 404)."""

    code = "conversation_not_found"


class MessageNotFound(ConversationNotFound):
    code = "message_not_found"


@dataclass(frozen=True)
class ReplyOutcome:
    conversation_id: uuid.UUID
    message_id: int
    reply: str
    answered_by: str
    is_fallback: bool
    is_crisis: bool
    asked_for_contact: bool
    lead_captured: bool
    server_ms: float
    booking_url: str
    # "Did you mean …?": the suggested FAQ questions as quick replies ({label, message}); tapping one asks it.
    quick_replies: tuple[dict[str, str], ...] = ()


def event_record(
    *, kind: str, bot_id: int, visitor_id: int | None = None, conversation_id: uuid.UUID | None = None,
    data: dict[str, Any] | None = None, occurred_at: datetime | None = None,
) -> Event:
    """One fact of the event log (see docs/metrics.md); tenants.analytics rolls them up."""
    return Event.objects.create(kind=kind, bot_id=bot_id, visitor_id=visitor_id, conversation_id=conversation_id,
                                data=data or {}, occurred_at=occurred_at or timezone.now())


def visitor_touch(*, visitor_key: str) -> Visitor:
    return _visitor_touch(visitor_key=visitor_key)[0]


def _column(model: type[Visitor] | type[VisitorSession], name: str) -> str:
    field: Any = model._meta.get_field(name)
    return quoted(field.column)


@functools.cache
def _visitor_upsert_suffix() -> str:
    """ON CONFLICT … RETURNING of the visitor upsert: a known visitor is seen now; returns its id, first
    sighting, session count and latest widget session, from the models' columns (built once)."""
    table, sessions = quoted(Visitor._meta.db_table), quoted(VisitorSession._meta.db_table)
    last_seen, pk = _column(Visitor, "last_seen_at"), _column(Visitor, "id")
    return (f"ON CONFLICT ({_column(Visitor, 'visitor_key')}) DO UPDATE SET {last_seen} = EXCLUDED.{last_seen} "  # noqa: S608
            f"RETURNING {table}.{pk}, {table}.{_column(Visitor, 'first_seen_at')}, "
            f"{table}.{_column(Visitor, 'session_count')}, "
            f"(SELECT s.{_column(VisitorSession, 'id')} FROM {sessions} AS s "
            f"WHERE s.{_column(VisitorSession, 'visitor')} = {table}.{pk} "
            f"ORDER BY s.{_column(VisitorSession, 'started_at')} DESC LIMIT 1)")


def _visitor_touch(*, visitor_key: str) -> tuple[Visitor, uuid.UUID | None]:
    """The visitor of this key, created or seen now, and its latest widget session (the visit a new
    conversation belongs to: VAL-1 engagement counts visits with a visitor message through this link).
    One statement (issue 17: get_or_create sent two to four)."""
    now = timezone.now()
    visitor = Visitor(visitor_key=visitor_key, first_seen_at=now, last_seen_at=now)
    sql, params = insert_sql(Visitor, [visitor], returning=False, suffix=_visitor_upsert_suffix())
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        visitor.pk, visitor.first_seen_at, visitor.session_count, session_id = cursor.fetchone()
    visitor._state.adding, visitor._state.db = False, connection.alias
    return visitor, session_id


def session_start(*, bot: Bot, visitor_key: str, origin: str = "", page_url: str = "") -> VisitorSession:
    """WID-6/AN-4: a widget opened. A visitor with an earlier session is a return visitor."""
    with transaction.atomic():
        visitor = visitor_touch(visitor_key=visitor_key)
        Visitor.objects.filter(pk=visitor.pk).update(session_count=F("session_count") + 1)
        visitor.refresh_from_db(fields=["session_count"])
        session = VisitorSession.objects.create(
            visitor=visitor, bot_id=bot.pk, started_at=timezone.now(), origin=origin[:255],
            page_url=page_url[:2000], is_returning=visitor.session_count > 1,
        )
        event_record(kind="session_start", bot_id=bot.pk, visitor_id=visitor.pk,
                     data={"returning": session.is_returning, "origin": origin[:255]})
    return session


def _open_conversation_query(*, conversation_id: uuid.UUID, visitor_key: str, bot_id: int) -> QuerySet[Conversation]:
    recent = (Message.objects.filter(conversation=OuterRef("pk")).order_by("-created_at", "-id")
              .values(turn=JSONObject(role="role", text="text", lead_type="lead_type",
                                      buying_intent="buying_intent", crisis_level="crisis_level"))[:HISTORY_TURNS])
    return (Conversation.objects.select_related("visitor", "lead").annotate(recent_turns=ArraySubquery(recent))
            .filter(pk=conversation_id, visitor__visitor_key=visitor_key, bot_id=bot_id)[:1])


_OPEN_CONVERSATION = PreparedSelect(_open_conversation_query, conversation_id=uuid.UUID(int=0x5E17E1),
                                    visitor_key="\x00visitor-key-slot", bot_id=-0x5E17E1)


def _open_conversation(*, bot: Bot, visitor_key: str, conversation_id: uuid.UUID | None) -> Conversation | None:
    """The visitor's conversation to continue, None to start a new one; unknown ids are refused."""
    if conversation_id is None:
        return None
    # One statement: the conversation, its visitor and lead (is a contact already known?) and the last
    # HISTORY_TURNS messages, newest first, as an array (issue 17: was two), compiled once per process.
    conversation = _OPEN_CONVERSATION.first(conversation_id=conversation_id, visitor_key=visitor_key, bot_id=bot.pk)
    if conversation is None:
        raise ConversationNotFound("This conversation does not exist for this visitor.")
    if conversation.held_by_email:
        return conversation  # BEY-1: a person holds it; it never goes idle under them
    idle_since = timezone.now() - timedelta(minutes=CONVERSATION_IDLE_MINUTES)
    if conversation.status == Conversation.Status.ENDED or conversation.last_message_at < idle_since:
        return None
    return conversation


def _history(conversation: Conversation | None) -> list[Turn]:
    if conversation is None:
        return []
    recent = getattr(conversation, "recent_turns", None)
    if recent is None:
        recent = list(conversation.messages.order_by("-created_at", "-id")
                      .values("role", "text", "lead_type", "buying_intent", "crisis_level")[:HISTORY_TURNS])
    return [_turn(row) for row in reversed(recent)]


def _turn(row: dict[str, Any]) -> Turn:
    """One stored message as the engine reads it. A person's replies (BEY-1) are the business's side;
    a visitor message the bot answered carries its labels, so the engine need not classify it again
    (a message stored while a person held the conversation has none and is classified)."""
    if row["role"] != Message.Role.VISITOR:
        return Turn(role="bot", text=row["text"])
    labelled = bool(row.get("lead_type")) and bool(row.get("crisis_level")) and row.get("buying_intent") is not None
    if not labelled:
        return Turn(role="visitor", text=row["text"])
    return Turn(role="visitor", text=row["text"], lead_type=row["lead_type"], buying_intent=float(row["buying_intent"]),
                crisis_level=row["crisis_level"])


def _unavailable_reply(bot: Bot, config: BotConfig) -> tuple[str, str] | None:
    """CX-6: paused or over-limit bots answer with a fixed message and never call a model."""
    if bot.status == BotStatus.PAUSED:
        return config.paused_message, "paused"
    if bot.status == BotStatus.OVER_LIMIT:
        return config.over_limit_message, "over_limit"
    return None


def message_reply(**kwargs: Any) -> ReplyOutcome:
    """One visitor message through detection, the graph and persistence (the widget's path)."""
    return message_turn(**kwargs)[0]


def message_turn(
    *,
    bot: Bot,
    config: BotConfig,
    client_id: int,
    client_slug: str,
    visitor_key: str,
    conversation_id: uuid.UUID | None,
    text: str,
    started: float | None = None,
) -> tuple[ReplyOutcome, TurnResult | None]:
    """`message_reply`, also returning what the graph decided (None for paused/over-limit replies)."""
    started = started if started is not None else time.perf_counter()
    # Nothing is written before the graph has run: a refusal (unknown conversation) or a crash
    # leaves no visitor row behind. _persist_turn writes everything in one transaction.
    conversation = _open_conversation(bot=bot, visitor_key=visitor_key, conversation_id=conversation_id)
    if conversation is not None and conversation.held_by_email:
        return _held_turn(conversation=conversation, text=text, config=config, started=started), None
    if bot.status == BotStatus.OVER_LIMIT and usage_allows_answers(client_id=client_id):
        # A new month or a larger plan: answer again at once (only over-limit bots pay this query).
        bot_set_status(bot=bot, status=BotStatus.ACTIVE, reason="A new billing period or plan lifted the limit")
    unavailable = _unavailable_reply(bot, config)
    result: TurnResult | None = None
    if unavailable is None:
        has_lead = conversation is not None and hasattr(conversation, "lead")
        result = bot_turn(
            client_slug=client_slug, bot_id=bot.pk, config=config, message=text, history=_history(conversation),
            contact_known=has_lead and bool(conversation.lead.phone or conversation.lead.email),  # type: ignore[union-attr]
            already_asked_for_contact=bool(conversation and conversation.asked_for_contact),
        )
    outcome = _persist_turn(bot=bot, config=config, client_id=client_id, visitor_key=visitor_key,
                            conversation=conversation, text=text, result=result, unavailable=unavailable,
                            started=started)
    return outcome, result


def _held_turn(*, conversation: Conversation, text: str, config: BotConfig, started: float) -> ReplyOutcome:
    """BEY-1: a person holds the conversation, so the bot stays quiet: the message is stored for them,
    no reply, no model call, no usage. The widget shows the person's reply when it comes."""
    message = held_visitor_message(conversation=conversation, visitor=conversation.visitor, text=text,
                                   now=timezone.now())
    return ReplyOutcome(conversation_id=conversation.pk, message_id=message.pk, reply="", answered_by="person",
                        is_fallback=False, is_crisis=False, asked_for_contact=False, lead_captured=False,
                        server_ms=round((time.perf_counter() - started) * 1000, 3), booking_url=config.booking_url)


def _persist_turn(
    *, bot: Bot, config: BotConfig, client_id: int, visitor_key: str, conversation: Conversation | None,
    text: str, result: TurnResult | None, unavailable: tuple[str, str] | None, started: float,
) -> ReplyOutcome:
    now = timezone.now()
    # The conversation was read with its lead (select_related): no lead then means none to look for
    # now, unless a concurrent turn adds one meanwhile, which the lead's insert detects.
    lead_absent = conversation is None or not hasattr(conversation, "lead")
    with transaction.atomic():
        if conversation is not None:
            visitor = conversation.visitor
            if visitor.last_seen_at < now - VISITOR_SEEN_RESOLUTION:
                Visitor.objects.filter(pk=visitor.pk).update(last_seen_at=now)
        else:
            visitor, session_id = _visitor_touch(visitor_key=visitor_key)
            conversation = model_insert(Conversation(visitor=visitor, bot_id=bot.pk, started_at=now,
                                                     last_message_at=now, session_id=session_id))
            assert conversation is not None
        visitor_message = Message(conversation=conversation, role=Message.Role.VISITOR, text=text, created_at=now)
        bot_message = Message(conversation=conversation, role=Message.Role.BOT, created_at=now)
        lead_created = False
        if result is None:
            assert unavailable is not None
            bot_message.text, bot_message.answered_by = unavailable
        else:
            c = result.detection.classification
            visitor_message.lead_type, visitor_message.sentiment = c.lead_type, c.sentiment
            visitor_message.crisis_level, visitor_message.buying_intent = c.crisis_level, c.buying_intent
            bot_message.text, bot_message.answered_by = result.reply, result.answered_by
            bot_message.is_fallback, bot_message.citations = result.is_fallback, list(result.citations)
            bot_message.model_ms = result.model_ms
            bot_message.input_tokens, bot_message.output_tokens = result.usage.input_tokens, result.usage.output_tokens
            bot_message.model_name = result.usage.model_name
            _update_conversation_labels(conversation, result)
        bot_message.server_ms = round((time.perf_counter() - started) * 1000, 3)
        events = [Event(kind="message", bot_id=bot.pk, visitor_id=visitor.pk, conversation_id=conversation.pk,
                        occurred_at=now, data={"answered_by": bot_message.answered_by,
                                               "server_ms": bot_message.server_ms, "model_ms": bot_message.model_ms,
                                               "lead_type": visitor_message.lead_type})]
        if result is not None and result.is_fallback:
            events.append(Event(kind="fallback", bot_id=bot.pk, visitor_id=visitor.pk,
                                conversation_id=conversation.pk, occurred_at=now, data={}))
        _write_turn(messages=[visitor_message, bot_message], events=events, conversation_pk=conversation.pk,
                    increments={"message_count": 2}, values={
            "last_message_at": now, "lead_type": conversation.lead_type, "sentiment": conversation.sentiment,
            "crisis_level": conversation.crisis_level, "asked_for_contact": conversation.asked_for_contact,
            # A message that raced the idle sweep reopens the conversation; it ends (and is
            # summarised) again once it is really idle.
            "status": Conversation.Status.OPEN, "ended_at": None,
        })
        if result is not None:
            lead_created = _apply_effects(bot=bot, visitor=visitor, conversation=conversation, result=result,
                                          visitor_message=visitor_message, bot_message=bot_message, text=text,
                                          lead_absent=lead_absent)
        if result is not None:
            # The fixed paused/over-limit message costs nothing and must not deepen an overage.
            tick = usage_record_reply(client_id=client_id, input_tokens=bot_message.input_tokens,
                                      output_tokens=bot_message.output_tokens)
            if tick.at_pause_limit:
                _pause_at_quota(tick.messages, tick.quota or 0)
    return ReplyOutcome(
        conversation_id=conversation.pk, message_id=bot_message.pk, reply=bot_message.text,
        answered_by=bot_message.answered_by, is_fallback=bot_message.is_fallback,
        is_crisis=bool(result and result.is_crisis), asked_for_contact=bool(result and result.asked_for_contact),
        lead_captured=lead_created, server_ms=bot_message.server_ms or 0.0, booking_url=config.booking_url,
        quick_replies=tuple({"label": q, "message": q} for q in (result.suggestions if result else ())),
    )


_CONVERSATION_UPDATES: dict[tuple[tuple[str, ...], tuple[str, ...]], str] = {}


def _conversation_update_sql(increments: dict[str, int], values: dict[str, Any]) -> tuple[str, tuple[Any, ...]]:
    """UPDATE of one conversation: counters moved by `increments`, fields set to `values` (through each
    field's get_db_prep_save); the statement text is built from the model's columns once per process."""
    opts = Conversation._meta
    fields: dict[str, Any] = {name: opts.get_field(name) for name in (*increments, *values)}
    key = (tuple(increments), tuple(values))
    sql = _CONVERSATION_UPDATES.get(key)
    if sql is None:
        sets = [f"{quoted(fields[n].column)} = {quoted(fields[n].column)} + %s" for n in increments]
        sets += [f"{quoted(fields[n].column)} = %s" for n in values]
        sql = f"UPDATE {quoted(opts.db_table)} SET {', '.join(sets)} WHERE {quoted(opts.pk.column)} = %s"  # noqa: S608
        _CONVERSATION_UPDATES[key] = sql
    params = (*increments.values(),
              *(fields[n].get_db_prep_save(v, connection=connection) for n, v in values.items()))
    return sql, params


def _write_turn(*, messages: list[Message], events: list[Event], conversation_pk: uuid.UUID,
                increments: dict[str, int], values: dict[str, Any]) -> None:
    """A turn's routine writes in ONE statement (issue 17: were three round trips): the events and
    the conversation's counters as data-modifying CTEs of the messages' INSERT, which returns their
    ids. Each part's SQL is derived from the models' fields and built once per process."""
    events_sql, events_params = insert_sql(Event, events, returning=False)
    update_sql, update_params = _conversation_update_sql(increments, values)
    messages_sql, messages_params = insert_sql(Message, messages, returning=True)
    with connection.cursor() as cursor:
        cursor.execute(f"WITH turn_events AS ({events_sql}), turn_conversation AS ({update_sql}) {messages_sql}",
                       (*events_params, *update_params, conversation_pk, *messages_params))
        ids = [row[0] for row in cursor.fetchall()]
    for message, pk in zip(messages, ids, strict=True):
        message.pk = pk
        message._state.adding = False


def _pause_at_quota(used: int, quota: int) -> None:
    """CX-6: a pause plan reached its quota: every answering bot of this client goes over_limit,
    in the turn's transaction, so the next message gets the fallback without a model call."""
    for bot in Bot.objects.select_for_update().filter(status=BotStatus.ACTIVE):
        bot_set_status(bot=bot, status=BotStatus.OVER_LIMIT, reason=f"Monthly quota reached ({used}/{quota})")


def _update_conversation_labels(conversation: Conversation, result: TurnResult) -> None:
    c = result.detection.classification
    if c.lead_type not in ("other", "general_question") or not conversation.lead_type:
        conversation.lead_type = c.lead_type
    conversation.sentiment = c.sentiment
    if _SEVERITY.get(c.crisis_level, 0) > _SEVERITY.get(conversation.crisis_level, 0):
        conversation.crisis_level = c.crisis_level
    conversation.asked_for_contact = conversation.asked_for_contact or result.asked_for_contact


def _apply_effects(
    *, bot: Bot, visitor: Visitor, conversation: Conversation, result: TurnResult, visitor_message: Message,
    bot_message: Message, text: str, lead_absent: bool = False,
) -> bool:
    lead_created = False
    if result.lead is not None:
        lead, lead_created = lead_apply_effect(conversation=conversation, visitor=visitor, effect=result.lead,
                                               lead_absent=lead_absent)
        if lead_created:
            event_record(kind="lead_captured", bot_id=bot.pk, visitor_id=visitor.pk,
                         conversation_id=conversation.pk,
                         data={"lead_id": lead.pk, "score": lead.score, "lead_type": lead.lead_type})
        lead_events_emit(lead=lead, created=lead_created, last_question=text)  # outbox, same transaction
        review_context_refresh(conversation=conversation)  # ADM-1: the triage list shows the lead score
    if result.is_crisis or result.alert is not None:
        # BOT-2: the alert event (level, reasons, who to tell); the notifications service delivers it.
        alert = result.alert
        event_record(kind="crisis", bot_id=bot.pk, visitor_id=visitor.pk, conversation_id=conversation.pk,
                     data={"level": result.detection.classification.crisis_level, "alert": alert is not None,
                           "reasons": list(alert.reasons) if alert else [],
                           "recipients": list(alert.recipients) if alert else [], "message_id": bot_message.pk})
        crisis_event_emit(conversation=conversation)
        # BEY-1: a crisis goes to the top of the portal's live handoffs, for a person to step in.
        live_handoff_open(client_id=current_client().pk, conversation_id=conversation.pk,
                          at=bot_message.created_at, crisis=True)
    for item in result.review_items:
        review_item_open(kind=item.kind, conversation=conversation, message=bot_message, question=text,
                         reason=item.reason, created_at=bot_message.created_at)
    return lead_created


def booking_click_record(*, bot: Bot, visitor_key: str, conversation_id: uuid.UUID | None, url: str = "") -> None:
    """AN-3: the visitor clicked the booking link (in a conversation, or from the widget header)."""
    if conversation_id is not None and not Conversation.objects.filter(
        pk=conversation_id, visitor__visitor_key=visitor_key, bot_id=bot.pk
    ).exists():
        raise ConversationNotFound("This conversation does not exist for this visitor.")
    with transaction.atomic():
        visitor = visitor_touch(visitor_key=visitor_key)
        event_record(kind="booking_click", bot_id=bot.pk, visitor_id=visitor.pk, conversation_id=conversation_id,
                     data={"url": url[:500]})


def feedback_record(*, bot: Bot, visitor_key: str, message_id: int, value: str) -> Message:
    """BEY-3: thumbs up/down on one bot answer; thumbs down opens a review item."""
    with transaction.atomic():
        message = (
            Message.objects.select_for_update().select_related("conversation", "conversation__visitor")
            .filter(pk=message_id, role=Message.Role.BOT, conversation__visitor__visitor_key=visitor_key,
                    conversation__bot_id=bot.pk)
            .first()
        )
        if message is None:
            raise MessageNotFound("This message does not exist for this visitor.")
        if message.feedback == value:
            return message
        message.feedback = value
        message.save(update_fields=["feedback"])
        event_record(kind="feedback", bot_id=bot.pk, visitor_id=message.conversation.visitor_id,
                     conversation_id=message.conversation_id, data={"value": value, "message_id": message.pk})
        if value == Message.Feedback.DOWN:
            question = (
                message.conversation.messages.filter(role=Message.Role.VISITOR, created_at__lte=message.created_at)
                .order_by("-created_at", "-id").values_list("text", flat=True).first() or ""
            )
            review_item_open(kind=ReviewItem.Kind.THUMBS_DOWN, conversation=message.conversation,
                             message=message, question=question, reason="Visitor marked the answer unhelpful",
                             created_at=timezone.now())
    return message


def widget_load_record(*, bot: Bot, origin: str, page_url: str) -> None:
    """CX-4: the widget loaded on a page; the dashboard warns when none came lately from an allowed site."""
    event_record(kind="widget_load", bot_id=bot.pk, data={"origin": origin[:255], "page_url": page_url[:2000]})


def handoff_request(*, bot: Bot, visitor_key: str, conversation_id: uuid.UUID | None) -> Conversation:
    """BEY-1: the visitor asked for a person. Flags the conversation (starting one if the visitor has
    not written yet) and opens a Needs Review item; asking twice changes nothing."""
    now = timezone.now()
    with transaction.atomic():
        visitor = visitor_touch(visitor_key=visitor_key)
        conversation = None
        if conversation_id is not None:
            conversation = Conversation.objects.select_for_update().filter(
                pk=conversation_id, visitor=visitor, bot_id=bot.pk).first()
            if conversation is None:
                raise ConversationNotFound("This conversation does not exist for this visitor.")
        if conversation is None:
            conversation = Conversation.objects.create(visitor=visitor, bot_id=bot.pk, started_at=now,
                                                       last_message_at=now)
        if conversation.handoff_requested_at is not None:
            return conversation
        conversation.handoff_requested_at = now
        conversation.save(update_fields=["handoff_requested_at"])
        question = (conversation.messages.filter(role=Message.Role.VISITOR).order_by("-created_at", "-id")
                    .values_list("text", flat=True).first() or "")
        review_item_open(kind=ReviewItem.Kind.HANDOFF, conversation=conversation, question=question,
                         reason="Visitor asked to talk to a person", created_at=now)
        event_record(kind="handoff", bot_id=bot.pk, visitor_id=visitor.pk, conversation_id=conversation.pk)
        handoff_event_emit(conversation=conversation, question=question)
        live_handoff_open(client_id=current_client().pk, conversation_id=conversation.pk, at=now,
                          crisis=conversation.crisis_level == "crisis")
    return conversation


# --- ADM-3/ADM-4: a conversation that goes idle ends, then gets a summary and topic tags ---------------

END_IDLE_BATCH = 500


def conversations_end_idle(*, now: datetime | None = None) -> list[uuid.UUID]:
    """End every open conversation without a message for CONVERSATION_IDLE_MINUTES; returns their ids.

    Safe to run concurrently and again: rows are claimed with SKIP LOCKED and re-checked in the UPDATE.
    """
    now = now or timezone.now()
    cutoff = now - timedelta(minutes=CONVERSATION_IDLE_MINUTES)
    ended: list[uuid.UUID] = []
    while True:
        with transaction.atomic():
            ids = list(
                Conversation.objects.select_for_update(skip_locked=True)
                .filter(status=Conversation.Status.OPEN, last_message_at__lt=cutoff, held_by_email="")
                .order_by("last_message_at").values_list("pk", flat=True)[:END_IDLE_BATCH]
            )
            # The caller queues a summary task for each one right after: marked as queued already.
            Conversation.objects.filter(pk__in=ids, status=Conversation.Status.OPEN,
                                        last_message_at__lt=cutoff).update(status=Conversation.Status.ENDED,
                                                                           ended_at=now, summary_queued_at=now)
        ended += ids
        if len(ids) < END_IDLE_BATCH:
            return ended


# A summary task queued this long ago whose conversation still has no summary was lost (a worker died
# between ending it and queueing it, or while running it): the next sweep queues it again. Long enough
# that a backlog of queued tasks (hundreds waiting for two worker processes) is not queued twice.
SUMMARY_REQUEUE_MINUTES = 30


def conversations_missing_summary(*, now: datetime | None = None) -> list[uuid.UUID]:
    """Ended conversations still without a summary, whose summary task (if any) was queued more than
    SUMMARY_REQUEUE_MINUTES ago: that task was lost. The caller queues them again and marks them
    (conversations_summary_queued), so a task still waiting in the queue is not duplicated by every sweep."""
    stale = (now or timezone.now()) - timedelta(minutes=SUMMARY_REQUEUE_MINUTES)
    return list(Conversation.objects.filter(status=Conversation.Status.ENDED, summary="", ended_at__lt=stale)
                .filter(Q(summary_queued_at__isnull=True) | Q(summary_queued_at__lt=stale))
                .order_by("ended_at").values_list("pk", flat=True)[:END_IDLE_BATCH])


def conversations_summary_queued(*, conversation_ids: list[uuid.UUID] | list[str], now: datetime | None = None) -> int:
    """Mark that a summary task was just queued for these conversations (see conversations_missing_summary)."""
    return Conversation.objects.filter(pk__in=conversation_ids).update(summary_queued_at=now or timezone.now())


def conversation_end(*, conversation_id: uuid.UUID, now: datetime | None = None) -> bool:
    """End one conversation now (whatever its idle time). False when it was already over."""
    return bool(Conversation.objects.filter(pk=conversation_id, status=Conversation.Status.OPEN)
                .update(status=Conversation.Status.ENDED, ended_at=now or timezone.now()))


def conversation_facts(conversation: Conversation) -> ConversationFacts:
    """What a summary may say about one conversation, from this schema's records."""
    # Lazy: agents.conversation.summary imports pydantic-ai (docs/decisions/0013-lazy-agent-stack.md).
    from agents.conversation.summary import ConversationFacts, SummaryTurn

    rows = conversation.messages.order_by("created_at", "id").values_list(
        "role", "text", "answered_by", "is_fallback", "lead_type", "feedback")
    turns = tuple(SummaryTurn(role=role, text=text, answered_by=answered_by, is_fallback=is_fallback,
                              lead_type=lead_type) for role, text, answered_by, is_fallback, lead_type, _ in rows)
    lead = Lead.objects.filter(conversation=conversation).values_list("score", "lead_type").first()
    bot = bot_get(bot_id=conversation.bot_id)
    config = bot_published_config(bot) if bot is not None else None
    return ConversationFacts(
        turns=turns,
        crisis_level=conversation.crisis_level,
        lead_score=lead[0] if lead else None,
        lead_type=lead[1] if lead else None,
        booking_clicks=Event.objects.filter(kind="booking_click", conversation_id=conversation.pk).count(),
        handoff_requested=conversation.handoff_requested_at is not None,
        thumbs_down=sum(1 for *_, feedback in rows if feedback == Message.Feedback.DOWN),
        industry_mode=config.industry_mode if config else None,
        intents=tuple(IntentRule(name=i.name, lead_type=i.lead_type, keywords=tuple(i.keywords))
                      for i in (config.intents if config else ())),
    )


def _summary_model() -> OpenAIChatModel | None:
    """The chat model for summaries when OPENAI_API_KEY is set, else None (offline summaries)."""
    if not settings.OPENAI_API_KEY:
        return None
    # Lazy: agents.providers imports pydantic-ai and the OpenAI SDK (decision 0013).
    from agents.providers import build_openai_chat_model

    return build_openai_chat_model(api_key=settings.OPENAI_API_KEY, base_url=settings.OPENAI_BASE_URL,
                                   chat_model=settings.OPENAI_CHAT_MODEL, timeout_s=settings.MODEL_TIMEOUT_SECONDS)


def conversation_summarize(*, conversation_id: uuid.UUID, use_model: bool = True,
                           reopen_rollups: bool = True) -> Conversation | None:
    """ADM-3 summary and ADM-4 tags of one conversation. Deterministic offline, so a retry writes the
    same values; with a model configured the summary is the model's, or the extractive one if it fails.

    The tags never depend on the model. `use_model=False` writes the offline summary even with a model
    configured (the demo seed, which must not wait on a model per conversation); `reopen_rollups=False`
    is for a caller that recomputes the rollups itself afterwards (the seed again)."""
    # Lazy: agents.conversation.summary imports pydantic-ai (docs/decisions/0013-lazy-agent-stack.md).
    from agents.conversation.summary import extractive_summary, model_summary, topic_tags

    conversation = Conversation.objects.filter(pk=conversation_id).first()
    if conversation is None:
        return None  # deleted meanwhile (privacy request): nothing to do
    facts = conversation_facts(conversation)
    model = _summary_model() if use_model else None
    summary = model_summary(model, facts, timeout_s=settings.MODEL_TIMEOUT_SECONDS) if model is not None else None
    conversation.summary = summary or extractive_summary(facts)
    before = list(conversation.tags)
    conversation.tags = list(topic_tags(facts))
    with transaction.atomic():
        Conversation.objects.filter(pk=conversation.pk).update(summary=conversation.summary, tags=conversation.tags)
        review_context_refresh(conversation=conversation)  # ADM-1: summary and tags in the triage list
        if conversation.status == Conversation.Status.ENDED:
            conversation_ended_emit(conversation=conversation)
    if reopen_rollups and conversation.tags != before:
        # Popular topics come from the day's rollup, which may already be computed: analytics re-opens it.
        conversation_tags_changed.send(sender=Conversation, conversation=conversation)
    return conversation



def bot_chat_turn(*, bot: Bot, config: BotConfig, client: Any, conversation_key: str, text: str,
                  conversation_id: uuid.UUID | None) -> tuple[dict[str, Any], uuid.UUID]:
    """One line of `manage.py bot_chat`: the widget's path (message_turn) and what it decided, as the
    command's output record. Returns the record and the conversation id to continue with."""
    visitor_key = f"bot_chat:{conversation_key}"[:64]
    outcome, result = message_turn(bot=bot, config=config, client_id=client.pk, client_slug=client.slug,
                                   visitor_key=visitor_key, conversation_id=conversation_id, text=text)
    lead = Lead.objects.filter(conversation_id=outcome.conversation_id).values("lead_type", "score").first()
    conversation = Conversation.objects.filter(pk=outcome.conversation_id).values("handoff_requested_at").first()
    c = result.detection.classification if result is not None else None
    record = {
        "reply": outcome.reply,
        "answered_by": outcome.answered_by,
        "fallback": outcome.is_fallback,
        "crisis_level": c.crisis_level if c else "none",
        "lead_type": lead["lead_type"] if lead else (c.lead_type if c else "other"),
        "lead_score": lead["score"] if lead else (c.lead_score if c else "cold"),
        "contacts": [{"label": x.label, "text": x.text} for x in (c.contacts if c else ())],
        "lead_created": outcome.lead_captured,
        "handoff": bool(result and result.handoff_offered) or bool(conversation and conversation["handoff_requested_at"]),
    }
    return record, outcome.conversation_id
