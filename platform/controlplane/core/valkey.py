"""The hot path's Valkey (Redis-protocol) client: one pooled connection per URL and process, with
short timeouts so a slow or absent server costs a request at most a quarter second (the callers fall
back: rate limits to per-process buckets, config versions to reading the database)."""

from __future__ import annotations

from functools import lru_cache

import redis


@lru_cache(maxsize=4)
def hot_path_valkey(url: str) -> redis.Redis:
    return redis.Redis.from_url(url, socket_connect_timeout=0.25, socket_timeout=0.25)
