"""Request and response bodies of the widget API. Unknown fields are refused (extra='forbid')."""

from __future__ import annotations

import re
import uuid
from typing import Annotated, Any, Literal

from ninja import Schema
from pydantic import ConfigDict, Field, StringConstraints, field_validator
from pydantic_core import PydanticCustomError

VisitorId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{16,64}$")]
MAX_MESSAGE_CHARS = 2000


# C0 controls except tab, newline and carriage return; DEL and the C1 block; lone UTF-16 surrogates
# (valid JSON escapes that PostgreSQL cannot store). NUL used to reach the database and end in a 500.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
CONTROL_PROBLEM = "Control characters (such as NUL) are not allowed in this field."


def refuse_control_characters(value: Any) -> Any:
    """Every string of every widget input, however deeply nested: 422 if it holds a control character."""
    if isinstance(value, str) and _CONTROL.search(value):
        raise PydanticCustomError("control_characters", CONTROL_PROBLEM)
    if isinstance(value, list | tuple):
        for item in value:
            refuse_control_characters(item)
    if isinstance(value, dict):
        for key, item in value.items():
            refuse_control_characters(key)
            refuse_control_characters(item)
    return value


class StrictIn(Schema):
    """Base of every widget request body: unknown fields refused, control characters refused."""

    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="before")
    @classmethod
    def _no_control_characters(cls, value: Any) -> Any:
        return refuse_control_characters(value)


class SessionIn(StrictIn):
    visitor_id: VisitorId
    page_url: Annotated[str, Field(max_length=2000)] = ""


class SessionOut(Schema):
    session_id: uuid.UUID
    # Send it back as X-Shoreline-Visitor on every later call of this visitor (rate limits).
    visitor_token: str
    returning: bool
    status: str
    welcome_message: str


class MessageIn(StrictIn):
    visitor_id: VisitorId
    conversation_id: uuid.UUID | None = None
    text: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_MESSAGE_CHARS)]


class QuickReplyOut(Schema):
    label: str
    message: str | None = None
    action: str | None = None


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
    # Tappable follow-ups for this reply ("Did you mean …?" questions); empty for most replies.
    quick_replies: list[QuickReplyOut] = []


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


class EmbedTicketOut(Schema):
    ticket: str
    expires_in: int


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
