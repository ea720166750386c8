"""Provisioning benchmark: seconds per client for batches of 1, 50 and 200 new clients.

    .venv/bin/python -m ops.bench.provisioning [--sizes 1 50 200] [--json]

Each batch runs in a throwaway database (`bench_shoreline`) on the same PostgreSQL the project
uses (the embedded one unless DATABASE_URL is set): it is created, migrated (shared apps),
given its public tenant, filled with N clients through the real `client_provision` service —
full tenant schema as it stands, default industry pack, owner account with a generated
password hashed by the production hasher — and dropped again. Reports numbers, asserts nothing.

The client_provisioned receivers queue follow-up work (knowledge seeding) on commit; those
messages go to a Valkey database of their own (8) that is emptied at the end, so no worker of
a running demo ever picks them up.
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import os
import platform
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[2]
BENCH_DB = "bench_shoreline"
BENCH_REDIS_DB = 8
INDUSTRIES = ["sober_living", "restaurant", "barbershop", "gym", "realtor", "auto_service"]


@dataclass(frozen=True)
class BatchResult:
    clients: int
    p50: float
    p95: float
    max: float
    mean: float
    total: float
    tenant_tables: int
    # CPU seconds per client, this process + its PostgreSQL backend: what the wall-clock figures
    # would approach on an otherwise idle machine (None where /proc of the backend is unreadable).
    cpu_p50: float | None = None
    cpu_p95: float | None = None


_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _process_cpu_seconds(pid: int) -> float | None:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) / _CLOCK_TICKS  # utime + stime


def percentile(sorted_values: list[float], pct: float) -> float:
    """Nearest-rank percentile (p50 of one value is that value)."""
    rank = max(1, math.ceil(pct / 100 * len(sorted_values)))
    return sorted_values[rank - 1]


def page_timings(get: Callable[[], object], requests: int) -> dict[str, float]:
    """Time `get` (one page request, after the caller's warm-up) `requests` times: p50/p95/max in ms."""
    samples = []
    for _ in range(requests):
        t0 = time.perf_counter()
        get()
        samples.append((time.perf_counter() - t0) * 1000)
    samples.sort()
    return {"p50_ms": round(percentile(samples, 50), 1), "p95_ms": round(percentile(samples, 95), 1),
            "max_ms": round(samples[-1], 1)}


class GcPauses:
    """Garbage-collector pauses of this process while active (gc.callbacks): how many collections of
    each generation ran and how long they took, so a reader can tell a GC spike from work."""

    def __init__(self) -> None:
        self.count = [0, 0, 0]
        self.ms = [0.0, 0.0, 0.0]
        self._started = 0.0

    def _callback(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.count[info["generation"]] += 1
            self.ms[info["generation"]] += (time.perf_counter() - self._started) * 1000

    def __enter__(self) -> GcPauses:
        gc.callbacks.append(self._callback)
        return self

    def __exit__(self, *exc: object) -> None:
        gc.callbacks.remove(self._callback)

    def as_row(self) -> dict[str, float]:
        """Full (generation 2) collections and their total ms; all generations' total ms."""
        return {"gc2": self.count[2], "gc2_ms": round(self.ms[2], 1), "gc_ms": round(sum(self.ms), 1)}


def pages_print(pages: list[dict[str, Any]], *, width: int) -> None:
    """The page table; with GcPauses columns (gc2, gc2_ms, gc_ms) and the 1-minute load after the
    page's requests where the rows carry them."""
    gc_columns = bool(pages) and "gc2" in pages[0]
    extra = f" {'full GCs':>8} {'full ms':>8} {'all GC ms':>9} {'load':>5}" if gc_columns else ""
    print(f"{'page':<{width}} {'queries':>7} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}{extra}")
    for row in pages:
        extra = f" {row['gc2']:>8} {row['gc2_ms']:>8} {row['gc_ms']:>9} {row.get('load', ''):>5}" if gc_columns else ""
        print(f"{row['page']:<{width}} {row['queries']:>7} {row['p50_ms']:>8} {row['p95_ms']:>8} "
              f"{row['max_ms']:>8}{extra}")


def portal_page_rows(staff: Any, pages: list[str], requests: int,
                     check: Callable[[str, Any], None] | None = None) -> list[dict[str, Any]]:
    """`staff` signed in on the portal's public host: for each page its statement count (one request,
    `check`ed if given) and `page_timings`. The agency-page benches (triage, cockpit) share it."""
    from django.db import connection
    from django.test import Client as DjangoClient

    from controlplane.accounts.middleware import SESSION_HOST_KEY

    browser = DjangoClient(HTTP_HOST="shoreline.localhost")
    browser.force_login(staff, backend="django.contrib.auth.backends.ModelBackend")
    session = browser.session
    session[SESSION_HOST_KEY] = "public"
    session.save()
    rows = []
    for path in pages:
        statements: list[str] = []

        def count(execute, sql, params, many, context, statements=statements):  # type: ignore[no-untyped-def]
            statements.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            response = browser.get(path)
        assert response.status_code == 200, (path, response.status_code)
        if check is not None:
            check(path, response)
        rows.append({"page": path, "queries": len(statements),
                     **page_timings(partial(browser.get, path), requests)})
    return rows


def portal_bench_main(*, prog: str, database: str, child: Callable[[int, int, int], None],
                      argv: list[str] | None) -> int:
    """The command line of an agency-page bench: `--clients/--items/--requests [--json]`, run in a
    scratch database (`child_in_scratch_db`), then the page table."""
    parser = argparse.ArgumentParser(prog=f"python -m {prog}")
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--items", type=int, default=70)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--_child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args._child:
        child(args.clients, args.items, args.requests)
        return 0

    report = child_in_scratch_db(module=prog, database=database, child_args=[
        "--clients", str(args.clients), "--items", str(args.items), "--requests", str(args.requests)])
    report["requests"] = args.requests
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    print(f"machine: {report['machine']}")
    print(f"data: {report['counts']}")
    pages_print(report["pages"], width=48)
    return 0


def machine_info() -> dict[str, object]:
    cpu_model, mem_kib = "unknown", 0
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu_model = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem_kib = int(line.split()[1])
    except OSError:
        pass
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "nproc": len(os.sched_getaffinity(0)),
        "cpu_model": cpu_model,
        "ram_gib": round(mem_kib / 1024 / 1024, 1),
        "python": platform.python_version(),
        "kernel": platform.release(),
        # Other processes on the machine skew wall-clock figures; the 1-minute load says how much.
        "load_1min": round(os.getloadavg()[0], 2),
    }


def _run_batch_in_subprocess(size: int, database_url: str, redis_url: str) -> BatchResult:
    """One batch per process: a fresh Django, settings pointing at the throwaway database."""
    env = dict(os.environ)
    env.update({
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DEBUG": "0",  # DEBUG would record every query in memory and slow the loop down
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "DB_CONN_MAX_AGE": "0",
        "PYTHONPATH": os.pathsep.join([str(ROOT / "platform"), str(ROOT)]),
    })
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "ops.bench.provisioning", "--_batch", str(size)],
        cwd=ROOT, env=env, capture_output=True, text=True, check=False,
    )
    if result.returncode != 0:
        raise SystemExit(f"batch of {size} failed:\n{result.stderr[-4000:]}")
    return BatchResult(**json.loads(result.stdout.strip().splitlines()[-1]))


def _batch(size: int) -> None:
    """Runs inside the child process (see _run_batch_in_subprocess)."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from controlplane.clients.services import client_provision

    call_command("migrate_schemas", "--shared", verbosity=0)
    call_command("ensure_public_tenant", verbosity=0)
    # The portal's client_create runs in a web process, which loads both URL confs and freezes
    # its startup heap (config/wsgi.py); do the same so full GCs cost what they cost there.
    import config.urls_public  # noqa: F401
    import config.urls_tenant  # noqa: F401
    from config.heap import freeze_startup_heap

    freeze_startup_heap()

    def backend_pid() -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            return int(cursor.fetchone()[0])

    timings: list[float] = []
    cpu: list[float] = []
    started = time.perf_counter()
    for n in range(size):
        pid = backend_pid()
        server_cpu0, own_cpu0 = _process_cpu_seconds(pid), time.process_time()
        t0 = time.perf_counter()
        client_provision(name=f"Bench Client {n}", slug=f"bench-{n}", industry=INDUSTRIES[n % len(INDUSTRIES)],
                         plan_key="growth", owner_email=f"owner{n}@bench.example")
        timings.append(time.perf_counter() - t0)
        own_cpu = time.process_time() - own_cpu0
        server_cpu1 = _process_cpu_seconds(pid)
        if server_cpu0 is not None and server_cpu1 is not None and backend_pid() == pid:
            cpu.append(own_cpu + server_cpu1 - server_cpu0)
    total = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'c_bench_0'")
        tables = cursor.fetchone()[0]
    ordered, cpu_ordered = sorted(timings), sorted(cpu)
    complete = len(cpu_ordered) == size
    print(json.dumps(asdict(BatchResult(
        clients=size, p50=percentile(ordered, 50), p95=percentile(ordered, 95), max=ordered[-1],
        mean=sum(ordered) / size, total=total, tenant_tables=tables,
        cpu_p50=percentile(cpu_ordered, 50) if complete else None,
        cpu_p95=percentile(cpu_ordered, 95) if complete else None,
    ))))


def _server_connection() -> tuple[dict[str, str], bool]:
    """Admin connection parameters for the PostgreSQL server, starting the embedded one if needed."""
    from ops import embedded

    url = os.environ.get("DATABASE_URL")
    if url:
        from urllib.parse import parse_qs, urlparse

        parsed = urlparse(url)
        query = {k: v[-1] for k, v in parse_qs(parsed.query).items()}
        params = {"host": query.get("host") or parsed.hostname or "", "port": str(parsed.port or ""),
                  "user": parsed.username or "", "password": parsed.password or "", "dbname": "postgres"}
        return {k: v for k, v in params.items() if v}, False
    started = embedded.status().postgres_pid is None
    embedded.postgres_start()
    return {"host": str(embedded.postgres_socket_dir()), "user": "postgres", "dbname": "postgres"}, started


def _redis_url() -> tuple[str, bool]:
    from ops import embedded

    base = os.environ.get("REDIS_URL")
    if base:
        return base.rsplit("/", 1)[0] + f"/{BENCH_REDIS_DB}", False
    started = embedded.status().valkey_pid is None
    embedded.valkey_start()
    return f"redis://127.0.0.1:{embedded.VALKEY_PORT}/{BENCH_REDIS_DB}", started


def _database_url(server: dict[str, str]) -> str:
    auth = quote(server.get("user", ""), safe="") + (f":{quote(server['password'], safe='')}"
                                                     if server.get("password") else "")
    if server["host"].startswith("/"):
        return f"postgresql://{auth}@/{BENCH_DB}?host={quote(server['host'], safe='/')}"
    port = f":{server['port']}" if server.get("port") else ""
    return f"postgresql://{auth}@{server['host']}{port}/{BENCH_DB}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ops.bench.provisioning")
    parser.add_argument("--sizes", type=int, nargs="+", default=[1, 50, 200])
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    parser.add_argument("--_batch", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args._batch:
        _batch(args._batch)
        return 0

    import psycopg
    import redis

    from ops import embedded

    load_before = round(os.getloadavg()[0], 2)
    server, started_pg = _server_connection()
    redis_url, started_valkey = _redis_url()
    results: list[BatchResult] = []
    try:
        with psycopg.connect(**server, autocommit=True) as admin:
            pg_version = admin.execute("SHOW server_version").fetchone()[0]
            for size in args.sizes:
                admin.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')
                admin.execute(f'CREATE DATABASE "{BENCH_DB}"')
                try:
                    results.append(_run_batch_in_subprocess(size, _database_url(server), redis_url))
                finally:
                    admin.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')
    finally:
        try:
            redis.Redis.from_url(redis_url).flushdb()
        except redis.RedisError:
            pass
        if started_valkey:
            embedded.valkey_stop()
        if started_pg:
            embedded.postgres_stop()

    info = {**machine_info(), "postgres": pg_version, "load_1min_before": load_before}
    if args.json:
        print(json.dumps({"machine": info, "batches": [asdict(r) for r in results]}))
        return 0
    print(f"date {info['date']} · {info['nproc']} CPUs ({info['cpu_model']}) · {info['ram_gib']} GiB RAM · "
          f"Python {info['python']} · PostgreSQL {pg_version} · load {load_before} before, "
          f"{info['load_1min']} after")
    print(f"tenant schema: {results[0].tenant_tables if results else '?'} tables per client")
    print(f"{'clients':>8} {'p50 s':>8} {'p95 s':>8} {'max s':>8} {'mean s':>8} {'total s':>9} "
          f"{'cpu p50':>8} {'cpu p95':>8}")
    for r in results:
        cpu = (f"{r.cpu_p50:>8.3f} {r.cpu_p95:>8.3f}" if r.cpu_p50 is not None and r.cpu_p95 is not None
               else f"{'n/a':>8} {'n/a':>8}")
        print(f"{r.clients:>8} {r.p50:>8.3f} {r.p95:>8.3f} {r.max:>8.3f} {r.mean:>8.3f} {r.total:>9.1f} {cpu}")
    return 0


if __name__ == "__main__":
    sys.exit(main())


def child_in_scratch_db(*, module: str, database: str, child_args: list[str]) -> dict[str, Any]:
    """Run `python -m module --_child …` against a scratch database on the embedded (or configured)
    PostgreSQL and Valkey, dropped afterwards; return the JSON report the child prints last, with the
    child's wall time as `total_s`. The page benchmarks (dashboard, triage, cockpit) share it."""
    import psycopg

    from ops import embedded

    server, started_pg = _server_connection()
    redis_url, started_valkey = _redis_url()
    database_url = _database_url(server).replace("/bench_shoreline", f"/{database}")
    try:
        with psycopg.connect(**server, autocommit=True) as admin:  # type: ignore[arg-type]
            admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
            admin.execute(f'CREATE DATABASE "{database}"')
            try:
                env = dict(os.environ)
                env.update({"DJANGO_SETTINGS_MODULE": "config.settings.local", "DEBUG": "0",
                            "DATABASE_URL": database_url, "REDIS_URL": redis_url,
                            "PYTHONPATH": os.pathsep.join([str(ROOT / "platform"), str(ROOT)])})
                started = time.perf_counter()
                child = subprocess.run(  # noqa: S603
                    [sys.executable, "-m", module, "--_child", *child_args],
                    cwd=ROOT, env=env, capture_output=True, text=True, check=False)
                if child.returncode != 0:
                    raise SystemExit(f"benchmark failed:\n{child.stderr[-6000:]}")
                report: dict[str, Any] = json.loads(child.stdout.strip().splitlines()[-1])
                report["total_s"] = round(time.perf_counter() - started, 1)
            finally:
                admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    finally:
        if started_valkey:
            embedded.valkey_stop()
        if started_pg:
            embedded.postgres_stop()
    report["machine"] = machine_info()
    return report

