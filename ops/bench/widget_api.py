"""Load benchmark of POST /widget/v1/messages through a real gunicorn server (loopback only).

    .venv/bin/python ops/bench/widget_api.py [--levels 10,50,100] [--messages 20] [--skip-openai]

What it does, all on 127.0.0.1 and bounded (every session sends a fixed number of messages):

1. Starts the embedded PostgreSQL + Valkey (ops.embedded) if they are not running, and creates a
   throwaway database `bench_widget` on that server (dropped at the end unless --keep-db); Valkey
   database 7 holds its cache, broker and rate-limit keys (flushed before and after). The dev
   database and Valkey database 0 are never touched.
2. Migrates it, provisions one restaurant client `bench` with the pack's FAQs plus two articles,
   one allowed origin and one widget token — through the real services.
3. Starts `gunicorn config.wsgi` with production settings (DEBUG off, 2 gthread workers × 8
   threads: the `make demo` shape) on a free port, rate limits raised through WIDGET_RATE_* env.
4. Offline model: N concurrent sessions (N in --levels), each a distinct visitor on its own
   keep-alive connection, sending --messages messages back to back (a realistic mix: greeting,
   approved FAQ, knowledge answers, a lead with a phone number, an unanswerable question), every
   message a wording not sent before in the run (ops/bench/wordings.py), so no message is an
   embedding-cache hit.
   Reports client-observed latency, the server time stored on each bot Message (server_ms, read
   back from the database), and sustained messages/second (completed / wall time).
5. OpenAI path: restarts gunicorn with OPENAI_API_KEY pointing at a local fake OpenAI server
   (ops.fake_openai, a separate process answering instantly) and reports the platform overhead
   around the model call, server_ms − model_ms, for the messages that called the model.

With --floor (issue 17) it runs instead, on one gunicorn with the floor route added
(ops/bench/floor_settings.py), floor → widget message → floor at each level: the floor is the same
middleware and token/origin checks, then one SELECT in the client's schema. Besides msg/s it reads
the CPU time of the gunicorn workers from /proc before and after each run (user + system of the
worker processes, all threads), so "web CPU per message" does not depend on how busy the machine is.

Reports numbers, asserts nothing. The load generator runs on the same 2 cores as the server.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT / "platform"), str(ROOT)]

from ops import embedded  # noqa: E402
from ops.bench.wordings import SLOTS, Wordings  # noqa: E402

BENCH_DB = "bench_widget"
VALKEY_DB = 7  # ops.bench.provisioning uses 8
HOST = "shoreline.test"  # production settings refuse *.localhost (issue 18)
SITE = "https://bench-site.example"
SLUG = "bench"
SECRET = "bench-only-secret-key-" + "x" * 40
ARTICLES = [
    ("Patio", "Our patio seats 40 guests. The patio is heated from October to April, and dogs are welcome on "
              "the patio. Patio tables can be reserved for groups of up to 10."),
    ("Menu highlights", "Our menu changes with the seasons. Vegan dishes include the roasted cauliflower steak "
                        "and the mushroom risotto. The kitchen makes fresh pasta every morning."),
]


# One source for the whole run: no text repeats across levels or the warm-up either.
WORDINGS = Wordings()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _env(settings_module: str = "config.settings.production", **extra: str) -> dict[str, str]:
    socket_dir = embedded.postgres_socket_dir()
    env = {key: value for key, value in os.environ.items() if not key.startswith(("OPENAI_", "WIDGET_RATE_"))}
    env.update({
        "PYTHONPATH": os.pathsep.join([str(ROOT / "platform"), str(ROOT)]),
        "DJANGO_SETTINGS_MODULE": settings_module,
        "DATABASE_URL": f"postgresql://postgres@/{BENCH_DB}?host={socket_dir}",
        "REDIS_URL": f"redis://127.0.0.1:{embedded.VALKEY_PORT}/{VALKEY_DB}",
        "SECRET_KEY": SECRET,
        "ALLOWED_HOSTS": f"{HOST},.{HOST},127.0.0.1",
        "SHORELINE_DOMAIN": HOST,
        "SHORELINE_SCHEME": "https",
        "SHORELINE_PORT": "",
        "S3_BUCKET": "bench-media-unused",
        # The bench database is the embedded server's, owned by its superuser: no restricted role to run
        # as (production refuses that without saying so; the audit-table guarantees are not measured here).
        "SHORELINE_DB_ROLE": "owner",
        "DEBUG": "false",
        "DB_CONN_MAX_AGE": "60",
        # Every session is a distinct visitor; the per-bot limit must not cap the benchmark.
        "WIDGET_RATE_BOT_PER_MINUTE": "1000000",
        "WIDGET_RATE_BOT_BURST": "100000",
        "WIDGET_RATE_VISITOR_PER_MINUTE": "100000",
        "WIDGET_RATE_VISITOR_BURST": "10000",
        # One load generator is one address; unsigned visitors share its bucket (decision 0029).
        "WIDGET_RATE_IP_PER_MINUTE": "1000000",
        "WIDGET_RATE_IP_BURST": "100000",
        "PYTHONUNBUFFERED": "1",
        **extra,
    })
    return env


def _psql(sql: str, database: str = "postgres", params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    import psycopg

    with psycopg.connect(host=str(embedded.postgres_socket_dir()), user="postgres", dbname=database,
                         autocommit=True) as conn:
        cursor = conn.execute(sql, params or None)  # type: ignore[arg-type]
        return list(cursor.fetchall()) if cursor.description else []


def _flush_valkey() -> None:
    import redis

    redis.Redis(host="127.0.0.1", port=embedded.VALKEY_PORT, db=VALKEY_DB).flushdb()


def _manage(*args: str) -> None:
    subprocess.run([sys.executable, str(ROOT / "manage.py"), *args], check=True, cwd=ROOT, env=_env())  # noqa: S603


def prepare_database() -> str:
    """A fresh bench database with one seeded client; returns the raw widget token."""
    _psql(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')
    _psql(f'CREATE DATABASE "{BENCH_DB}"')
    _flush_valkey()
    _manage("migrate_schemas", "--shared", "-v", "0")
    _manage("ensure_public_tenant", "-v", "0")
    done = subprocess.run([sys.executable, __file__, "--setup-client"], check=True, cwd=ROOT, env=_env(),  # noqa: S603
                          capture_output=True, text=True)
    return str(json.loads(done.stdout.strip().splitlines()[-1])["token"])


def setup_client() -> int:
    """Runs in a subprocess with the bench environment: provision, seed, allowlist, token."""
    import django

    django.setup()
    from django_tenants.utils import schema_context

    from controlplane.clients.services import client_provision
    from controlplane.widgets.services import allowed_origin_add, widget_token_issue
    from tenants.bots.selectors import bot_primary
    from tenants.knowledge.services import knowledge_seed_from_pack, knowledge_source_upsert

    details = {"business_phone": "(555) 010-0101", "booking_url": "https://bench.example/book",
               "menu_url": "https://bench.example/menu", "ordering_url": "https://bench.example/order",
               "doordash_url": "https://bench.example/dd", "ubereats_url": "https://bench.example/ue",
               "grubhub_url": "https://bench.example/gh"}
    result = client_provision(name="Bench Bistro", slug=SLUG, industry="restaurant", plan_key="pro",
                              owner_email="owner@bench.example", details=details)
    with schema_context(result.client.schema_name):
        bot = bot_primary()
        assert bot is not None
        knowledge_seed_from_pack(bot_id=bot.pk, pack_key="restaurant",
                                 details={"business_name": "Bench Bistro", **details})
        for title, body in ARTICLES:
            knowledge_source_upsert(bot_id=bot.pk, kind="article", title=title, body=body)
    allowed_origin_add(client=result.client, bot_id=bot.pk, origin=SITE)
    print(json.dumps({"token": widget_token_issue(client=result.client, bot_id=bot.pk).raw}))
    return 0


@contextmanager
def gunicorn(port: int, workers: int, threads: int, settings_module: str = "config.settings.production",
             **extra_env: str) -> Iterator[subprocess.Popen[bytes]]:
    """A production-settings gunicorn on `port` until the block ends (every bench's server). It has
    its own control socket: gunicorn's default path is shared by every instance on the machine."""
    log = open(ROOT / ".data" / f"bench-gunicorn-{port}.log", "wb")  # noqa: SIM115
    process = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "gunicorn", "config.wsgi:application", "--bind", f"127.0.0.1:{port}",
         "--workers", str(workers), "--threads", str(threads), "--worker-class", "gthread",
         "--timeout", "120", "--graceful-timeout", "5", "--keep-alive", "30",
         "--control-socket", str(ROOT / ".data" / f"gunicorn-bench-{port}.ctl")],
        cwd=ROOT, env=_env(settings_module, **extra_env), stdout=log, stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 300  # a loaded 2-core machine imports slowly
        while True:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                conn.request("GET", "/healthz", headers={"Host": HOST})
                conn.getresponse().read()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"gunicorn did not start; see {log.name}") from None
                time.sleep(0.2)
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


@dataclass
class Session:
    visitor: str
    number: int
    latencies_ms: list[float] = field(default_factory=list)
    answered_by: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def _session(port: int, token: str, session: Session, messages: int, start: threading.Barrier,
             wordings: Wordings) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    headers = {"Host": HOST, "Origin": SITE, "Authorization": f"Bearer {token}", "Content-Type": "application/json",
               "X-Forwarded-Proto": "https"}
    conversation: str | None = None
    start.wait()
    for index in range(messages):
        if index % len(SLOTS) == 0:
            conversation = None
        # Every message is a wording not sent before in the run (ops/bench/wordings.py): with a few
        # wordings per slot most messages hit the embedding cache and the figures were best-case.
        text = wordings.text(index)
        body: dict[str, Any] = {"visitor_id": session.visitor, "text": text}
        if conversation:
            body["conversation_id"] = conversation
        t0 = time.perf_counter()
        try:
            conn.request("POST", "/widget/v1/messages", body=json.dumps(body), headers=headers)
            response = conn.getresponse()
            payload = response.read()
        except (OSError, http.client.HTTPException) as error:
            session.errors.append(repr(error))
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
            continue
        elapsed = (time.perf_counter() - t0) * 1000
        if response.status != 200:
            session.errors.append(f"{response.status} {payload[:120]!r}")
            continue
        data = json.loads(payload)
        conversation = data["conversation_id"]
        session.latencies_ms.append(elapsed)
        session.answered_by.append(data["answered_by"])
    conn.close()


def run_level(port: int, token: str, sessions: int, messages: int, tag: str) -> dict[str, Any]:
    barrier = threading.Barrier(sessions + 1)
    wordings = WORDINGS
    runs = [Session(visitor=f"bench_{tag}_{i:05d}_visitor", number=i) for i in range(sessions)]
    threads = [threading.Thread(target=_session, args=(port, token, run, messages, barrier, wordings), daemon=True)
               for run in runs]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    latencies = np.array([ms for run in runs for ms in run.latencies_ms])
    stored = _psql(
        "SELECT m.server_ms, m.model_ms, m.model_name FROM c_bench.conversations_message m "
        "JOIN c_bench.conversations_conversation c ON c.id = m.conversation_id "
        "JOIN c_bench.conversations_visitor v ON v.id = c.visitor_id "
        "WHERE m.role = 'bot' AND v.visitor_key LIKE %s", BENCH_DB, (f"bench\\_{tag}\\_%",))
    server = np.array([row[0] for row in stored], dtype=float)
    model_rows = [(row[0], row[1]) for row in stored if row[2] and row[2] != "offline-extractive"]
    overhead = np.array([s - m for s, m in model_rows], dtype=float)
    answered: dict[str, int] = {}
    for run in runs:
        for kind in run.answered_by:
            answered[kind] = answered.get(kind, 0) + 1
    return {
        "sessions": sessions, "messages": int(latencies.size), "errors": sum(len(r.errors) for r in runs),
        "error_sample": next((r.errors[0] for r in runs if r.errors), ""), "wall_s": wall,
        "per_second": latencies.size / wall if wall else 0.0,
        "client": _percentiles(latencies), "server": _percentiles(server), "stored_rows": int(server.size),
        "model_calls": len(model_rows), "model_ms": _percentiles(np.array([m for _, m in model_rows], dtype=float)),
        "overhead": _percentiles(overhead), "answered_by": answered,
    }


def _worker_cpu_s(master: int) -> float:
    """User + system CPU seconds of gunicorn's worker processes so far (all their threads)."""
    ticks = os.sysconf("SC_CLK_TCK")
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    total = 0
    for pid in children:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
    return total / ticks


def _floor_session(port: int, token: str, session: Session, messages: int, start: threading.Barrier) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    headers = {"Host": HOST, "Origin": SITE, "Authorization": f"Bearer {token}", "Content-Type": "application/json",
               "X-Forwarded-Proto": "https"}
    start.wait()
    for index in range(messages):
        body = json.dumps({"visitor_id": session.visitor, "text": f"floor {index}"})
        t0 = time.perf_counter()
        try:
            conn.request("POST", "/widget/v1/floor", body=body, headers=headers)
            response = conn.getresponse()
            payload = response.read()
        except (OSError, http.client.HTTPException) as error:
            session.errors.append(repr(error))
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
            continue
        if response.status != 200:
            session.errors.append(f"{response.status} {payload[:120]!r}")
            continue
        session.latencies_ms.append((time.perf_counter() - t0) * 1000)
    conn.close()


def run_floor_level(port: int, token: str, sessions: int, messages: int, tag: str) -> dict[str, Any]:
    barrier = threading.Barrier(sessions + 1)
    runs = [Session(visitor=f"bench_{tag}_{i:05d}_visitor", number=i) for i in range(sessions)]
    threads = [threading.Thread(target=_floor_session, args=(port, token, run, messages, barrier), daemon=True)
               for run in runs]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    latencies = np.array([ms for run in runs for ms in run.latencies_ms])
    return {"sessions": sessions, "messages": int(latencies.size), "errors": sum(len(r.errors) for r in runs),
            "error_sample": next((r.errors[0] for r in runs if r.errors), ""), "wall_s": wall,
            "per_second": latencies.size / wall if wall else 0.0, "client": _percentiles(latencies)}


def _measured(master: int, run: Any, *args: Any) -> dict[str, Any]:
    load_before = os.getloadavg()[0]
    cpu_before = _worker_cpu_s(master)
    result: dict[str, Any] = run(*args)
    cpu = _worker_cpu_s(master) - cpu_before
    result.update({"worker_cpu_s": cpu, "cpu_ms_per_message": cpu * 1000 / max(1, result["messages"]),
                   "load_before": load_before, "load_after": os.getloadavg()[0]})
    return result


def floor_comparison(token: str, levels: list[int], messages: int, floor_messages: int, workers: int,
                     threads: int) -> list[dict[str, Any]]:
    """Floor, widget message, floor again at each level, on one gunicorn (the floor route added)."""
    rows = []
    port = _free_port()
    with gunicorn(port, workers, threads, settings_module="ops.bench.floor_settings") as server:
        _warm_up(port, token, workers)
        run_floor_level(port, token, workers * 4, 20, tag=f"fwarm{port}")
        for level in levels:
            first = _measured(server.pid, run_floor_level, port, token, level, floor_messages, f"fa{level}")
            widget = _measured(server.pid, run_level, port, token, level, messages, f"fw{level}")
            second = _measured(server.pid, run_floor_level, port, token, level, floor_messages, f"fb{level}")
            floor_rate = (first["per_second"] + second["per_second"]) / 2
            floor_cpu = (first["cpu_ms_per_message"] + second["cpu_ms_per_message"]) / 2
            row = {"sessions": level, "floor_before": first, "widget": widget, "floor_after": second,
                   "floor_msg_s": floor_rate, "widget_msg_s": widget["per_second"],
                   "ratio": widget["per_second"] / floor_rate if floor_rate else 0.0,
                   "floor_cpu_ms": floor_cpu, "widget_cpu_ms": widget["cpu_ms_per_message"]}
            rows.append(row)
            print(json.dumps(row), flush=True)
    return rows


def _percentiles(values: np.ndarray) -> dict[str, float]:
    if not values.size:
        return {}
    p50, p95, p99 = np.percentile(values, [50, 95, 99])
    return {"p50": float(p50), "p95": float(p95), "p99": float(p99), "mean": float(values.mean())}


def _warm_up(port: int, token: str, workers: int) -> None:
    """Each worker loads MiniLM and the detector prototypes on its first message; keep that out of the figures."""
    run_level(port, token, sessions=workers * 4, messages=len(SLOTS), tag=f"warm{port}")


def _row(result: dict[str, Any]) -> str:
    c, s = result["client"], result["server"]
    return (f"| {result['sessions']} | {result['messages']} | {result['errors']} | {s['p50']:.0f} | {s['p95']:.0f} | "
            f"{s['p99']:.0f} | {c['p50']:.0f} | {c['p95']:.0f} | {c['p99']:.0f} | {result['per_second']:.1f} |")


def _overhead_row(result: dict[str, Any]) -> str:
    o, s, m = result["overhead"], result["server"], result["model_ms"]
    if not o:
        return f"| {result['sessions']} | 0 model calls | | | | |"
    return (f"| {result['sessions']} | {result['model_calls']} | {m['p50']:.1f} | {o['p50']:.0f} | {o['p95']:.0f} | "
            f"{o['p99']:.0f} | {s['p95']:.0f} | {result['per_second']:.1f} |")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--levels", default="10,50,100", help="concurrent sessions, comma-separated")
    parser.add_argument("--messages", type=int, default=24, help="messages per session")
    parser.add_argument("--openai-levels", default="10,50", help="concurrent sessions for the overhead run")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--skip-openai", action="store_true")
    parser.add_argument("--floor", action="store_true", help="floor vs widget message side by side (issue 17)")
    parser.add_argument("--floor-messages", type=int, default=60, help="floor requests per session")
    parser.add_argument("--keep-db", action="store_true", help="leave the bench_widget database for inspection")
    parser.add_argument("--setup-client", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.setup_client:
        return setup_client()

    embedded.start_all(postgres=True, valkey=True)
    started = time.time()
    token = prepare_database()
    print(f"prepared {BENCH_DB} in {time.time() - started:.1f}s", flush=True)
    results: list[dict[str, Any]] = []
    overheads: list[dict[str, Any]] = []
    if args.floor:
        try:
            rows = floor_comparison(token, [int(n) for n in args.levels.split(",")], args.messages,
                                    args.floor_messages, args.workers, args.threads)
        finally:
            if not args.keep_db:
                _psql(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')
                _flush_valkey()
        print(f"\nMachine: {platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()} · "
              f"{datetime.now(UTC).isoformat(timespec='minutes')} · gunicorn {args.workers} × {args.threads}\n")
        print("| sessions | floor msg/s | widget msg/s | ratio | floor CPU ms/req | widget CPU ms/msg | widget errors "
              "| widget server p50/p95 ms | load (1 min) during |")
        print("|---|---|---|---|---|---|---|---|---|")
        for row in rows:
            w = row["widget"]
            print(f"| {row['sessions']} | {row['floor_msg_s']:.0f} | {row['widget_msg_s']:.1f} | {row['ratio']:.2f} | "
                  f"{row['floor_cpu_ms']:.1f} | {row['widget_cpu_ms']:.1f} | {w['errors']} | "
                  f"{w['server'].get('p50', 0):.0f} / {w['server'].get('p95', 0):.0f} | "
                  f"{row['floor_before']['load_before']:.1f} → {row['floor_after']['load_after']:.1f} |")
        return 0
    try:
        port = _free_port()
        with gunicorn(port, args.workers, args.threads):
            _warm_up(port, token, args.workers)
            for level in (int(n) for n in args.levels.split(",")):
                result = run_level(port, token, level, args.messages, tag=f"off{level}")
                results.append(result)
                print(json.dumps(result), flush=True)
        if not args.skip_openai:
            fake_port = _free_port()
            fake = subprocess.Popen([sys.executable, "-m", "ops.fake_openai", "--port", str(fake_port)],  # noqa: S603
                                    cwd=ROOT, env=_env(), stdout=subprocess.DEVNULL)
            try:
                time.sleep(1.0)
                port = _free_port()
                with gunicorn(port, args.workers, args.threads, OPENAI_API_KEY="sk-bench-not-a-secret",
                              OPENAI_BASE_URL=f"http://127.0.0.1:{fake_port}/v1"):
                    _warm_up(port, token, args.workers)
                    for level in (int(n) for n in args.openai_levels.split(",")):
                        result = run_level(port, token, level, args.messages, tag=f"oai{level}")
                        overheads.append(result)
                        print(json.dumps(result), flush=True)
            finally:
                fake.terminate()
                fake.wait(timeout=10)
    finally:
        if not args.keep_db:
            _psql(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')
            _flush_valkey()

    load = os.getloadavg()
    print(f"\n## Widget API\n\nMachine: {platform.machine()} {os.cpu_count()} cores, Python "
          f"{platform.python_version()}, {platform.system()} · date {datetime.now(UTC).date()} · load average at end "
          f"{load[0]:.1f}/{load[1]:.1f}/{load[2]:.1f}")
    print(f"Command: `.venv/bin/python ops/bench/widget_api.py --levels {args.levels} --messages {args.messages}`"
          f" (gunicorn {args.workers} workers × {args.threads} threads, production settings)\n")
    print("Offline model — server = Message.server_ms stored; client = observed round trip (ms):\n")
    print("| sessions | messages | errors | server p50 | server p95 | server p99 | client p50 | client p95 | "
          "client p99 | msg/s |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for result in results:
        print(_row(result))
    if overheads:
        print("\nOpenAI path against a local fake server answering instantly — overhead = server_ms − model_ms "
              "(ms), messages that called the model:\n")
        print("| sessions | model calls | model p50 | overhead p50 | overhead p95 | overhead p99 | server p95 | "
              "msg/s |")
        print("|---|---|---|---|---|---|---|---|")
        for result in overheads:
            print(_overhead_row(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
