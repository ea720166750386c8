"""Prometheus metrics: one registry of names, read by /metrics (and by anything else that wants them).

Counters and histograms are updated where the work happens (request middleware, the model provider
wrapper, Celery signals). Gauges that describe the outside world — queue depth, worker heartbeats,
outbox backlog — are computed when /metrics is scraped, by `PlatformCollector`.

With gunicorn's several worker processes set PROMETHEUS_MULTIPROC_DIR (the image does): every
process then writes its samples there and a scrape of any one process sums them all.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

if TYPE_CHECKING:
    import redis

_LATENCY_BUCKETS = (0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 15.0, 30.0)

HTTP_REQUESTS = Counter("shoreline_http_requests", "HTTP requests answered, by route pattern and status.",
                        ["method", "route", "status"])
HTTP_SECONDS = Histogram("shoreline_http_request_duration_seconds", "Time to answer an HTTP request.",
                         ["route"], buckets=_LATENCY_BUCKETS)
WIDGET_SECONDS = Histogram("shoreline_widget_request_duration_seconds",
                           "Time to answer a widget API call (visitor-facing latency).", ["endpoint"],
                           buckets=_LATENCY_BUCKETS)
MODEL_SECONDS = Histogram("shoreline_model_call_duration_seconds", "Time spent in one answer from the model.",
                          ["model"], buckets=_LATENCY_BUCKETS)
MODEL_ERRORS = Counter("shoreline_model_errors", "Model calls that failed (the visitor got the fallback).",
                       ["model", "error"])
MODEL_TOKENS = Counter("shoreline_model_tokens", "Tokens sent to and received from the model.",
                       ["model", "direction"])
TASKS = Counter("shoreline_celery_tasks", "Celery tasks finished, by task and outcome.", ["task", "state"])

QUEUES = ("interactive", "knowledge", "analytics", "notifications")  # = settings.SHORELINE_CELERY_QUEUES
WORKER_HEARTBEAT_PREFIX = "shoreline:worker-heartbeat:"
WORKER_HEARTBEAT_TTL_S = 60

# name -> callable returning how many items wait in that outbox. Nothing registers one yet: when an
# outbox table lands (webhooks, notifications), its app calls register_outbox(...) in ready().
_OUTBOXES: dict[str, Callable[[], int]] = {}


def register_outbox(name: str, backlog: Callable[[], int]) -> None:
    """Expose `shoreline_outbox_backlog{outbox=name}`: the rows of that outbox not yet delivered."""
    _OUTBOXES[name] = backlog


def _broker() -> redis.Redis:
    import redis
    from django.conf import settings

    return redis.Redis.from_url(settings.CELERY_BROKER_URL, socket_connect_timeout=0.5, socket_timeout=0.5)


class PlatformCollector(Collector):
    """Gauges read at scrape time. A broker that does not answer yields `shoreline_broker_up 0`."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        up = GaugeMetricFamily("shoreline_broker_up", "1 when the broker answered this scrape.")
        depth = GaugeMetricFamily("shoreline_celery_queue_depth", "Messages waiting in a Celery queue.",
                                  labels=["queue"])
        age = GaugeMetricFamily("shoreline_worker_heartbeat_age_seconds",
                                "Seconds since each live Celery worker last wrote its heartbeat.", labels=["worker"])
        alive = GaugeMetricFamily("shoreline_workers_alive",
                                  f"Workers whose heartbeat is younger than {WORKER_HEARTBEAT_TTL_S} s.")
        try:
            client = _broker()
            pipe = client.pipeline()
            for queue in QUEUES:
                pipe.llen(queue)
            lengths = pipe.execute()
            beats = {}
            for key in client.scan_iter(match=f"{WORKER_HEARTBEAT_PREFIX}*", count=500):
                value = client.get(key)
                if value is not None:
                    beats[key.decode()[len(WORKER_HEARTBEAT_PREFIX):]] = float(value)
        except Exception:  # noqa: BLE001 — a scrape must still answer when the broker is down
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        for queue, length in zip(QUEUES, lengths, strict=True):
            depth.add_metric([queue], int(length))
        now = time.time()
        for worker, stamp in sorted(beats.items()):
            age.add_metric([worker], max(0.0, now - stamp))
        alive.add_metric([], len(beats))
        yield from (up, depth, age, alive)
        if _OUTBOXES:
            backlog = GaugeMetricFamily("shoreline_outbox_backlog", "Outbox rows not yet delivered.",
                                        labels=["outbox"])
            for name, count in sorted(_OUTBOXES.items()):
                backlog.add_metric([name], count())
            yield backlog


def render_metrics(multiprocess_dir: str | None) -> bytes:
    """The text exposition of every metric (all gunicorn processes' when multiprocess_dir is set)."""
    from prometheus_client import REGISTRY

    if multiprocess_dir:
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry, path=multiprocess_dir)
    else:
        registry = REGISTRY
    platform = CollectorRegistry()
    platform.register(PlatformCollector())
    return generate_latest(registry) + generate_latest(platform)


def worker_heartbeat_write(worker: str) -> None:
    """Called every few seconds by each Celery worker (config.celery): its liveness, in the broker."""
    _broker().set(f"{WORKER_HEARTBEAT_PREFIX}{worker}", str(time.time()), ex=WORKER_HEARTBEAT_TTL_S)
