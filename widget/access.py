"""Who is calling the widget API: token → client + bot, origin allowlist, rate limits, schema.

This is the one entry point where a widget request enters a client's schema.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest
from django_tenants.utils import tenant_context
from ninja.errors import HttpError
from ninja.security import HttpBearer

from controlplane.clients.models import Client
from controlplane.clients.selectors import public_origin
from controlplane.core.config_versions import (
    PUBLIC,
    VersionedCache,
    version_keys,
    versions_from,
    versions_get,
)
from controlplane.core.tenancy import request_public_version
from controlplane.widgets.models import WidgetToken
from controlplane.widgets.origins import origin_allowed, origin_from_referer
from controlplane.widgets.selectors import allowed_origins_for
from controlplane.widgets.services import widget_token_resolve
from tenants.bots.config import BotConfig
from tenants.bots.models import Bot
from tenants.bots.selectors import bot_get, bot_published_config
from widget.client_ip import client_ip
from widget.ratelimit import Decision, bot_limit, ip_limit, rate_limit_take_and_read, visitor_limit
from widget.visitor_token import VISITOR_HEADER, visitor_token_valid

EMBED_ORIGIN_HEADER = "X-Shoreline-Embed-Origin"


class WidgetError(HttpError):
    """An HttpError with a stable machine-readable code next to the sentence."""

    def __init__(self, status_code: int, code: str, message: str, retry_after: int | None = None) -> None:
        super().__init__(status_code, message)
        self.code = code
        self.retry_after = retry_after


@dataclass(frozen=True)
class WidgetCaller:
    client: Client
    bot_id: int
    token: WidgetToken | None
    origin: str


@dataclass(frozen=True)
class _Resolved:
    """What one widget token resolves to, as cached per process: the token (with its client) and
    its bot's allowlist."""

    token: WidgetToken
    allowlist: tuple[str, ...]


# Per-process caches of the hot path, valid while their scope's version in Valkey is unchanged
# (controlplane/core/config_versions.py): a revoked or rotated token, a removed origin or an approved
# configuration is seen by every process on its next request.
_TOKENS = VersionedCache()
_BOTS = VersionedCache()


def widget_caches_clear() -> None:
    from controlplane.core.config_versions import config_versions_reset
    from controlplane.core.tenancy import public_hosts_cache_clear

    config_versions_reset()
    _TOKENS.clear()
    _BOTS.clear()
    public_hosts_cache_clear()


class WidgetTokenAuth(HttpBearer):
    """Runs before the body is parsed, for every operation, in this order:

    body size (413) → token (SEC-1, 401) → origin allowlist (SEC-2, 403).

    So an oversized body is refused unread, and a malformed body from a site that is not
    allowed gets 403 rather than a helpful 4xx. `Authorization: Bearer shl_…`; anonymous use
    only with DEBUG *and* WIDGET_ALLOW_ANONYMOUS.
    """

    openapi_description = "The bot's widget token, from its embed snippet."

    def __call__(self, request: HttpRequest) -> WidgetCaller | None:
        """The caller ninja stores as `request.auth` (read it with `request_caller`)."""
        _refuse_oversized(request)
        if not request.headers.get("Authorization") and settings.DEBUG and settings.WIDGET_ALLOW_ANONYMOUS:
            token = _anonymous_dev_caller(request)
        else:
            token = super().__call__(request)
        if token is None:
            return None  # no bearer token at all: ninja answers 401 token_required
        if isinstance(token, _Resolved):
            return widget_caller(request, token.token, allowlist=list(token.allowlist))
        return widget_caller(request, token)

    def authenticate(self, request: HttpRequest, token: str) -> _Resolved | None:
        key = hashlib.sha256(token.encode()).digest()
        # The `public` version this request's routing read a moment ago (issue 17: no second read).
        public_version = request_public_version(request)
        if public_version is None:
            versions = versions_get(PUBLIC)
            public_version = versions[0] if versions else None
        cached = _TOKENS.get(key, public_version)
        if isinstance(cached, _Resolved):
            return cached
        row = widget_token_resolve(token)
        if row is None:
            raise WidgetError(401, "invalid_token", "The widget token is unknown or revoked.")
        resolved = _Resolved(token=row, allowlist=tuple(allowed_origins_for(client_id=row.client_id,
                                                                            bot_id=row.bot_id)))
        _TOKENS.put(key, public_version, resolved)
        return resolved


def _refuse_oversized(request: HttpRequest) -> None:
    limit = settings.WIDGET_MAX_BODY_BYTES
    try:
        declared = int(request.headers.get("Content-Length") or 0)
    except ValueError:
        declared = 0
    # A chunked body declares no length: measure it (Django caps what it reads at
    # DATA_UPLOAD_MAX_MEMORY_SIZE, so this read is bounded too).
    if declared > limit or (not declared and request.method == "POST" and len(request.body) > limit):
        raise WidgetError(413, "body_too_large", f"The request body is over {limit} bytes.")


def _anonymous_dev_caller(request: HttpRequest) -> WidgetToken | None:
    """Development only: the first active token of the client named by ?client=<slug>."""
    slug = request.GET.get("client", "")
    token = WidgetToken.objects.select_related("client").filter(client__slug=slug, revoked_at__isnull=True).first()
    if token is None:
        raise WidgetError(401, "invalid_token", "Anonymous development use needs ?client=<slug> of a client "
                                                "with a widget token.")
    return token


def own_origins() -> set[str]:
    return {public_origin(), *settings.WIDGET_EXTRA_OWN_ORIGINS}


def caller_origin(request: HttpRequest) -> str | None:
    return request.headers.get("Origin") or origin_from_referer(request.headers.get("Referer"))


def widget_caller(request: HttpRequest, token: WidgetToken, *, allowlist: list[str] | None = None) -> WidgetCaller:
    """SEC-2: the calling page must be on the bot's allowlist (an empty allowlist denies).

    Calls from our own chat iframe carry the embedding page's origin in a header; the
    browser has already enforced the iframe's frame-ancestors against the same allowlist
    (docs/decisions/0009-widget-origin-model.md).
    """
    if allowlist is None:
        allowlist = allowed_origins_for(client_id=token.client_id, bot_id=token.bot_id)
    origin = caller_origin(request)
    effective = origin
    if origin in own_origins():
        effective = request.headers.get(EMBED_ORIGIN_HEADER)
    if not origin_allowed(effective, allowlist):
        raise WidgetError(403, "origin_not_allowed",
                          "This website is not allowed to use this chat widget." if allowlist else
                          "This chat widget has no allowed websites yet.")
    if origin and origin not in own_origins():
        request.widget_cors_origin = origin  # type: ignore[attr-defined]
    return WidgetCaller(client=token.client, bot_id=token.bot_id, token=token, origin=effective or "")


def _refuse_if_limited(decision: Decision) -> None:
    if not decision.allowed:
        raise WidgetError(429, "rate_limited",
                          f"Too many messages ({decision.limit} limit). Try again in {decision.retry_after} s.",
                          retry_after=decision.retry_after)


def visitor_scope(caller: WidgetCaller) -> str:
    """What a signed visitor token is bound to: one bot of one client."""
    return f"{caller.client.schema_name}:{caller.bot_id}"


def rate_limit_check(request: HttpRequest, caller: WidgetCaller, visitor_key: str | None) -> bytes | None:
    """SEC-6: the network address's bucket, the visitor's, then the bot's.

    The visitor bucket is the signed visitor's (X-Shoreline-Visitor from /sessions); a call naming a
    visitor it holds no valid token for shares one visitor-sized bucket with every such call from its
    address, so a script sending fresh visitor ids stays in one bucket.

    One Valkey round trip for the three buckets, which also reads the client schema's config version
    (returned: None when Valkey did not answer; issue 17).
    """
    scope = visitor_scope(caller)
    ip = client_ip(request)
    buckets = [(f"{scope}:ip:{ip}", ip_limit())]
    if visitor_key:
        signed = visitor_token_valid(request.headers.get(VISITOR_HEADER), scope=scope, visitor_id=visitor_key)
        bucket = f"v:{visitor_key}" if signed else f"unsigned:{ip}"
        buckets.append((f"{scope}:{bucket}", visitor_limit()))
    buckets.append((scope, bot_limit()))
    decision, values = rate_limit_take_and_read(buckets, version_keys(caller.client.schema_name))
    _refuse_if_limited(decision)
    return versions_from(values)[0] if values else None


@contextmanager
def client_schema(caller: WidgetCaller) -> Iterator[None]:
    with tenant_context(caller.client):
        yield


def request_caller(request: HttpRequest) -> WidgetCaller:
    """The caller WidgetTokenAuth authenticated (ninja keeps it as `request.auth`)."""
    caller = getattr(request, "auth", None)
    if not isinstance(caller, WidgetCaller):  # only reachable on a route mounted without WidgetTokenAuth
        raise WidgetError(401, "token_required", "A widget token is required: Authorization: Bearer <token>.")
    return caller


@dataclass(frozen=True)
class WidgetCall:
    """One authenticated, rate-limited widget call inside its client's schema: who (client, origin),
    which bot, and which visitor (None for calls that name none)."""

    caller: WidgetCaller
    bot: Bot
    visitor_id: str | None
    config: BotConfig

    @property
    def client(self) -> Client:
        return self.caller.client


@contextmanager
def widget_call(request: HttpRequest, visitor_id: str | None) -> Iterator[WidgetCall]:
    """Every operation, once its body is valid: the rate limits (SEC-6), then the client's schema
    with the widget's bot loaded (404 bot_not_found when it was deleted).

    Body size, token and origin were checked by WidgetTokenAuth before the body was parsed.
    """
    caller = request_caller(request)
    version = rate_limit_check(request, caller, visitor_id)
    with client_schema(caller):
        bot, config = caller_bot_and_config(caller, version)
        yield WidgetCall(caller=caller, bot=bot, visitor_id=visitor_id, config=config)


def caller_bot_and_config(caller: WidgetCaller, version: bytes | None = None) -> tuple[Bot, BotConfig]:
    """The widget's bot and its parsed published configuration, cached per process under the client
    schema's config version (bumped when a bot or a configuration version changes); `version` is that
    version when the caller has just read it, else it is read here."""
    schema = caller.client.schema_name
    if version is None:
        versions = versions_get(schema)
        version = versions[0] if versions else None
    key = (schema, caller.bot_id)
    cached = _BOTS.get(key, version)
    if cached is not None:
        return cached  # type: ignore[return-value]
    bot = bot_get(bot_id=caller.bot_id)
    if bot is None:
        raise WidgetError(404, "bot_not_found", "This widget's bot no longer exists.")
    loaded = (bot, bot_published_config(bot))
    _BOTS.put(key, version, loaded)
    return loaded
