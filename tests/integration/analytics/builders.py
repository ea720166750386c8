"""Hand-built rows in a client's schema, with exact timestamps (metric rules are tested on these)."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from typing import Any

from tenants.conversations.models import Conversation, Event, Message, Visitor, VisitorSession
from tenants.leads.models import Lead

_keys = itertools.count(1)


def visitor(at: datetime) -> Visitor:
    return Visitor.objects.create(visitor_key=f"v-{next(_keys)}", first_seen_at=at, last_seen_at=at)


def session(v: Visitor, at: datetime, *, returning: bool = False) -> VisitorSession:
    return VisitorSession.objects.create(visitor=v, bot_id=1, started_at=at, is_returning=returning)


def conversation(
    at: datetime, *, turns: int = 1, fallback_last: bool = False, fallbacks: int = 0, ended: bool = False,
    server_ms: float = 120.0, model_ms: float | None = 80.0, sentiment: str = "neutral", tags: list[str] | None = None,
    lead: str | None = None, lead_type: str = "pricing", booking: bool = False, v: Visitor | None = None,
    texts: list[str] | None = None, crisis: str = "none", session: VisitorSession | None = None,
) -> Conversation:
    """`turns` visitor messages, each answered one minute later; the last `fallbacks` replies are fallbacks."""
    v = v or visitor(at)
    last = at + timedelta(minutes=2 * turns - 1)
    conv = Conversation.objects.create(
        visitor=v, session=session, bot_id=1, started_at=at, last_message_at=last, message_count=2 * turns,
        status=Conversation.Status.ENDED if ended else Conversation.Status.OPEN, sentiment=sentiment,
        tags=tags or [], lead_type=lead_type, crisis_level=crisis,
    )
    fallbacks = max(fallbacks, 1 if fallback_last else 0)
    for i in range(turns):
        t = at + timedelta(minutes=2 * i)
        Message.objects.create(conversation=conv, role="visitor", created_at=t,
                               text=(texts[i] if texts and i < len(texts) else f"question {i}?"))
        Message.objects.create(conversation=conv, role="bot", created_at=t + timedelta(minutes=1), text="answer",
                               is_fallback=i >= turns - fallbacks, server_ms=server_ms, model_ms=model_ms)
    if lead:
        Lead.objects.create(conversation=conv, visitor=v, name="Pat", score=lead, lead_type=lead_type,
                            created_at=at + timedelta(minutes=1), updated_at=at + timedelta(minutes=1))
    if booking:
        Event.objects.create(kind="booking_click", bot_id=1, visitor_id=v.pk, conversation_id=conv.pk,
                             occurred_at=at + timedelta(minutes=2))
    return conv


def event(kind: str, at: datetime, **data: Any) -> Event:
    return Event.objects.create(kind=kind, bot_id=1, occurred_at=at, data=data)
