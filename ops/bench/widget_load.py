"""Load test of the widget API: many visitors with think time, every message a new wording, bounded in time.

    .venv/bin/python -m ops.bench.widget_load [--visitors 50] [--duration 60] [--think 2.0] [--json]

Uses the same throwaway setup as ops/bench/widget_api.py (its own database on the embedded
PostgreSQL, dropped at the end; Valkey database 7; one seeded restaurant client; gunicorn with
production settings on 127.0.0.1). Then each of --visitors simulated visitors, on its own keep-alive
connection, opens a conversation and sends the 8-message mix of `ops.bench.wordings` (greeting,
FAQ and knowledge questions, a lead with a phone number, an unanswerable question), pausing a random
think time (exponential, mean --think seconds) between messages, and starts a new conversation after
the 8th. Visitors start spread over the first think time, as real arrivals are.

Bounded: no visitor sends after --duration seconds, every request has a timeout, and the run stops
waiting --grace seconds after the deadline. Reports messages, errors (non-200 answers and transport
failures), client-observed latency p50/p95/p99, the server time stored on each bot message, and
messages/second over the run. Asserts nothing (tests/perf runs a smoke-sized run to prove the harness).

Why not locust: it brings gevent (monkey-patching) and a web UI to do what ~150 lines of threads do
here; the thread-per-visitor client is cheap next to a 2-core server at these visitor counts.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import random
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT / "platform"), str(ROOT)]

from ops import embedded  # noqa: E402
from ops.bench import widget_api  # noqa: E402
from ops.bench.wordings import SLOTS, Wordings  # noqa: E402


@dataclass
class Visitor:
    key: str
    latencies_ms: list[float] = field(default_factory=list)
    answered_by: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Target:
    port: int
    token: str
    host: str = widget_api.HOST
    origin: str = widget_api.SITE
    address: str = "127.0.0.1"


def _visit(target: Target, visitor: Visitor, wordings: Wordings, deadline: float, think_s: float,
           timeout_s: float, seed: int) -> None:
    rng = random.Random(seed)
    headers = {"Host": target.host, "Origin": target.origin, "Authorization": f"Bearer {target.token}",
               "Content-Type": "application/json", "X-Forwarded-Proto": "https"}
    time.sleep(rng.uniform(0, think_s))  # arrivals spread out, not a thundering herd
    conn = http.client.HTTPConnection(target.address, target.port, timeout=timeout_s)
    conversation: str | None = None
    index = 0
    while time.monotonic() < deadline:
        slot = index % len(SLOTS)
        if slot == 0:
            conversation = None
        text = wordings.text(slot)
        visitor.texts.append(text)
        body: dict[str, Any] = {"visitor_id": visitor.key, "text": text}
        if conversation:
            body["conversation_id"] = conversation
        started = time.perf_counter()
        try:
            conn.request("POST", "/widget/v1/messages", body=json.dumps(body), headers=headers)
            response = conn.getresponse()
            payload = response.read()
        except (OSError, http.client.HTTPException) as error:
            visitor.errors.append(repr(error))
            conn.close()
            conn = http.client.HTTPConnection(target.address, target.port, timeout=timeout_s)
        else:
            if response.status == 200:
                data = json.loads(payload)
                conversation = data["conversation_id"]
                visitor.latencies_ms.append((time.perf_counter() - started) * 1000)
                visitor.answered_by.append(data["answered_by"])
            else:
                visitor.errors.append(f"{response.status} {payload[:120]!r}")
        index += 1
        pause = min(rng.expovariate(1.0 / think_s), think_s * 5) if think_s > 0 else 0.0
        if time.monotonic() + pause >= deadline:
            break
        time.sleep(pause)
    conn.close()


def run_load(target: Target, *, visitors: int, duration_s: float, think_s: float, tag: str = "load",
             timeout_s: float = 30.0, grace_s: float = 30.0) -> dict[str, Any]:
    """Drive the widget API and return the report (a JSON-able dict). Never runs past duration + grace."""
    wordings = widget_api.WORDINGS  # one source per process: no text repeats across runs
    runs = [Visitor(key=f"load_{tag}_{i:05d}_visitor") for i in range(visitors)]
    started = time.monotonic()
    deadline = started + duration_s
    threads = [threading.Thread(target=_visit, args=(target, run, wordings, deadline, think_s, timeout_s, i),
                                daemon=True) for i, run in enumerate(runs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=max(0.0, deadline + grace_s - time.monotonic()))
    wall = time.monotonic() - started
    latencies = np.array([ms for run in runs for ms in run.latencies_ms], dtype=float)
    texts = [text for run in runs for text in run.texts]
    answered: dict[str, int] = {}
    for run in runs:
        for kind in run.answered_by:
            answered[kind] = answered.get(kind, 0) + 1
    errors = [error for run in runs for error in run.errors]
    return {
        "visitors": visitors, "duration_s": duration_s, "think_s": think_s, "wall_s": round(wall, 2),
        "messages": int(latencies.size), "sent": len(texts), "distinct_texts": len(set(texts)),
        "errors": len(errors), "error_sample": errors[:3], "unfinished_visitors": sum(t.is_alive() for t in threads),
        "per_second": round(latencies.size / wall, 2) if wall else 0.0,
        "client_ms": widget_api._percentiles(latencies), "answered_by": answered,  # noqa: SLF001
    }


def _server_ms(tag: str) -> dict[str, float]:
    rows = widget_api._psql(  # noqa: SLF001
        "SELECT m.server_ms FROM c_bench.conversations_message m "
        "JOIN c_bench.conversations_conversation c ON c.id = m.conversation_id "
        "JOIN c_bench.conversations_visitor v ON v.id = c.visitor_id "
        "WHERE m.role = 'bot' AND v.visitor_key LIKE %s", widget_api.BENCH_DB, (f"load\\_{tag}\\_%",))
    return widget_api._percentiles(np.array([row[0] for row in rows], dtype=float))  # noqa: SLF001


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--visitors", type=int, default=50)
    parser.add_argument("--duration", type=float, default=60.0, help="seconds visitors keep sending")
    parser.add_argument("--think", type=float, default=2.0, help="mean think time between messages, seconds")
    parser.add_argument("--timeout", type=float, default=30.0, help="per-request timeout, seconds")
    parser.add_argument("--grace", type=float, default=30.0, help="wait after the deadline, seconds")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--db", default=widget_api.BENCH_DB, help="throwaway database name (dropped at the end)")
    parser.add_argument("--json", action="store_true", help="print only the JSON report on the last line")
    args = parser.parse_args()
    widget_api.BENCH_DB = args.db  # the shared setup reads it at call time

    embedded.start_all(postgres=True, valkey=True)
    token = widget_api.prepare_database()
    try:
        port = widget_api._free_port()  # noqa: SLF001
        with widget_api.gunicorn(port, args.workers, args.threads):
            target = Target(port=port, token=token)
            # One message per worker thread first: model loading stays out of the figures.
            run_load(target, visitors=args.workers * 2, duration_s=0.5, think_s=0.0, tag="warm")
            report = run_load(target, visitors=args.visitors, duration_s=args.duration, think_s=args.think,
                              timeout_s=args.timeout, grace_s=args.grace, tag="run")
            report["server_ms"] = _server_ms("run")
    finally:
        widget_api._psql(f'DROP DATABASE IF EXISTS "{widget_api.BENCH_DB}" WITH (FORCE)')  # noqa: SLF001
        widget_api._flush_valkey()  # noqa: SLF001
    load = os.getloadavg()
    report.update({"machine": f"{platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}",
                   "date": f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC", "loadavg": [round(x, 2) for x in load],
                   "gunicorn": f"{args.workers} workers x {args.threads} threads"})
    if not args.json:
        c, s = report["client_ms"], report.get("server_ms") or {}
        print(f"\n{report['machine']} · {report['date']} · load average at end {load[0]:.1f}/{load[1]:.1f}/{load[2]:.1f}")
        print(f"{args.visitors} visitors, {args.duration:.0f} s, think {args.think} s mean, gunicorn {report['gunicorn']}\n")
        print("| messages | errors | msg/s | client p50 | client p95 | client p99 | server p50 | server p95 | "
              "server p99 |")
        print("|---|---|---|---|---|---|---|---|---|")
        if c:
            print(f"| {report['messages']} | {report['errors']} | {report['per_second']:.1f} | {c['p50']:.0f} | "
                  f"{c['p95']:.0f} | {c['p99']:.0f} | {s.get('p50', 0):.0f} | {s.get('p95', 0):.0f} | "
                  f"{s.get('p99', 0):.0f} |")
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
