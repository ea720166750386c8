"""BEY-1: the widget's short poll for a person's replies. Polls have their own, looser per-visitor
limit so that watching for a reply never eats into the visitor's message budget; token, origin
allowlist and the schema are entered exactly as for every other operation (widget.access)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.http import HttpRequest

from controlplane.core.config_versions import version_keys, versions_from
from widget.access import (
    WidgetCall,
    WidgetError,
    caller_bot_and_config,
    client_schema,
    request_caller,
    visitor_scope,
)
from widget.client_ip import client_ip
from widget.ratelimit import Decision, Limit, rate_limit_take_and_read
from widget.visitor_token import VISITOR_HEADER, visitor_token_valid

POLL_MS = 1000  # the widget asks once a second: a person's reply shows within two seconds


def poll_limits() -> tuple[Limit, Limit]:
    per_visitor = getattr(settings, "WIDGET_RATE_POLL_PER_MINUTE", 90)
    burst = getattr(settings, "WIDGET_RATE_POLL_BURST", 30)
    return Limit("poll", per_visitor, burst), Limit("poll_bot", per_visitor * 40, burst * 20)


def _refuse(decision: Decision) -> None:
    if not decision.allowed:
        raise WidgetError(
            429,
            "rate_limited",
            f"Too many update checks. Try again in {decision.retry_after} s.",
            retry_after=decision.retry_after,
        )


@contextmanager
def widget_poll_call(request: HttpRequest, visitor_id: str) -> Iterator[WidgetCall]:
    """The poll's buckets key on the signed visitor (SEC-6) like every other call: a poll naming a
    visitor it holds no valid token for shares one bucket with every such poll from its address."""
    caller = request_caller(request)
    visitor_limit, bot_limit = poll_limits()
    scope = visitor_scope(caller)
    signed = visitor_token_valid(request.headers.get(VISITOR_HEADER), scope=scope, visitor_id=visitor_id)
    bucket = f"v:{visitor_id}" if signed else f"unsigned:{client_ip(request)}"
    decision, values = rate_limit_take_and_read([(f"{scope}:{bucket}", visitor_limit), (scope, bot_limit)],
                                                version_keys(caller.client.schema_name))
    _refuse(decision)
    with client_schema(caller):
        bot, config = caller_bot_and_config(caller, versions_from(values)[0] if values else None)
        yield WidgetCall(caller=caller, bot=bot, visitor_id=visitor_id, config=config)
