"""AX-7: the portal's live system figures, read from the very text /metrics serves.

`metrics_snapshot()` renders the Prometheus exposition with `render_metrics` (the function behind
/metrics: the multiprocess directory when PROMETHEUS_MULTIPROC_DIR is set, plus the scrape-time gauges
of queue depth and worker heartbeats) and parses it back, so the page can never disagree with what
Prometheus scrapes. Counters and histograms are cumulative; rates and percentiles need a window, so
each read also leaves its snapshot in the shared cache (Valkey) and compares itself with the newest
snapshot at least WINDOW_S old (docs/decisions/0033-live-metrics-and-token-costs.md).
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from django.conf import settings
from django.core.cache import cache
from prometheus_client.parser import text_string_to_metric_families

from controlplane.core.metrics import QUEUES, WORKER_HEARTBEAT_TTL_S, render_metrics

WINDOW_S = 60.0  # rates and percentiles are over about the last minute
KEEP_S = 600.0  # snapshots older than this are dropped from the cache
MIN_STEP_S = 2.0  # a poll closer than this to the last stored snapshot does not store another
CACHE_KEY = "portal:live-metrics:snapshots"


@dataclass
class Histogram:
    """Cumulative bucket counts summed over every label but `le` (upper bound in seconds → count)."""

    buckets: dict[float, float] = field(default_factory=dict)
    count: float = 0.0

    def add(self, le: float, value: float) -> None:
        self.buckets[le] = self.buckets.get(le, 0.0) + value

    def minus(self, earlier: Histogram) -> Histogram:
        return Histogram(buckets={le: v - earlier.buckets.get(le, 0.0) for le, v in self.buckets.items()},
                         count=self.count - earlier.count)


@dataclass
class Snapshot:
    at: float
    http_requests: float = 0.0
    http_errors: float = 0.0  # answers with a 5xx status
    widget: Histogram = field(default_factory=Histogram)
    model: Histogram = field(default_factory=Histogram)
    model_errors: float = 0.0
    model_tokens: float = 0.0
    queues: dict[str, int] = field(default_factory=dict)
    workers: dict[str, float] = field(default_factory=dict)  # worker -> seconds since its heartbeat
    broker_up: bool = False
    outbox_backlog: dict[str, int] = field(default_factory=dict)


def snapshot_from_text(text: str, *, at: float | None = None) -> Snapshot:
    """Parse the exposition format into the figures the page shows (sums over labels)."""
    snap = Snapshot(at=time.time() if at is None else at)
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            name, labels, value = sample.name, sample.labels, float(sample.value)
            if name == "shoreline_http_requests_total":
                snap.http_requests += value
                if labels.get("status", "").startswith("5"):
                    snap.http_errors += value
            elif name in ("shoreline_widget_request_duration_seconds_bucket",
                          "shoreline_model_call_duration_seconds_bucket"):
                target = snap.widget if name.startswith("shoreline_widget") else snap.model
                target.add(float(labels["le"]), value)
            elif name == "shoreline_widget_request_duration_seconds_count":
                snap.widget.count += value
            elif name == "shoreline_model_call_duration_seconds_count":
                snap.model.count += value
            elif name == "shoreline_model_errors_total":
                snap.model_errors += value
            elif name == "shoreline_model_tokens_total":
                snap.model_tokens += value
            elif name == "shoreline_celery_queue_depth":
                snap.queues[labels["queue"]] = int(value)
            elif name == "shoreline_worker_heartbeat_age_seconds":
                snap.workers[labels["worker"]] = value
            elif name == "shoreline_broker_up":
                snap.broker_up = value == 1
            elif name == "shoreline_outbox_backlog":
                snap.outbox_backlog[labels["outbox"]] = int(value)
    return snap


def metrics_snapshot() -> Snapshot:
    return snapshot_from_text(render_metrics(settings.PROMETHEUS_MULTIPROC_DIR).decode())


def histogram_quantile(q: float, hist: Histogram) -> float | None:
    """Prometheus' histogram_quantile: linear interpolation inside the bucket holding rank q·count.
    None without observations; the largest finite bound when the rank falls in the +Inf bucket."""
    bounds = sorted(hist.buckets)
    if not bounds:
        return None
    total = hist.buckets[bounds[-1]]
    if total <= 0:
        return None
    rank = q * total
    lower_bound, lower_count = 0.0, 0.0
    for bound in bounds:
        count = hist.buckets[bound]
        if count >= rank:
            if math.isinf(bound):
                return lower_bound
            if count == lower_count:
                return bound
            return lower_bound + (bound - lower_bound) * (rank - lower_count) / (count - lower_count)
        lower_bound, lower_count = bound, count
    return bounds[-1] if not math.isinf(bounds[-1]) else lower_bound


def _encode(snap: Snapshot) -> dict[str, Any]:
    data = asdict(snap)
    for key in ("widget", "model"):  # JSON keys must be strings; +Inf survives as "inf"
        data[key]["buckets"] = {repr(le): v for le, v in data[key]["buckets"].items()}
    return data


def _decode(data: Mapping[str, Any]) -> Snapshot:
    values = dict(data)
    for key in ("widget", "model"):
        raw = values[key]
        values[key] = Histogram(buckets={float(le): v for le, v in raw["buckets"].items()}, count=raw["count"])
    return Snapshot(**values)


def _baseline(history: Iterable[Snapshot], now: float) -> Snapshot | None:
    """The newest stored snapshot at least WINDOW_S old, else the oldest one (a shorter window)."""
    ordered = sorted((s for s in history if s.at < now - 0.5), key=lambda s: s.at)
    old_enough = [s for s in ordered if s.at <= now - WINDOW_S]
    if old_enough:
        return old_enough[-1]
    return ordered[0] if ordered else None


def _ms(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds * 1000, 1)


def live_metrics_read(*, snapshot: Snapshot | None = None) -> dict[str, Any]:
    """The page's JSON: rates and percentiles over the last minute or so, gauges as of now, and the
    cumulative totals exactly as /metrics states them (the process start is their zero)."""
    current = snapshot or metrics_snapshot()
    history = [_decode(item) for item in (cache.get(CACHE_KEY) or [])]
    base = _baseline(history, current.at)
    kept = [s for s in history if s.at >= current.at - KEEP_S]
    if not kept or current.at - max(s.at for s in kept) >= MIN_STEP_S:
        kept.append(current)
    cache.set(CACHE_KEY, [_encode(s) for s in kept], timeout=int(KEEP_S) * 2)

    window: dict[str, Any] = {"seconds": None}
    if base is not None and current.at > base.at:
        seconds = current.at - base.at
        requests = max(0.0, current.http_requests - base.http_requests)
        errors = max(0.0, current.http_errors - base.http_errors)
        widget, model = current.widget.minus(base.widget), current.model.minus(base.model)
        model_calls = max(0.0, model.count)
        window = {
            "seconds": round(seconds, 1),
            "requests_per_s": round(requests / seconds, 3),
            "error_rate": None if requests == 0 else round(errors / requests, 4),
            "widget": {"calls": int(max(0.0, widget.count)), "p50_ms": _ms(histogram_quantile(0.5, widget)),
                       "p95_ms": _ms(histogram_quantile(0.95, widget))},
            "model": {"calls": int(model_calls), "p50_ms": _ms(histogram_quantile(0.5, model)),
                      "p95_ms": _ms(histogram_quantile(0.95, model)),
                      "errors": int(max(0.0, current.model_errors - base.model_errors))},
        }
    workers = [{"name": name, "heartbeat_age_s": round(age, 1), "healthy": age < WORKER_HEARTBEAT_TTL_S}
               for name, age in sorted(current.workers.items())]
    return {
        "at": current.at,
        "window": window,
        "queues": {queue: current.queues.get(queue) for queue in QUEUES},
        "broker_up": current.broker_up,
        "workers": workers,
        "outbox_backlog": current.outbox_backlog,
        "totals": {"http_requests": int(current.http_requests), "http_errors": int(current.http_errors),
                   "widget_calls": int(current.widget.count), "model_calls": int(current.model.count),
                   "model_errors": int(current.model_errors), "model_tokens": int(current.model_tokens)},
    }
