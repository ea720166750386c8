"""Request and response bodies of the widget API. Unknown fields are refused (extra='forbid')."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from ninja import Schema
from pydantic import ConfigDict, Field, StringConstraints

VisitorId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{16,64}$")]
MAX_MESSAGE_CHARS = 2000


class StrictIn(Schema):
    model_config = ConfigDict(extra="forbid")


class SessionIn(StrictIn):
    visitor_id: VisitorId
    page_url: Annotated[str, Field(max_length=2000)] = ""


class SessionOut(Schema):
    session_id: uuid.UUID
    returning: bool
    status: str
    welcome_message: str


class MessageIn(StrictIn):
    visitor_id: VisitorId
    conversation_id: uuid.UUID | None = None
    text: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_MESSAGE_CHARS)]


class MessageOut(Schema):
    conversation_id: uuid.UUID
    message_id: int
    reply: str
    answered_by: str
    is_fallback: bool
    is_crisis: bool
    asked_for_contact: bool
    lead_captured: bool
    booking_url: str
    server_ms: float


class BookingClickIn(StrictIn):
    visitor_id: VisitorId
    conversation_id: uuid.UUID | None = None
    url: Annotated[str, Field(max_length=500)] = ""


class FeedbackIn(StrictIn):
    visitor_id: VisitorId
    message_id: int
    value: Literal["up", "down"]


class LoadIn(StrictIn):
    page_url: Annotated[str, Field(max_length=2000)] = ""


class QuickReplyOut(Schema):
    label: str
    message: str | None = None
    action: str | None = None


class ConfigOut(Schema):
    bot_name: str
    business_name: str
    status: str
    theme: str
    bubble_color: str
    welcome_message: str
    avatar_url: str
    booking_url: str
    quick_replies: list[QuickReplyOut]
    handoff_promise: str


class Accepted(Schema):
    ok: bool = True


class ErrorOut(Schema):
    error: str
    detail: str | list[dict[str, object]]


class HandoffIn(StrictIn):
    visitor_id: VisitorId
    conversation_id: uuid.UUID | None = None


class HandoffOut(Schema):
    conversation_id: uuid.UUID
    promise: str


# --- BEY-1 live handoff: the visitor's widget polls for a person's replies -------------------------

class UpdatesIn(StrictIn):
    visitor_id: VisitorId
    conversation_id: uuid.UUID
    after: Annotated[int, Field(ge=0)] = 0  # the last person's message id the widget shows


class StaffMessageOut(Schema):
    id: int
    text: str
    author: str  # the person's first name, or "Team member"
    created_at: str


class UpdatesOut(Schema):
    handoff: Literal["none", "waiting", "held", "closed"]
    held_by: str
    messages: list[StaffMessageOut]
    poll_ms: int
