"""Smoke-sized run of the widget load test (ops/bench/widget_load.py): proves the harness works.

It runs the real thing end to end — its own throwaway database on the embedded PostgreSQL, gunicorn
with production settings, visitors with think time — for a few seconds, and checks the report's
shape and honesty (every message answered, every wording new). No timing is asserted: the machine
is shared and figures belong in docs/benchmarks.md.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from agents.conversation.nodes import matching_text, needs_embedding
from ops.bench.wordings import SLOTS, Wordings

ROOT = Path(__file__).resolve().parents[2]


def test_wordings_never_repeat_even_past_one_round() -> None:
    wordings = Wordings(seed=1)
    texts = [wordings.text(i % len(SLOTS)) for i in range(len(SLOTS) * 500)]
    assert len(set(texts)) == len(texts)
    # What the engine embeds (the question without greeting and courtesy) never repeats either, so
    # no message is an embedding-cache hit; the greeting slot is small talk and embeds nothing.
    embedded = [matching_text(t) for t in texts if needs_embedding(t)]
    assert len(embedded) == len(texts) - 500
    assert len(set(embedded)) == len(embedded)


def test_smoke_run_reports_percentiles_errors_and_new_wordings() -> None:
    env = {key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "REDIS_URL")}
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "ops.bench.widget_load", "--visitors", "3", "--duration", "4", "--think", "0.3",
         "--workers", "1", "--threads", "4", "--grace", "60", "--db", f"bench_load_smoke_{os.getpid()}", "--json"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["errors"] == 0, report["error_sample"]
    assert report["unfinished_visitors"] == 0
    assert report["messages"] >= 3
    assert report["messages"] == report["sent"]
    assert report["distinct_texts"] == report["sent"]  # no embedding-cache hits from repeated wordings
    assert set(report["client_ms"]) >= {"p50", "p95", "p99"}
    assert set(report["server_ms"]) >= {"p50", "p95", "p99"}
    assert sum(report["answered_by"].values()) == report["messages"]
    assert report["loadavg"]
    assert report["date"]
    assert report["machine"]
