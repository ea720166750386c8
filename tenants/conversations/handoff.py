"""BEY-1 live handoff inside a client's schema: a person takes a conversation, replies from the
portal, and hands it back to the bot. While a person holds it the bot stays quiet (the visitor's
messages are stored for the person; no bot reply, no model call).

Each action is one transaction: the conversation, the public handoff index and the audit entry.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from controlplane.audit.services import audit_record
from controlplane.notifications.handoffs import (
    live_handoff_closed,
    live_handoff_held,
    live_handoff_visitor_wrote,
)
from tenants.conversations.models import Conversation, Message, Visitor
from tenants.conversations.notifications import current_client as _client
from tenants.review.models import ReviewItem
from tenants.review.services import review_item_resolve

MAX_STAFF_REPLY_CHARS = 2000
TEAM_MEMBER = "Team member"
AUDIT_TARGET_TYPE = "conversations.conversation"


def staff_display_name(user: Any) -> str:
    """What the visitor sees above a person's reply: their first name, or "Team member"."""
    first = (getattr(user, "full_name", "") or "").strip().split(" ")[0]
    return first[:60] or TEAM_MEMBER


def _audit(action: str, conversation: Conversation, actor: Any, request: Any, **data: Any) -> None:
    audit_record(
        action=f"handoff.{action}",
        actor=actor,
        client_slug=_client().slug,
        target_type=AUDIT_TARGET_TYPE,
        target_id=str(conversation.pk),
        request=request,
        data=data,
    )


def _locked(conversation_id: uuid.UUID) -> Conversation:
    conversation = Conversation.objects.select_for_update().filter(pk=conversation_id).first()
    if conversation is None:
        raise ValidationError("This conversation no longer exists.")
    return conversation


def _hold(conversation: Conversation, actor: Any, now: datetime) -> bool:
    """Make `actor` the holder; False when they already held it. Someone else's hold is refused."""
    if conversation.held_by_email == actor.email:
        return False
    if conversation.held_by_email:
        raise ValidationError(
            f"{conversation.held_by_name or 'Someone else'} is already replying to this visitor."
        )
    conversation.held_by_email, conversation.held_by_name = actor.email, staff_display_name(actor)
    conversation.held_at, conversation.handoff_closed_at = now, None
    # A conversation a person holds stays open, whatever the idle sweep did meanwhile.
    conversation.status, conversation.ended_at = Conversation.Status.OPEN, None
    conversation.save(
        update_fields=["held_by_email", "held_by_name", "held_at", "handoff_closed_at", "status", "ended_at"]
    )
    live_handoff_held(client_id=_client().pk, conversation_id=conversation.pk, user=actor, at=now)
    return True


def handoff_take(*, conversation_id: uuid.UUID, actor: Any, request: Any = None) -> Conversation:
    """A person takes the conversation: from now on the bot stays quiet in it."""
    now = timezone.now()
    with transaction.atomic():
        conversation = _locked(conversation_id)
        if _hold(conversation, actor, now):
            _audit("take", conversation, actor, request)
    return conversation


def handoff_reply(*, conversation_id: uuid.UUID, actor: Any, text: str, request: Any = None) -> Message:
    """A person's reply; the visitor's widget shows it on its next poll. Replying takes the conversation
    when nobody holds it yet."""
    text = (text or "").strip()
    if not text:
        raise ValidationError("Write a reply first.")
    if len(text) > MAX_STAFF_REPLY_CHARS:
        raise ValidationError(f"A reply can be at most {MAX_STAFF_REPLY_CHARS} characters.")
    now = timezone.now()
    with transaction.atomic():
        conversation = _locked(conversation_id)
        if _hold(conversation, actor, now):
            _audit("take", conversation, actor, request)
        message = Message.objects.create(
            conversation=conversation,
            role=Message.Role.STAFF,
            text=text,
            created_at=now,
            answered_by="person",
            author_name=conversation.held_by_name,
        )
        Conversation.objects.filter(pk=conversation.pk).update(
            message_count=F("message_count") + 1, last_message_at=now
        )
        _audit("reply", conversation, actor, request, message_id=message.pk, chars=len(text))
    return message


def handoff_release(*, conversation_id: uuid.UUID, actor: Any, request: Any = None) -> Conversation:
    """The person is done: the bot answers again, and the conversation's open handoff items are resolved."""
    now = timezone.now()
    with transaction.atomic():
        conversation = _locked(conversation_id)
        if (
            conversation.held_by_email
            and conversation.held_by_email != actor.email
            and not actor.is_platform_admin
        ):
            raise ValidationError(
                f"{conversation.held_by_name or 'Someone else'} is replying to this visitor; "
                "only they or an admin can hand it back."
            )
        held_by = conversation.held_by_email
        conversation.held_by_email = conversation.held_by_name = ""
        conversation.held_at, conversation.handoff_closed_at = None, now
        conversation.save(update_fields=["held_by_email", "held_by_name", "held_at", "handoff_closed_at"])
        live_handoff_closed(client_id=_client().pk, conversation_id=conversation.pk, at=now)
        for item in ReviewItem.objects.filter(
            conversation=conversation,
            status=ReviewItem.Status.OPEN,
            kind__in=(ReviewItem.Kind.HANDOFF, ReviewItem.Kind.CRISIS),
        ):
            review_item_resolve(item=item, actor=actor, note="Handled live from the portal", request=request)
        _audit("release", conversation, actor, request, held_by=held_by)
    return conversation


# --- the visitor's side -------------------------------------------------------------------------------


def held_visitor_message(
    *, conversation: Conversation, visitor: Visitor, text: str, now: datetime
) -> Message:
    """A visitor message while a person holds the conversation: stored for the person, no bot reply."""
    with transaction.atomic():
        Visitor.objects.filter(pk=visitor.pk).update(last_seen_at=now)
        message = Message.objects.create(
            conversation=conversation, role=Message.Role.VISITOR, text=text, created_at=now
        )
        Conversation.objects.filter(pk=conversation.pk).update(
            message_count=F("message_count") + 1, last_message_at=now
        )
        live_handoff_visitor_wrote(client_id=_client().pk, conversation_id=conversation.pk, at=now)
    return message


@dataclass(frozen=True)
class LiveUpdate:
    id: int
    text: str
    author: str
    created_at: datetime


HandoffState = Literal["none", "waiting", "held", "closed"]


@dataclass(frozen=True)
class LiveState:
    handoff: HandoffState
    held_by: str
    messages: list[LiveUpdate]


def visitor_updates(
    *, bot_id: int, visitor_key: str, conversation_id: uuid.UUID, after: int
) -> LiveState | None:
    """The people's replies after message `after` in this visitor's own conversation (None: not theirs)."""
    conversation = (
        Conversation.objects.filter(pk=conversation_id, visitor__visitor_key=visitor_key, bot_id=bot_id)
        .only("held_by_email", "held_by_name", "handoff_requested_at", "handoff_closed_at")
        .first()
    )
    if conversation is None:
        return None
    rows = (
        Message.objects.filter(conversation=conversation, role=Message.Role.STAFF, pk__gt=after)
        .order_by("id")
        .values_list("id", "text", "author_name", "created_at")[:50]
    )
    state: HandoffState
    if conversation.held_by_email:
        state = "held"
    elif conversation.handoff_closed_at is not None:
        state = "closed"
    else:
        state = "waiting" if conversation.handoff_requested_at is not None else "none"
    return LiveState(
        handoff=state,
        held_by=(conversation.held_by_name or TEAM_MEMBER) if state == "held" else "",
        messages=[LiveUpdate(id=i, text=t, author=a or TEAM_MEMBER, created_at=c) for i, t, a, c in rows],
    )
