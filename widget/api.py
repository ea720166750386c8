"""The widget API: /widget/v1/ on the public host. Its own NinjaAPI, auth, CORS and limits.

Each operation is: typed body in → `widget_call` (rate limits, client schema, bot) → one service
call → typed body out. Errors are mapped once, by the exception handlers below.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator, Mapping
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.utils import timezone
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from tenants.bots.availability import contact_expectation
from tenants.conversations.handoff import visitor_updates
from tenants.conversations.services import (
    ConversationNotFound,
    ReplyOutcome,
    booking_click_record,
    feedback_record,
    handoff_request,
    message_reply,
    session_start,
    widget_load_record,
)
from widget.access import WidgetError, WidgetTokenAuth, caller_origin, own_origins, visitor_scope, widget_call
from widget.embed_ticket import embed_ticket_issue
from widget.live import POLL_MS, widget_poll_call
from widget.public_config import public_config
from widget.schemas import (
    Accepted,
    BookingClickIn,
    ConfigOut,
    EmbedTicketOut,
    ErrorOut,
    FeedbackIn,
    HandoffIn,
    HandoffOut,
    LoadIn,
    MessageIn,
    MessageOut,
    SessionIn,
    SessionOut,
    StaffMessageOut,
    UpdatesIn,
    UpdatesOut,
)
from widget.visitor_token import visitor_token_issue

api = NinjaAPI(
    title="Shoreline widget API",
    version="1",
    urls_namespace="widget",
    auth=WidgetTokenAuth(),
    docs_url=None,
    description="Called by the embeddable chat widget from a client's allow-listed website.",
)
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 413: ErrorOut, 422: ErrorOut, 429: ErrorOut}
STREAM_WORDS_PER_CHUNK = 4


# --- errors: one handler per kind, every body {"error": code, "detail": ...} -----------------------

def _error(request: HttpRequest, status: int, code: str, detail: object, retry_after: int | None = None) -> HttpResponse:
    response = api.create_response(request, {"error": code, "detail": detail}, status=status)
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response


@api.exception_handler(WidgetError)
def _widget_error(request: HttpRequest, exc: WidgetError) -> HttpResponse:
    return _error(request, exc.status_code, exc.code, str(exc), exc.retry_after)


@api.exception_handler(ConversationNotFound)
def _not_found(request: HttpRequest, exc: ConversationNotFound) -> HttpResponse:
    """An id in the body that is not this visitor's (conversation_not_found / message_not_found)."""
    return _error(request, 404, exc.code, str(exc))


@api.exception_handler(AuthenticationError)
def _auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _error(request, 401, "token_required", "A widget token is required: Authorization: Bearer <token>.")


@api.exception_handler(ValidationError)
def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    if any(e.get("type") == "json_invalid" for e in exc.errors):
        return _error(request, 400, "malformed_json", "The request body is not valid JSON.")
    return _error(request, 422, "invalid_request", [_problem(e) for e in exc.errors])


def _problem(error: Mapping[str, Any]) -> dict[str, object]:
    """Name the field as the caller wrote it: ('body', 'payload', 'visitor_id') -> 'visitor_id'."""
    loc = tuple(str(p) for p in error.get("loc", ()))
    path = loc[2:] if loc[:1] == ("body",) else loc[1:]
    if not path and error.get("type") == "missing":
        return {"field": "body", "problem": "A JSON object body is required."}
    return {"field": ".".join(path) or "body", "problem": error.get("msg", "invalid")}


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if exc.status_code == 400:  # ninja could not parse the body
        return _error(request, 400, "malformed_json", "The request body is not valid JSON.")
    return _error(request, exc.status_code, "error", str(exc))


# --- operations --------------------------------------------------------------------------------------

@api.get("/config", response={200: ConfigOut, **ERRORS}, summary="Public look and status of the bot")
def widget_config(request: HttpRequest) -> ConfigOut:
    with widget_call(request, None) as call:
        return public_config(call.bot, call.config)


@api.post("/sessions", response={200: SessionOut, **ERRORS}, summary="Start a visitor session (WID-6)")
def widget_session(request: HttpRequest, payload: SessionIn) -> SessionOut:
    with widget_call(request, payload.visitor_id) as call:
        config = call.config
        session = session_start(bot=call.bot, visitor_key=payload.visitor_id, origin=call.caller.origin,
                                page_url=payload.page_url)
    return SessionOut(session_id=session.id, returning=session.is_returning, status=call.bot.status,
                      welcome_message=config.widget.welcome_message,
                      visitor_token=visitor_token_issue(scope=visitor_scope(call.caller), visitor_id=payload.visitor_id))


def _reply(request: HttpRequest, payload: MessageIn) -> ReplyOutcome:
    started = getattr(request, "widget_started", None) or time.perf_counter()
    with widget_call(request, payload.visitor_id) as call:
        return message_reply(bot=call.bot, config=call.config, client_id=call.client.pk,
                             client_slug=call.client.slug, visitor_key=payload.visitor_id,
                             conversation_id=payload.conversation_id, text=payload.text, started=started)


@api.post("/messages", response={200: MessageOut, **ERRORS}, summary="Send a message, get the reply")
def widget_message(request: HttpRequest, payload: MessageIn) -> ReplyOutcome:
    return _reply(request, payload)  # ninja validates it into MessageOut once (issue 17: was twice)


def reply_chunks(text: str, words: int = STREAM_WORDS_PER_CHUNK) -> Iterator[str]:
    """The reply in pieces of a few words; joined they are exactly the text."""
    parts = text.split(" ")
    for index in range(0, len(parts), words):
        yield " ".join(parts[index:index + words]) + (" " if index + words < len(parts) else "")


@api.post("/messages/stream", response={200: None, **ERRORS}, summary="Send a message, stream the reply (SSE)")
def widget_message_stream(request: HttpRequest, payload: MessageIn) -> StreamingHttpResponse:
    # The whole turn (graph, safety checks, writes) finishes here, inside the client's schema; the
    # stream only sends the checked text (docs/decisions/0012-stream-after-safety-checks.md).
    final = MessageOut.model_validate(_reply(request, payload))

    def events() -> Iterator[str]:
        for text in reply_chunks(final.reply):
            yield f"event: delta\ndata: {json.dumps({'text': text})}\n\n"
        yield f"event: done\ndata: {json.dumps(final.model_dump(mode='json'))}\n\n"

    response = StreamingHttpResponse(events(), content_type="text/event-stream")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"
    return response


@api.post("/events/booking-click", response={200: Accepted, **ERRORS}, summary="Record a booking-link click (AN-3)")
def widget_booking_click(request: HttpRequest, payload: BookingClickIn) -> Accepted:
    with widget_call(request, payload.visitor_id) as call:
        booking_click_record(bot=call.bot, visitor_key=payload.visitor_id, conversation_id=payload.conversation_id,
                             url=payload.url)
    return Accepted()


@api.post("/feedback", response={200: Accepted, **ERRORS}, summary="Thumbs up/down on one answer (BEY-3)")
def widget_feedback(request: HttpRequest, payload: FeedbackIn) -> Accepted:
    with widget_call(request, payload.visitor_id) as call:
        feedback_record(bot=call.bot, visitor_key=payload.visitor_id, message_id=payload.message_id,
                        value=payload.value)
    return Accepted()


@api.post("/events/load", response={200: Accepted, **ERRORS}, summary="The widget loaded on a page (CX-4)")
def widget_loaded(request: HttpRequest, payload: LoadIn) -> Accepted:
    with widget_call(request, None) as call:
        widget_load_record(bot=call.bot, origin=call.caller.origin, page_url=payload.page_url)
    return Accepted()


@api.post("/handoff", response={200: HandoffOut, **ERRORS}, summary="The visitor asks for a person (BEY-1)")
def widget_handoff(request: HttpRequest, payload: HandoffIn) -> HandoffOut:
    with widget_call(request, payload.visitor_id) as call:
        conversation = handoff_request(bot=call.bot, visitor_key=payload.visitor_id,
                                       conversation_id=payload.conversation_id)
        promise = contact_expectation(call.config.business, timezone.now())  # BEY-1: honest hours
    return HandoffOut(conversation_id=conversation.pk, promise=promise)


@api.post("/embed-ticket", response={200: EmbedTicketOut, **ERRORS}, summary="Ticket to open the chat iframe (SEC-2)")
def widget_embed_ticket(request: HttpRequest) -> EmbedTicketOut:
    """Asked by the loader on the client's page: the browser's Origin is checked against the allowlist
    (WidgetTokenAuth) and the ticket binds that origin. Our own pages cannot ask for one."""
    with widget_call(request, None) as call:
        if caller_origin(request) in own_origins() or call.caller.token is None:
            raise WidgetError(403, "origin_not_allowed", "Only the website showing the chat can open it.")
        ticket = embed_ticket_issue(token_id=call.caller.token.pk, host=call.caller.origin)
    return EmbedTicketOut(ticket=ticket, expires_in=settings.WIDGET_EMBED_TICKET_MAX_AGE)


# --- BEY-1 live handoff (widget/live.py) -------------------------------------------------------------

@api.post("/updates", response={200: UpdatesOut, **ERRORS}, summary="A person's replies since the last poll (BEY-1)")
def widget_updates(request: HttpRequest, payload: UpdatesIn) -> UpdatesOut:
    with widget_poll_call(request, payload.visitor_id) as call:
        state = visitor_updates(bot_id=call.bot.pk, visitor_key=payload.visitor_id,
                                conversation_id=payload.conversation_id, after=payload.after)
    if state is None:
        raise ConversationNotFound("This conversation does not exist for this visitor.")
    return UpdatesOut(handoff=state.handoff, held_by=state.held_by, poll_ms=POLL_MS, messages=[
        StaffMessageOut(id=m.id, text=m.text, author=m.author, created_at=m.created_at.isoformat())
        for m in state.messages])
