"""Version counters in Valkey that let every web process cache configuration in memory (issue 17).

A process keeps what the hot path reads on every widget call — token → client, allowed origins, a
bot and its published configuration — in its own memory, each entry stamped with the version of its
scope it was loaded under. Each request reads the current versions (one MGET, no SQL) and uses an
entry only while its stamp still matches, so a change made by any process (a token revoked in the
portal, a configuration approved) takes effect on the very next request everywhere.

Scopes: `public` (widget tokens, allowed origins, clients) and one per client schema (its bots and
their published versions). Writers bump a scope when a row changes (model signals, so no service can
forget): once at once and once after commit. The second bump is what makes it safe: a reader that
loaded the old rows between the two stamps them with a version that is already stale.

When Valkey cannot answer, `versions_get` returns None and callers read the database (no caching),
so a broken cache never serves stale access rights; every entry also expires after MAX_AGE_SECONDS.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable

import redis
from django.conf import settings
from django.db import transaction

from controlplane.core.valkey import hot_path_valkey

log = logging.getLogger("shoreline.config_versions")

PUBLIC = "public"
MAX_AGE_SECONDS = 300.0
RETRY_SECONDS = 5.0
_down_until = 0.0




def _key(scope: str) -> str:
    return f"{settings.WIDGET_RATELIMIT_KEY_PREFIX}cfgv:{scope}"


def version_keys(*scopes: str) -> list[str]:
    """The Valkey keys of these scopes' versions (to read them in a round trip made for something else;
    decode the values with `versions_from`)."""
    return [_key(s) for s in scopes]


def versions_from(values: Iterable[object]) -> tuple[bytes, ...]:
    return tuple(v if isinstance(v, bytes) else b"0" if v is None else str(v).encode() for v in values)


def versions_get(*scopes: str) -> tuple[bytes, ...] | None:
    """The current version of each scope (b"0" for one never bumped), or None if Valkey is unreachable."""
    global _down_until
    if time.monotonic() < _down_until:
        return None
    try:
        values = hot_path_valkey(settings.WIDGET_RATELIMIT_REDIS_URL).mget([_key(s) for s in scopes])
    except redis.RedisError:
        _down_until = time.monotonic() + RETRY_SECONDS
        log.warning("Config versions unreachable in Valkey; reading configuration from the database.")
        return None
    return versions_from(values)


def config_versions_reset() -> None:
    """Forget the Valkey back-off (tests: one that points Valkey at a dead port must not leave the
    next ones running without caches)."""
    global _down_until
    _down_until = 0.0


def _bump_now(scope: str) -> None:
    global _down_until
    if time.monotonic() < _down_until:
        return  # readers skip the caches meanwhile too (versions_get returns None)
    try:
        hot_path_valkey(settings.WIDGET_RATELIMIT_REDIS_URL).incr(_key(scope))
    except redis.RedisError:
        # Readers fall back to the database while Valkey is unreachable, and entries expire anyway.
        _down_until = time.monotonic() + RETRY_SECONDS
        log.warning("Could not bump config version %s in Valkey.", scope)


def version_bump(scope: str) -> None:
    """Invalidate every process's cached entries of `scope`: now, and again once the change commits."""
    _bump_now(scope)
    transaction.on_commit(lambda: _bump_now(scope))


class VersionedCache:
    """A per-process map whose entries are valid while their scope's version is unchanged.

    Bounded (cleared when full), thread-safe enough for gthread workers: entries are immutable and
    dict get/set are atomic.
    """

    def __init__(self, max_entries: int = 20_000) -> None:
        self.max_entries = max_entries
        self._entries: dict[object, tuple[bytes, float, object]] = {}

    def get(self, key: object, version: bytes | None) -> object | None:
        if version is None:
            return None
        found = self._entries.get(key)
        if found is None or found[0] != version or time.monotonic() - found[1] > MAX_AGE_SECONDS:
            return None
        return found[2]

    def peek(self, key: object) -> object | None:
        """The entry whatever its version (to learn which scope to check before trusting it)."""
        found = self._entries.get(key)
        return None if found is None else found[2]

    def put(self, key: object, version: bytes | None, value: object) -> None:
        if version is None:
            return
        if len(self._entries) >= self.max_entries:
            self._entries = {}
        self._entries[key] = (version, time.monotonic(), value)

    def clear(self) -> None:
        self._entries = {}
