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
from collections.abc import Sequence
from dataclasses import dataclass

import redis
from django.conf import settings

from controlplane.core.valkey import hot_path_valkey

log = logging.getLogger("shoreline.widget.ratelimit")

# Takes one token from each of the first ARGV[1] keys in order (bucket i: rate ARGV[2i], burst
# ARGV[2i+1]) and stops at the first bucket that has none: returns that bucket's index (0 when all
# allowed) and retry time, then the values of the remaining KEYS (read for the caller in the same round
# trip). One round trip for all the buckets of a call (issue 17: was one per bucket), same order and effects.
_LUA = """
local n = tonumber(ARGV[1])
local result = {0, "0"}
for j = n + 1, #KEYS do
  result[#result + 1] = redis.call('GET', KEYS[j]) or false
end
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
for i = 1, n do
  local key = KEYS[i]
  local rate = tonumber(ARGV[2 * i])
  local burst = tonumber(ARGV[2 * i + 1])
  local state = redis.call('HMGET', key, 'tokens', 'ts')
  local tokens = tonumber(state[1]) or burst
  local ts = tonumber(state[2]) or now
  tokens = math.min(burst, tokens + math.max(0, now - ts) * rate)
  local allowed = tokens >= 1
  if allowed then
    tokens = tokens - 1
  end
  redis.call('HSET', key, 'tokens', tostring(tokens), 'ts', tostring(now))
  redis.call('EXPIRE', key, math.ceil(burst / rate) + 1)
  if not allowed then
    result[1] = i
    result[2] = tostring((1 - tokens) / rate)
    return result
  end
end
return result
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


def _redis_take(buckets: Sequence[tuple[str, Limit]],
                reads: Sequence[str] = ()) -> tuple[int, float, list[object]] | None:
    """The shared buckets: (1-based index of the first refusing bucket or 0, its retry time, the values
    of `reads`), or None when Redis cannot answer (then it is left alone for a while)."""
    global _last_warning, _redis_down_until
    if time.monotonic() < _redis_down_until:
        return None
    prefix = settings.WIDGET_RATELIMIT_KEY_PREFIX
    try:
        refused, retry, *values = _script(settings.WIDGET_RATELIMIT_REDIS_URL)(
            keys=[*(f"{prefix}rl:{limit.name}:{key}" for key, limit in buckets), *reads],
            args=[len(buckets), *(arg for _, limit in buckets for arg in (limit.rate_per_second, limit.burst))],
        )
    except redis.RedisError:
        _redis_down_until = time.monotonic() + REDIS_RETRY_SECONDS
        if time.monotonic() - _last_warning > 60:
            _last_warning = time.monotonic()
            log.warning("Rate limiter cannot reach Redis; using in-process buckets until it is back.")
        return None
    return int(refused), float(retry), values


def _local_take(buckets: Sequence[tuple[str, Limit]]) -> tuple[int, float]:
    for index, (key, limit) in enumerate(buckets, start=1):
        allowed, retry = _local.take(f"{limit.name}:{key}", limit)
        if not allowed:
            return index, retry
    return 0, 0.0


def rate_limit_reset_local() -> None:
    """Forget the in-process buckets, the Redis back-off and its warning's timer (tests, and after a
    config change)."""
    global _local, _redis_down_until, _last_warning
    _local = _LocalBuckets()
    _redis_down_until = 0.0
    _last_warning = 0.0


def rate_limit_take(key: str, limit: Limit) -> Decision:
    return rate_limit_take_all([(key, limit)])


def rate_limit_take_all(buckets: Sequence[tuple[str, Limit]]) -> Decision:
    """A token from each bucket in order, stopping at the first that has none (whose limit the
    refusal names); the buckets after it are not touched. Allowed: the last bucket's name."""
    return rate_limit_take_and_read(buckets)[0]


def rate_limit_take_and_read(buckets: Sequence[tuple[str, Limit]],
                             reads: Sequence[str] = ()) -> tuple[Decision, list[object] | None]:
    """`rate_limit_take_all`, also reading the Valkey keys `reads` in the same round trip (their values,
    or None when Valkey could not answer and the in-process buckets decided)."""
    shared = _redis_take(buckets, reads)
    values: list[object] | None = None
    if shared is not None:
        refused, retry, values = shared
        backend = "redis"
    else:
        (refused, retry), backend = _local_take(buckets), "local"
    limit = buckets[refused - 1][1] if refused else buckets[-1][1]
    return Decision(allowed=not refused, retry_after=max(1, math.ceil(retry)) if refused else 0,
                    limit=limit.name, backend=backend), values


def bot_limit() -> Limit:
    return Limit("bot", settings.WIDGET_RATE_BOT_PER_MINUTE, settings.WIDGET_RATE_BOT_BURST)


def visitor_limit() -> Limit:
    return Limit("visitor", settings.WIDGET_RATE_VISITOR_PER_MINUTE, settings.WIDGET_RATE_VISITOR_BURST)


def ip_limit() -> Limit:
    return Limit("network", settings.WIDGET_RATE_IP_PER_MINUTE, settings.WIDGET_RATE_IP_BURST)
