"""Hot-path cost of plan enforcement: widget message latency with and without it, same run.

    .venv/bin/python ops/bench/billing_enforcement.py [--sessions 10] [--messages 24] [--rounds 2] \
        [--valkey-port PORT]

Reuses ops/bench/widget_api.py's throwaway database (`bench_widget`), client, token and load
generator. The client is put on a pause plan with a quota it cannot reach, so every reply takes
the enforcing path (the counter UPDATE ... RETURNING quota and policy) and none is short-cut to
the fallback. Then, alternating to cancel drift, gunicorn runs with BILLING_ENFORCE_QUOTAS=true
and =false (the pre-enforcement plain counter UPDATE) and the same load is sent to each.
Reports server_ms (stored per message) and client round-trip percentiles per mode. Asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT / "platform"), str(ROOT), str(ROOT / "ops" / "bench")]

import widget_api as W  # noqa: E402

from ops import embedded  # noqa: E402


def _pause_plan_out_of_reach() -> None:
    W._psql("UPDATE billing_plan SET monthly_message_quota = 100000000 WHERE key = 'starter'", W.BENCH_DB)
    W._psql("UPDATE clients_client SET plan_id = (SELECT id FROM billing_plan WHERE key = 'starter') "
            "WHERE slug = %s", W.BENCH_DB, (W.SLUG,))


def _run(port: int, token: str, sessions: int, messages: int, tag: str) -> list[float]:
    """widget_api's closed-loop sessions; returns every client-observed latency (ms)."""
    barrier = threading.Barrier(sessions + 1)
    runs = [W.Session(visitor=f"bench_{tag}_{i:05d}_visitor", number=i) for i in range(sessions)]
    threads = [threading.Thread(target=W._session, args=(port, token, run, messages, barrier, W.WORDINGS), daemon=True)
               for run in runs]
    for thread in threads:
        thread.start()
    barrier.wait()
    for thread in threads:
        thread.join()
    errors = [e for run in runs for e in run.errors]
    if errors:
        print(f"{len(errors)} errors, e.g. {errors[0]}", flush=True)
    return [ms for run in runs for ms in run.latencies_ms]


def micro(iterations: int) -> int:
    """In a subprocess on the bench database: the counter statement alone, enforcing vs not."""
    import django

    django.setup()
    from django.conf import settings
    from django.db import transaction

    from controlplane.billing.metering import usage_record_reply
    from controlplane.clients.models import Client

    client_id = Client.objects.get(slug=W.SLUG).pk
    timings: dict[str, list[float]] = {"on": [], "off": []}
    for block in range(iterations // 50):
        mode = "on" if block % 2 == 0 else "off"
        settings.BILLING_ENFORCE_QUOTAS = mode == "on"
        for _ in range(50):
            started = time.perf_counter()
            with transaction.atomic():
                usage_record_reply(client_id=client_id, input_tokens=10, output_tokens=5)
            timings[mode].append((time.perf_counter() - started) * 1000)
    print(json.dumps(timings))
    return 0


def _pct(values: list[float]) -> dict[str, float]:
    p50, p95, p99 = np.percentile(np.array(values, dtype=float), [50, 95, 99])
    return {"p50": float(p50), "p95": float(p95), "p99": float(p99), "n": len(values)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=10)
    parser.add_argument("--messages", type=int, default=24)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--valkey-port", type=int, default=0, help="use a Valkey already running on this port")
    parser.add_argument("--micro-iterations", type=int, default=4000)
    parser.add_argument("--micro", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.micro:
        return micro(args.micro_iterations)
    if args.valkey_port:
        embedded.VALKEY_PORT = args.valkey_port  # widget_api reads it for REDIS_URL and the flush
    embedded.start_all(postgres=True, valkey=not args.valkey_port)
    token = W.prepare_database()
    _pause_plan_out_of_reach()
    server: dict[str, list[float]] = {"on": [], "off": []}
    client: dict[str, list[float]] = {"on": [], "off": []}
    try:
        for round_number in range(args.rounds):
            for mode in (("on", "off") if round_number % 2 == 0 else ("off", "on")):
                port = W._free_port()
                with W.gunicorn(port, args.workers, args.threads,
                                BILLING_ENFORCE_QUOTAS="true" if mode == "on" else "false"):
                    W._warm_up(port, token, args.workers)
                    tag = f"{mode}{round_number}"
                    client[mode] += _run(port, token, args.sessions, args.messages, tag=tag)
                    rows = W._psql(
                        "SELECT m.server_ms FROM c_bench.conversations_message m "
                        "JOIN c_bench.conversations_conversation c ON c.id = m.conversation_id "
                        "JOIN c_bench.conversations_visitor v ON v.id = c.visitor_id "
                        "WHERE m.role = 'bot' AND v.visitor_key LIKE %s", W.BENCH_DB, (f"bench\\_{tag}\\_%",))
                    server[mode] += [float(r[0]) for r in rows]
                    print(json.dumps({"mode": mode, "round": round_number, "client": _pct(client[mode]),
                                      "server": _pct(server[mode])}), flush=True)
        done = subprocess.run([sys.executable, __file__, "--micro", "--micro-iterations",  # noqa: S603
                               str(args.micro_iterations)], check=True, cwd=ROOT, env=W._env(),
                              capture_output=True, text=True)
        statement = json.loads(done.stdout.strip().splitlines()[-1])
    finally:
        W._psql(f'DROP DATABASE IF EXISTS "{W.BENCH_DB}" WITH (FORCE)')
        W._flush_valkey()
    load = os.getloadavg()
    print(f"\n## Plan enforcement (hot path)\n\nMachine: {platform.machine()} {os.cpu_count()} cores, Python "
          f"{platform.python_version()} · date {datetime.now(UTC).date()} · load average at end "
          f"{load[0]:.1f}/{load[1]:.1f}/{load[2]:.1f}")
    print(f"Command: `.venv/bin/python ops/bench/billing_enforcement.py --sessions {args.sessions} --messages "
          f"{args.messages} --rounds {args.rounds}` (gunicorn {args.workers}×{args.threads}, offline model)\n")
    print("| enforcement | messages | client p50 (ms) | client p95 | client p99 | server p50 | server p95 | "
          "counter statement p50 | p95 | p99 |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for mode in ("on", "off"):
        c, s, m = _pct(client[mode]), _pct(server[mode]), _pct(statement[mode])
        print(f"| {mode} | {c['n']} | {c['p50']:.1f} | {c['p95']:.1f} | {c['p99']:.1f} | {s['p50']:.1f} | "
              f"{s['p95']:.1f} | {m['p50']:.3f} | {m['p95']:.3f} | {m['p99']:.3f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
