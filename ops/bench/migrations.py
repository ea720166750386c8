"""`migrate_schemas` at N clients: nothing to apply, and one new tenant migration (issue 18).

    .venv/bin/python -m ops.bench.migrations [--clients 1000] [--json]

In a throwaway database (`bench_migrations`) on the project's PostgreSQL (the embedded one unless
DATABASE_URL is set): migrate the public schema, provision N clients through the real
`client_provision` service, then time `manage.py migrate_schemas --tenant --executor multiprocessing`
as an operator runs it (a new process, startup included):

1. with nothing to apply;
2. with one new tenant migration (a small table, added as a temporary file to tenants/leads and
   removed again afterwards).

The database is dropped at the end. Reports numbers; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from ops.bench import provisioning as prov

ROOT = Path(__file__).resolve().parents[2]
BENCH_DB = "bench_migrations"
PROBE = ROOT / "tenants" / "leads" / "migrations" / "0999_bench_probe.py"
PROBE_TEXT = '''from django.db import migrations


class Migration(migrations.Migration):
    """Temporary: written and removed by ops/bench/migrations.py."""

    dependencies = [("leads", "{last}")]
    operations = [migrations.RunSQL("CREATE TABLE bench_probe (id bigserial PRIMARY KEY, note text)",
                                    "DROP TABLE bench_probe")]
'''


def _env(database_url: str, redis_url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update({
        "DJANGO_SETTINGS_MODULE": "config.settings.local", "DEBUG": "0", "DATABASE_URL": database_url,
        "REDIS_URL": redis_url, "DB_CONN_MAX_AGE": "0",
        "PYTHONPATH": os.pathsep.join([str(ROOT / "platform"), str(ROOT)]),
    })
    return env


def _provision(count: int) -> None:
    """Child process: shared migrations, public tenant, `count` clients."""
    import django

    django.setup()
    from django.core.management import call_command

    from controlplane.clients.services import client_provision

    call_command("migrate_schemas", "--shared", verbosity=0)
    call_command("ensure_public_tenant", verbosity=0)
    started = time.perf_counter()
    for n in range(count):
        client_provision(name=f"Bench Client {n}", slug=f"mig-{n}", industry=prov.INDUSTRIES[n % 6],
                         plan_key="growth", owner_email=f"owner{n}@mig.example")
        if n and n % 100 == 0:
            print(f"  {n} clients, {time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)
    print(json.dumps({"provision_total_s": time.perf_counter() - started}))


def _timed(command: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command[1:4])} failed:\n{result.stderr[-3000:]}")
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ops.bench.migrations")
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--_provision", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args._provision:
        _provision(args._provision)
        return 0

    import psycopg

    prov.BENCH_DB = BENCH_DB  # the helpers build URLs for this database name
    load_before = round(os.getloadavg()[0], 2)
    server, _ = prov._server_connection()
    redis_url, _ = prov._redis_url()
    env = _env(prov._database_url(server), redis_url)
    manage = [sys.executable, str(ROOT / "manage.py")]
    migrate = [*manage, "migrate_schemas", "--tenant", "--executor", "multiprocessing", "-v", "0"]
    figures: dict[str, object] = {"clients": args.clients, "machine": prov.machine_info(), "load_before": load_before}
    last = sorted(p.stem for p in PROBE.parent.glob("0*.py") if p != PROBE)[-1]
    with psycopg.connect(**server, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{BENCH_DB}"')
        try:
            started = time.perf_counter()
            out = subprocess.run([sys.executable, "-m", "ops.bench.migrations", "--_provision", str(args.clients)],  # noqa: S603
                                 cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True, check=True)
            figures["provision_total_s"] = round(json.loads(out.stdout.strip().splitlines()[-1])["provision_total_s"], 1)
            figures["provision_wall_s"] = round(time.perf_counter() - started, 1)
            figures["manage_startup_s"] = round(_timed([*manage, "check", "--database", "default"], env), 1)
            figures["migrate_nothing_to_apply_s"] = round(_timed(migrate, env), 1)
            PROBE.write_text(PROBE_TEXT.format(last=last))
            try:
                figures["migrate_one_new_migration_s"] = round(_timed(migrate, env), 1)
            finally:
                PROBE.unlink(missing_ok=True)
            with psycopg.connect(**{**server, "dbname": BENCH_DB}) as bench:
                figures["schemas_with_new_table"] = bench.execute(
                    "SELECT count(*) FROM pg_tables WHERE tablename = 'bench_probe'").fetchone()[0]
        finally:
            PROBE.unlink(missing_ok=True)
            admin.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')
    figures["load_after"] = round(os.getloadavg()[0], 2)
    print(json.dumps(figures, indent=None if args.json else 2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
