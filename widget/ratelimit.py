"""SEC-6: token-bucket rate limits kept in Redis, per bot and per visitor.

Policy when Redis is unreachable (docs/decisions/0010-rate-limit-fallback.md): fall back to an
in-process token bucket with the same parameters. Limits stay in force per web process —
looser by the number of processes, never off — and chat keeps working for real visitors.
After a failure Redis is not tried again for REDIS_RETRY_SECONDS, so an unreachable server
costs one connect timeout per process every few seconds, not one per request.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from dataclasses import dataclass

import redis
from django.conf import settings

from controlplane.core.valkey import hot_path_valkey

log = logging.getLogger("shoreline.widget.ratelimit")

_LUA = """
local key = KEYS[1]
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local state = redis.call('HMGET', key, 'tokens', 'ts')
local tokens = tonumber(state[1]) or burst
local ts = tonumber(state[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - ts) * rate)
local allowed = 0
local retry = 0
if tokens >= 1 then
  tokens = tokens - 1
  allowed = 1
else
  retry = (1 - tokens) / rate
end
redis.call('HSET', key, 'tokens', tostring(tokens), 'ts', tostring(now))
redis.call('EXPIRE', key, math.ceil(burst / rate) + 1)
return {allowed, tostring(retry)}
"""


@dataclass(frozen=True)
class Limit:
    name: str
    per_minute: float
    burst: int

    @property
    def rate_per_second(self) -> float:
        return self.per_minute / 60.0


@dataclass(frozen=True)
class Decision:
    allowed: bool
    retry_after: int  # whole seconds, >= 1 when refused
    limit: str
    backend: str  # "redis" or "local"


class _LocalBuckets:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._state: dict[str, tuple[float, float]] = {}

    def take(self, key: str, limit: Limit) -> tuple[bool, float]:
        now = time.monotonic()
        with self._lock:
            tokens, ts = self._state.get(key, (float(limit.burst), now))
            tokens = min(limit.burst, tokens + max(0.0, now - ts) * limit.rate_per_second)
            if tokens >= 1:
                self._state[key] = (tokens - 1, now)
                return True, 0.0
            self._state[key] = (tokens, now)
            if len(self._state) > 50_000:  # bounded memory under attack: forget the oldest half
                for old in list(self._state)[:25_000]:
                    self._state.pop(old, None)
            return False, (1 - tokens) / limit.rate_per_second


_local = _LocalBuckets()
_last_warning = 0.0
REDIS_RETRY_SECONDS = 5.0
_redis_down_until = 0.0




def _script(url: str):  # type: ignore[no-untyped-def]
    return hot_path_valkey(url).register_script(_LUA)


def _redis_take(key: str, limit: Limit) -> tuple[bool, float] | None:
    """The shared bucket, or None when Redis cannot answer (then it is left alone for a while)."""
    global _last_warning, _redis_down_until
    if time.monotonic() < _redis_down_until:
        return None
    try:
        allowed, retry = _script(settings.WIDGET_RATELIMIT_REDIS_URL)(
            keys=[f"{settings.WIDGET_RATELIMIT_KEY_PREFIX}rl:{limit.name}:{key}"],
            args=[limit.rate_per_second, limit.burst],
        )
    except redis.RedisError:
        _redis_down_until = time.monotonic() + REDIS_RETRY_SECONDS
        if time.monotonic() - _last_warning > 60:
            _last_warning = time.monotonic()
            log.warning("Rate limiter cannot reach Redis; using in-process buckets until it is back.")
        return None
    return bool(int(allowed)), float(retry)


def rate_limit_reset_local() -> None:
    """Forget the in-process buckets and the Redis back-off (tests, and after a config change)."""
    global _local, _redis_down_until
    _local = _LocalBuckets()
    _redis_down_until = 0.0


def rate_limit_take(key: str, limit: Limit) -> Decision:
    shared = _redis_take(key, limit)
    if shared is not None:
        (allowed, retry), backend = shared, "redis"
    else:
        (allowed, retry), backend = _local.take(f"{limit.name}:{key}", limit), "local"
    return Decision(allowed=allowed, retry_after=max(1, math.ceil(retry)) if not allowed else 0,
                    limit=limit.name, backend=backend)


def bot_limit() -> Limit:
    return Limit("bot", settings.WIDGET_RATE_BOT_PER_MINUTE, settings.WIDGET_RATE_BOT_BURST)


def visitor_limit() -> Limit:
    return Limit("visitor", settings.WIDGET_RATE_VISITOR_PER_MINUTE, settings.WIDGET_RATE_VISITOR_BURST)


def ip_limit() -> Limit:
    return Limit("network", settings.WIDGET_RATE_IP_PER_MINUTE, settings.WIDGET_RATE_IP_BURST)
