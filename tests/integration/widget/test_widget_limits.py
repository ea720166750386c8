"""SEC-6 rate limits, input limits and CX-6 unavailable bots: exact refusals, and nothing partial stored."""

from __future__ import annotations

import json
import logging
import socket
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from tests.integration.widget.support import (
    NOTHING,
    VISITOR,
    CountingProvider,
    WidgetSetup,
    public_usage,
    row_counts,
)

pytestmark = pytest.mark.django_db
OTHER_VISITOR = "visitor_fedcba9876543210"


def _refused(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.content
    body = response.json()
    assert body["error"] == code
    return body


@pytest.fixture
def local_buckets() -> Iterator[None]:
    from widget.ratelimit import rate_limit_reset_local

    rate_limit_reset_local()
    yield
    rate_limit_reset_local()


# --- SEC-6 -----------------------------------------------------------------------------------------------

def test_per_visitor_limit_is_429_with_retry_after_and_stores_nothing(alpha: WidgetSetup, settings: Any) -> None:
    settings.WIDGET_RATE_VISITOR_BURST = 2
    settings.WIDGET_RATE_VISITOR_PER_MINUTE = 1
    assert [alpha.send("hi").status_code for _ in range(2)] == [200, 200]
    before = row_counts(alpha.client)
    response = alpha.send("hi")
    body = _refused(response, 429, "rate_limited")
    assert body["detail"] == "Too many messages (visitor limit). Try again in 60 s."
    assert response.headers["Retry-After"] == "60"
    # The widget on an allowed site can read the refusal and its Retry-After.
    assert response.headers["Access-Control-Allow-Origin"] == alpha.origin
    assert response.headers["Access-Control-Expose-Headers"] == "Retry-After"
    assert row_counts(alpha.client) == before
    # Another visitor of the same bot is not affected.
    assert alpha.send("hi", visitor=OTHER_VISITOR).status_code == 200


def test_per_bot_limit_covers_all_visitors(alpha: WidgetSetup, settings: Any) -> None:
    settings.WIDGET_RATE_BOT_BURST = 3
    settings.WIDGET_RATE_BOT_PER_MINUTE = 2
    visitors = [f"visitor_{n:016d}" for n in range(4)]
    statuses = [alpha.post("/sessions", {"visitor_id": v}).status_code for v in visitors[:3]]
    assert statuses == [200, 200, 200]
    response = alpha.post("/sessions", {"visitor_id": visitors[3]})
    body = _refused(response, 429, "rate_limited")
    assert body["detail"] == "Too many messages (bot limit). Try again in 30 s."
    assert response.headers["Retry-After"] == "30"
    assert row_counts(alpha.client)["VisitorSession"] == 3


def test_one_bots_limit_does_not_touch_another_bot(alpha: WidgetSetup, bravo: WidgetSetup, settings: Any) -> None:
    settings.WIDGET_RATE_BOT_BURST = 1
    settings.WIDGET_RATE_BOT_PER_MINUTE = 1  # no refill between two calls on a busy machine
    assert alpha.get("/config").status_code == 200
    assert alpha.get("/config").status_code == 429
    assert bravo.get("/config").status_code == 200


def _valkey_calls() -> dict[str, int]:
    """How many times Valkey has run each command so far."""
    import redis
    from django.conf import settings as live

    stats = redis.Redis.from_url(live.WIDGET_RATELIMIT_REDIS_URL).info("commandstats")
    return {name.removeprefix("cmdstat_"): int(value["calls"]) for name, value in stats.items()}


def test_a_message_costs_two_valkey_round_trips(alpha: WidgetSetup) -> None:
    """Issue 17: routing reads the config versions once (MGET), and one script call takes the network,
    visitor and bot buckets and reads the client's config version (was three EVALSHA and two MGET)."""
    assert alpha.send("hi").status_code == 200  # the script is loaded, the caches warm
    before = _valkey_calls()
    assert alpha.send("hi").status_code == 200
    after = _valkey_calls()
    spent = {name: after[name] - before.get(name, 0) for name in after if after[name] != before.get(name, 0)}
    # Valkey also counts the commands the script runs, and the probe's own connection's handshake.
    inside_script = {"time", "hmget", "hset", "expire", "get"}
    probe = {"info", "hello", "select", "client|setinfo"}
    assert {k: v for k, v in spent.items() if k not in inside_script | probe} == {"mget": 1, "evalsha": 1}, spent
    assert spent["hset"] == 3  # the three buckets


@pytest.mark.parametrize("backend", ["redis", "local"])
def test_a_refusing_bucket_leaves_the_buckets_after_it_alone(backend: str, settings: Any,
                                                            local_buckets: None) -> None:
    """The buckets are taken in order and the first empty one refuses: the ones after it keep their
    tokens (a visitor over its limit does not use up its bot's), in Valkey and in process alike."""
    from widget.ratelimit import Limit, rate_limit_take_all

    if backend == "local":
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            settings.WIDGET_RATELIMIT_REDIS_URL = f"redis://127.0.0.1:{probe.getsockname()[1]}/0"
    settings.WIDGET_RATELIMIT_KEY_PREFIX = f"order-{uuid.uuid4().hex}:"  # fresh buckets
    first, second, third = Limit("first", 1, 5), Limit("second", 1, 1), Limit("third", 1, 2)
    buckets = [("a", first), ("b", second), ("c", third)]
    decision = rate_limit_take_all(buckets)
    assert (decision.allowed, decision.backend) == (True, backend)
    refused = rate_limit_take_all(buckets)
    assert (refused.allowed, refused.limit, refused.retry_after, refused.backend) == (False, "second", 60, backend)
    # "first" paid for both calls (5 → 3), "third" only for the first one (2 → 1): one more call each.
    assert rate_limit_take_all([("c", third)]).allowed
    assert not rate_limit_take_all([("c", third)]).allowed
    assert [rate_limit_take_all([("a", first)]).allowed for _ in range(4)] == [True, True, True, False]


def test_redis_unreachable_falls_back_to_in_process_buckets(
    alpha: WidgetSetup, settings: Any, local_buckets: None, caplog: pytest.LogCaptureFixture
) -> None:
    """Policy (docs/decisions/0010): chat keeps working, and the same limits hold per process."""
    from widget.ratelimit import rate_limit_take, visitor_limit

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    settings.WIDGET_RATELIMIT_REDIS_URL = f"redis://127.0.0.1:{closed_port}/0"
    settings.WIDGET_RATE_VISITOR_BURST = 2
    settings.WIDGET_RATE_VISITOR_PER_MINUTE = 1

    with caplog.at_level(logging.WARNING, logger="shoreline.widget.ratelimit"):
        assert [alpha.send("hi").status_code for _ in range(2)] == [200, 200]
        before = row_counts(alpha.client)
        response = alpha.send("hi")
    _refused(response, 429, "rate_limited")
    # One token a minute; a slow second reply (busy machine) has already refilled a sliver of it.
    assert response.headers["Retry-After"] in ("59", "60")
    assert row_counts(alpha.client) == before
    assert "Rate limiter cannot reach Redis; using in-process buckets until it is back." in caplog.messages
    decision = rate_limit_take("probe", visitor_limit())
    assert (decision.allowed, decision.backend) == (True, "local")


def test_redis_back_again_is_used_again(alpha: WidgetSetup, settings: Any, local_buckets: None) -> None:
    from django.conf import settings as live

    from widget import ratelimit

    working = live.WIDGET_RATELIMIT_REDIS_URL
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    settings.WIDGET_RATELIMIT_REDIS_URL = f"redis://127.0.0.1:{closed_port}/0"
    assert ratelimit.rate_limit_take("again", ratelimit.visitor_limit()).backend == "local"
    settings.WIDGET_RATELIMIT_REDIS_URL = working
    # Within the back-off window Redis is left alone; after it, it is used again.
    assert ratelimit.rate_limit_take("again", ratelimit.visitor_limit()).backend == "local"
    ratelimit._redis_down_until = 0.0
    assert ratelimit.rate_limit_take("again", ratelimit.visitor_limit()).backend == "redis"


# --- input limits ----------------------------------------------------------------------------------------

def test_oversized_body_is_413_before_it_is_parsed(alpha: WidgetSetup, settings: Any) -> None:
    big = json.dumps({"visitor_id": VISITOR, "text": "x" * settings.WIDGET_MAX_BODY_BYTES})
    body = _refused(alpha.post("/messages", big), 413, "body_too_large")
    assert body["detail"] == "The request body is over 16384 bytes."
    # Not even valid JSON is needed to be refused for size.
    _refused(alpha.post("/messages", "{" * (settings.WIDGET_MAX_BODY_BYTES + 1)), 413, "body_too_large")
    assert row_counts(alpha.client) == NOTHING


def test_message_too_long_is_422_naming_the_field(alpha: WidgetSetup) -> None:
    body = _refused(alpha.send("x" * 2001), 422, "invalid_request")
    assert body["detail"] == [{"field": "text", "problem": "String should have at most 2000 characters"}]
    assert alpha.send("x" * 2000).status_code == 200


def test_malformed_json_is_400(alpha: WidgetSetup) -> None:
    for raw in ["{bad json", '{"visitor_id": "visitor_0123456789abcdef", "text": "hi"', "\x00\x01"]:
        response = alpha.post("/messages", raw)
        body = _refused(response, 400, "malformed_json")
        assert body["detail"] == "The request body is not valid JSON."
        assert response.headers["Access-Control-Allow-Origin"] == alpha.origin
    assert row_counts(alpha.client) == NOTHING


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        ({"visitor_id": VISITOR, "text": 42}, [{"field": "text", "problem": "Input should be a valid string"}]),
        ({"visitor_id": VISITOR, "text": "hi", "admin": True},
         [{"field": "admin", "problem": "Extra inputs are not permitted"}]),
        ({"visitor_id": "short", "text": "hi"},
         [{"field": "visitor_id", "problem": "String should match pattern '^[A-Za-z0-9_-]{16,64}$'"}]),
        ({"visitor_id": "visitor_0123456789abcdef'; drop", "text": "hi"},
         [{"field": "visitor_id", "problem": "String should match pattern '^[A-Za-z0-9_-]{16,64}$'"}]),
        ({"visitor_id": "v" * 65, "text": "hi"},
         [{"field": "visitor_id", "problem": "String should match pattern '^[A-Za-z0-9_-]{16,64}$'"}]),
        ({"visitor_id": VISITOR, "text": "   "}, [{"field": "text", "problem": "String should have at least 1 character"}]),
        ({"visitor_id": VISITOR}, [{"field": "text", "problem": "Field required"}]),
        ({"visitor_id": VISITOR, "text": "hi", "conversation_id": "nope"},
         [{"field": "conversation_id", "problem": "Input should be a valid UUID, invalid character: found `n` at 0"}]),
        ([1, 2], [{"field": "body", "problem": "Input should be a valid dictionary or object to extract fields from"}]),
        ("", [{"field": "body", "problem": "A JSON object body is required."}]),
    ],
)
def test_wrong_types_unknown_fields_and_bad_ids_are_422(alpha: WidgetSetup, payload: Any, expected: list[Any]) -> None:
    body = _refused(alpha.post("/messages", payload), 422, "invalid_request")
    assert body["detail"] == expected
    assert row_counts(alpha.client) == NOTHING


@pytest.mark.parametrize(
    ("path", "payload", "field"),
    [
        ("/sessions", {"visitor_id": VISITOR, "page_url": 3}, "page_url"),
        ("/events/booking-click", {"visitor_id": VISITOR, "extra": 1}, "extra"),
        ("/feedback", {"visitor_id": VISITOR, "message_id": 1, "value": "meh"}, "value"),
        ("/feedback", {"visitor_id": VISITOR, "message_id": "one", "value": "up"}, "message_id"),
        ("/events/load", {"page_url": "x" * 2001}, "page_url"),
    ],
)
def test_every_operation_validates_strictly(alpha: WidgetSetup, path: str, payload: Any, field: str) -> None:
    body = _refused(alpha.post(path, payload), 422, "invalid_request")
    assert [problem["field"] for problem in body["detail"]] == [field]
    assert row_counts(alpha.client) == NOTHING


def test_an_unknown_conversation_is_404_and_creates_no_visitor(alpha: WidgetSetup) -> None:
    body = _refused(alpha.send("hi", conversation_id="6b1f8a47-1111-4111-8111-111111111111"), 404,
                    "conversation_not_found")
    assert body["detail"] == "This conversation does not exist for this visitor."
    _refused(alpha.post("/events/booking-click", {"visitor_id": VISITOR,
                                                  "conversation_id": "6b1f8a47-1111-4111-8111-111111111111"}),
             404, "conversation_not_found")
    _refused(alpha.post("/feedback", {"visitor_id": VISITOR, "message_id": 99, "value": "up"}), 404,
             "message_not_found")
    assert row_counts(alpha.client) == NOTHING


# --- CX-6: paused and over-limit bots ------------------------------------------------------------------

def _set_status(alpha: WidgetSetup, status: str) -> None:
    from tenants.bots.selectors import bot_get
    from tenants.bots.services import bot_set_status

    with alpha.schema():
        bot_set_status(bot=bot_get(bot_id=alpha.bot_id), status=status, reason="test")  # type: ignore[arg-type]


@pytest.mark.parametrize("status", ["paused", "over_limit"])
def test_unavailable_bot_answers_its_fixed_message_without_a_model_call(
    alpha: WidgetSetup, counting_provider: CountingProvider, status: str
) -> None:
    from tenants.bots.selectors import bot_get, bot_published_config
    from tenants.conversations.models import Event, Message

    with alpha.schema():
        config = bot_published_config(bot_get(bot_id=alpha.bot_id))  # type: ignore[arg-type]
    message = config.paused_message if status == "paused" else config.over_limit_message
    assert message.startswith("Our chat is taking a break.")  # the restaurant pack's wording
    if status == "over_limit":
        # Over limit means a pause plan's quota is used up (otherwise the next message lifts it).
        from controlplane.billing.metering import current_period
        from controlplane.billing.models import Plan, UsagePeriod

        starter = Plan.objects.get(key="starter")
        alpha.client.plan = starter
        alpha.client.save(update_fields=["plan"])
        UsagePeriod.objects.update_or_create(client=alpha.client, period=current_period(),
                                             defaults={"messages": starter.monthly_message_quota})
    _set_status(alpha, status)
    usage_before = public_usage(alpha.client)
    assert alpha.get("/config").json()["status"] == status

    response = alpha.send("Do you deliver? Call me on 415-555-0133")
    assert response.status_code == 200
    body = response.json()
    assert (body["reply"], body["answered_by"], body["is_fallback"], body["lead_captured"]) == (
        message, status, False, False)
    assert counting_provider.calls == 0

    with alpha.schema():
        rows = list(Message.objects.order_by("id").values_list("role", "text", "answered_by", "model_name"))
        assert rows == [("visitor", "Do you deliver? Call me on 415-555-0133", "", ""), ("bot", message, status, "")]
        events = list(Event.objects.values_list("kind", "data__answered_by"))
        assert events == [("message", status)]
    counts = row_counts(alpha.client)
    assert (counts["Lead"], counts["ReviewItem"], counts["Conversation"]) == (0, 0, 1)
    # The fixed message is not a metered bot reply.
    assert public_usage(alpha.client) == usage_before

    stream = alpha.post("/messages/stream", {"visitor_id": VISITOR, "text": "hello?"})
    assert stream.status_code == 200
    text = b"".join(stream.streaming_content).decode()
    assert json.loads(text.split("event: done\ndata: ")[1])["answered_by"] == status
    assert counting_provider.calls == 0


def test_needs_update_bot_still_answers(alpha_faqs: WidgetSetup) -> None:
    """Only paused and over_limit short-circuit; needs_update is an agency to-do, not an outage."""
    _set_status(alpha_faqs, "needs_update")
    assert alpha_faqs.send("Do you deliver?").json()["answered_by"] == "approved_faq"
