"""The widget API: /widget/v1/ on the public host. Its own NinjaAPI, auth, CORS and limits."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from tenants.bots.selectors import bot_get, bot_published_config
from tenants.conversations.services import (
    ConversationNotFound,
    booking_click_record,
    feedback_record,
    handoff_request,
    message_reply,
    message_reply_stream,
    session_start,
    widget_load_record,
)
from widget.access import WidgetCaller, WidgetError, WidgetTokenAuth, client_schema, rate_limit_check
from widget.public_config import public_config
from widget.schemas import (
    Accepted,
    BookingClickIn,
    ConfigOut,
    ErrorOut,
    FeedbackIn,
    HandoffIn,
    HandoffOut,
    LoadIn,
    MessageIn,
    MessageOut,
    SessionIn,
    SessionOut,
)

api = NinjaAPI(
    title="Shoreline widget API",
    version="1",
    urls_namespace="widget",
    auth=WidgetTokenAuth(),
    docs_url=None,
    description="Called by the embeddable chat widget from a client's allow-listed website.",
)
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 413: ErrorOut, 422: ErrorOut, 429: ErrorOut}


def _error(request: HttpRequest, status: int, code: str, detail: object, retry_after: int | None = None) -> HttpResponse:
    response = api.create_response(request, {"error": code, "detail": detail}, status=status)
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response


@api.exception_handler(WidgetError)
def _widget_error(request: HttpRequest, exc: WidgetError) -> HttpResponse:
    return _error(request, exc.status_code, exc.code, str(exc), exc.retry_after)


@api.exception_handler(AuthenticationError)
def _auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _error(request, 401, "token_required", "A widget token is required: Authorization: Bearer <token>.")


@api.exception_handler(ValidationError)
def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    if any(e.get("type") == "json_invalid" for e in exc.errors):
        return _error(request, 400, "malformed_json", "The request body is not valid JSON.")
    return _error(request, 422, "invalid_request", [_problem(e) for e in exc.errors])


def _problem(error: dict[str, object]) -> dict[str, object]:
    """Name the field as the caller wrote it: ('body', 'payload', 'visitor_id') -> 'visitor_id'."""
    loc = tuple(str(p) for p in error.get("loc", ()))  # type: ignore[attr-defined]
    path = loc[2:] if loc[:1] == ("body",) else loc[1:]
    if not path and error.get("type") == "missing":
        return {"field": "body", "problem": "A JSON object body is required."}
    return {"field": ".".join(path) or "body", "problem": error.get("msg", "invalid")}


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if exc.status_code == 400:  # ninja could not parse the body
        return _error(request, 400, "malformed_json", "The request body is not valid JSON.")
    return _error(request, exc.status_code, "error", str(exc))


def _guard(request: HttpRequest, visitor_id: str | None) -> WidgetCaller:
    """Every operation, once its body is valid: the rate limits (SEC-6).

    Body size, token and origin were checked by WidgetTokenAuth before the body was parsed.
    """
    caller: WidgetCaller = request.widget_caller  # type: ignore[attr-defined]
    rate_limit_check(caller, visitor_id)
    return caller


def _bot(caller: WidgetCaller):  # type: ignore[no-untyped-def]
    bot = bot_get(bot_id=caller.bot_id)
    if bot is None:
        raise WidgetError(404, "bot_not_found", "This widget's bot no longer exists.")
    return bot


@api.get("/config", response={200: ConfigOut, **ERRORS}, summary="Public look and status of the bot")
def widget_config(request: HttpRequest) -> ConfigOut:
    caller = _guard(request, None)
    with client_schema(caller):
        bot = _bot(caller)
        return public_config(bot, bot_published_config(bot))


@api.post("/sessions", response={200: SessionOut, **ERRORS}, summary="Start a visitor session (WID-6)")
def widget_session(request: HttpRequest, payload: SessionIn) -> SessionOut:
    caller = _guard(request, payload.visitor_id)
    with client_schema(caller):
        bot = _bot(caller)
        config = bot_published_config(bot)
        session = session_start(bot=bot, visitor_key=payload.visitor_id, origin=caller.origin,
                                page_url=payload.page_url)
    return SessionOut(session_id=session.id, returning=session.is_returning, status=bot.status,
                      welcome_message=config.widget.welcome_message)


def _reply_kwargs(caller: WidgetCaller, payload: MessageIn, started: float) -> dict[str, object]:
    bot = _bot(caller)
    return {"bot": bot, "config": bot_published_config(bot), "client_id": caller.client.pk,
            "client_slug": caller.client.slug, "visitor_key": payload.visitor_id,
            "conversation_id": payload.conversation_id, "text": payload.text, "started": started}


@api.post("/messages", response={200: MessageOut, **ERRORS}, summary="Send a message, get the reply")
def widget_message(request: HttpRequest, payload: MessageIn) -> MessageOut:
    started = getattr(request, "widget_started", None) or time.perf_counter()
    caller = _guard(request, payload.visitor_id)
    with client_schema(caller):
        try:
            outcome = message_reply(**_reply_kwargs(caller, payload, started))  # type: ignore[arg-type]
        except ConversationNotFound as error:
            raise WidgetError(404, "conversation_not_found", str(error)) from error
    return MessageOut(**outcome.__dict__)


@api.post("/messages/stream", response={200: None, **ERRORS}, summary="Send a message, stream the reply (SSE)")
def widget_message_stream(request: HttpRequest, payload: MessageIn) -> StreamingHttpResponse:
    started = getattr(request, "widget_started", None) or time.perf_counter()
    caller = _guard(request, payload.visitor_id)
    with client_schema(caller):
        try:
            # Everything touching the client's schema finishes here; the stream only sends text.
            pieces = list(message_reply_stream(**_reply_kwargs(caller, payload, started)))
        except ConversationNotFound as error:
            raise WidgetError(404, "conversation_not_found", str(error)) from error

    def events() -> Iterator[str]:
        *texts, outcome = pieces
        for text in texts:
            yield f"event: delta\ndata: {json.dumps({'text': text})}\n\n"
        final = MessageOut(**outcome.__dict__).model_dump(mode="json")
        yield f"event: done\ndata: {json.dumps(final)}\n\n"

    response = StreamingHttpResponse(events(), content_type="text/event-stream")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"
    return response


@api.post("/events/booking-click", response={200: Accepted, **ERRORS}, summary="Record a booking-link click (AN-3)")
def widget_booking_click(request: HttpRequest, payload: BookingClickIn) -> Accepted:
    caller = _guard(request, payload.visitor_id)
    with client_schema(caller):
        try:
            booking_click_record(bot=_bot(caller), visitor_key=payload.visitor_id,
                                 conversation_id=payload.conversation_id, url=payload.url)
        except ConversationNotFound as error:
            raise WidgetError(404, "conversation_not_found", str(error)) from error
    return Accepted()


@api.post("/feedback", response={200: Accepted, **ERRORS}, summary="Thumbs up/down on one answer (BEY-3)")
def widget_feedback(request: HttpRequest, payload: FeedbackIn) -> Accepted:
    caller = _guard(request, payload.visitor_id)
    with client_schema(caller):
        try:
            feedback_record(bot=_bot(caller), visitor_key=payload.visitor_id, message_id=payload.message_id,
                            value=payload.value)
        except ConversationNotFound as error:
            raise WidgetError(404, "message_not_found", str(error)) from error
    return Accepted()


@api.post("/events/load", response={200: Accepted, **ERRORS}, summary="The widget loaded on a page (CX-4)")
def widget_loaded(request: HttpRequest, payload: LoadIn) -> Accepted:
    caller = _guard(request, None)
    with client_schema(caller):
        widget_load_record(bot=_bot(caller), origin=caller.origin, page_url=payload.page_url)
    return Accepted()


@api.post("/handoff", response={200: HandoffOut, **ERRORS}, summary="The visitor asks for a person (BEY-1)")
def widget_handoff(request: HttpRequest, payload: HandoffIn) -> HandoffOut:
    caller = _guard(request, payload.visitor_id)
    with client_schema(caller):
        bot = _bot(caller)
        try:
            conversation = handoff_request(bot=bot, visitor_key=payload.visitor_id,
                                           conversation_id=payload.conversation_id)
        except ConversationNotFound as error:
            raise WidgetError(404, "conversation_not_found", str(error)) from error
        promise = bot_published_config(bot).routing.handoff_promise
    return HandoffOut(conversation_id=conversation.pk, promise=promise)
