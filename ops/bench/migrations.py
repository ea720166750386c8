"""`migrate_schemas` at N clients: nothing to apply, and one new tenant migration (issue 18); then
portal and dashboard page timings with N clients in the database.

    .venv/bin/python -m ops.bench.migrations [--clients 1000] [--requests 30] [--all-schemas]
        [--no-new-migration] [--no-clone] [--json]

In a throwaway database (`bench_migrations`) on the project's PostgreSQL (the embedded one unless
DATABASE_URL is set): migrate the public schema, provision one client through the real
`client_provision` service and N-1 more as copies of its schema (see `_provision`; `--no-clone`
provisions each one the full way), then time `manage.py migrate_schemas --tenant --executor
multiprocessing` as an operator runs it (a new process, startup included):

1. with nothing to apply (up-to-date schemas skipped, controlplane/core/migration_executors.py;
   `--all-schemas` also times it without the skip, as django-tenants ships);
2. with one new tenant migration (a small table, added as a temporary file to tenants/leads and
   removed again afterwards).

Then, signed in as agency staff and as the first client's owner, p50/p95 of the portal's client
list, client health and one client's page, and of that client's dashboard pages.

The database is dropped at the end. Reports numbers; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from functools import partial
from pathlib import Path

from ops.bench import provisioning as prov

ROOT = Path(__file__).resolve().parents[2]
BENCH_DB = "bench_migrations"
PUBLIC_HOST = "shoreline.localhost"  # SHORELINE_DOMAIN of config.settings.local
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


def _provision(count: int, clone: bool) -> None:
    """Child process: shared migrations, public tenant, `count` clients.

    With `clone` (the default) only the first client goes through `client_provision`; the others are
    copies of its schema: one plain `pg_dump --schema` of the template (tables, indexes, constraints,
    sequences and rows, `django_migrations` included, so each copy is as up to date as the template)
    replayed under the new schema name, with the client's own `Client` and `Domain` rows — what
    `migrate_schemas` and the portal see of a client. django-tenants' `clone_schema` SQL function
    (TENANT_BASE_SCHEMA) was tried first: its version 2.18 writes PostgreSQL 18's named NOT NULL
    constraints back as invalid DDL and fails on our first table."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    from controlplane.clients.backup import _libpq_env, pg_bin
    from controlplane.clients.models import Client, Domain
    from controlplane.clients.services import client_domain_for, client_provision, schema_name_for

    call_command("migrate_schemas", "--shared", verbosity=0)
    call_command("ensure_public_tenant", verbosity=0)
    started = time.perf_counter()
    template = client_provision(name="Bench Client 0", slug="mig-0", industry=prov.INDUSTRIES[0],
                                plan_key="growth", owner_email="owner0@mig.example").client
    template_sql = ""
    if clone:
        dump = subprocess.run(  # noqa: S603
            [pg_bin("pg_dump"), f"--schema={template.schema_name}", "--no-owner", "--no-privileges", "--inserts"],
            env=_libpq_env(), capture_output=True, text=True, check=True)
        template_sql = "\n".join(line for line in dump.stdout.splitlines()
                                  if not line.startswith(("\\", "SET ", "SELECT pg_catalog.set_config")))
    for n in range(1, count):
        slug = f"mig-{n}"
        if not clone:
            client_provision(name=f"Bench Client {n}", slug=slug, industry=prov.INDUSTRIES[n % 6],
                             plan_key="growth", owner_email=f"owner{n}@mig.example")
        else:
            with transaction.atomic():
                client = Client(schema_name=schema_name_for(slug), name=f"Bench Client {n}", slug=slug,
                                industry_mode=prov.INDUSTRIES[n % 6], plan=template.plan)
                client.auto_create_schema = False
                client.save(verbosity=0)
                Domain.objects.create(domain=client_domain_for(slug), tenant=client, is_primary=True)
                with connection.cursor() as cursor:
                    cursor.execute(template_sql.replace(template.schema_name, client.schema_name))
                connection.set_schema_to_public()  # type: ignore[attr-defined]
        if n % 100 == 0:
            print(f"  {n} clients, {time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)
    print(json.dumps({"provision_total_s": time.perf_counter() - started}))


PAGES = ["/portal/", "/portal/health/", "/portal/clients/mig-{last}/"]
CLIENT_PAGES = ["/", "/conversations/", "/leads/", "/setup/"]


def _pages(requests: int, count: int) -> None:
    """Child process: p50/p95 of portal pages (public host, signed in as staff) and of one client's
    dashboard pages (its host, signed in as its owner) with `count` clients in the database."""
    import django

    django.setup()
    from django.db import connection
    from django.test import Client as DjangoClient
    from django.test.utils import CaptureQueriesContext

    from controlplane.accounts.models import Role, User
    from controlplane.accounts.services import user_create

    password = "bench portal password 2026"  # noqa: S105 (throwaway database)
    staff = user_create(email="staff@mig.example", role=Role.STAFF).user
    owner = User.objects.get(email="owner0@mig.example")
    for user in (staff, owner):
        user.set_password(password)
        user.must_change_password = False
        user.save()
    rows = []
    for host, email, paths in ((PUBLIC_HOST, "staff@mig.example", [p.format(last=count - 1) for p in PAGES]),
                               (f"mig-0.{PUBLIC_HOST}", "owner0@mig.example", CLIENT_PAGES)):
        browser = DjangoClient(HTTP_HOST=host)
        response = browser.post("/login/", {"username": email, "password": password})
        assert response.status_code == 302, (host, response.status_code)
        for path in paths:
            with CaptureQueriesContext(connection) as ctx:
                response = browser.get(path)
            assert response.status_code == 200, (host, path, response.status_code)
            rows.append({"host": "portal" if host == PUBLIC_HOST else "client", "page": path,
                         "queries": len(ctx.captured_queries), "bytes": len(response.content),
                         **prov.page_timings(partial(browser.get, path), requests)})
    print(json.dumps({"pages": rows}))


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
    parser.add_argument("--requests", type=int, default=30, help="timed requests per page")
    parser.add_argument("--no-clone", action="store_true", help="provision every client the full way")
    parser.add_argument("--db", default=BENCH_DB, help="name of the throwaway database")
    parser.add_argument("--no-new-migration", action="store_true", help="skip the run with one new migration")
    parser.add_argument("--all-schemas", action="store_true",
                        help="also time the nothing-to-apply run without skipping up-to-date schemas "
                             "(SHORELINE_MIGRATE_ALL_SCHEMAS=1: django-tenants as shipped)")
    parser.add_argument("--_provision", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--_pages", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args._provision:
        _provision(args._provision, clone=not args.no_clone)
        return 0
    if args._pages:
        _pages(args.requests, args._pages)
        return 0

    import psycopg

    db = args.db
    prov.BENCH_DB = db  # the helpers build URLs for this database name
    load_before = round(os.getloadavg()[0], 2)
    server, _ = prov._server_connection()
    redis_url, _ = prov._redis_url()
    env = _env(prov._database_url(server), redis_url)
    manage = [sys.executable, str(ROOT / "manage.py")]
    migrate = [*manage, "migrate_schemas", "--tenant", "--executor", "multiprocessing", "-v", "0"]
    figures: dict[str, object] = {"clients": args.clients, "machine": prov.machine_info(), "load_before": load_before}
    last = sorted(p.stem for p in PROBE.parent.glob("0*.py") if p != PROBE)[-1]
    with psycopg.connect(**server, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{db}"')
        try:
            started = time.perf_counter()
            out = subprocess.run([sys.executable, "-m", "ops.bench.migrations", "--_provision", str(args.clients),  # noqa: S603
                                  *(["--no-clone"] if args.no_clone else [])],
                                 cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True, check=True)
            figures["provisioned_by"] = "client_provision" if args.no_clone else "1 client_provision + clone_schema"
            figures["provision_total_s"] = round(json.loads(out.stdout.strip().splitlines()[-1])["provision_total_s"], 1)
            figures["provision_wall_s"] = round(time.perf_counter() - started, 1)
            figures["load_before_migrate"] = round(os.getloadavg()[0], 2)
            figures["manage_startup_s"] = round(_timed([*manage, "check", "--database", "default"], env), 1)
            figures["migrate_nothing_to_apply_s"] = round(_timed(migrate, env), 1)
            figures["load_after_nothing_to_apply"] = round(os.getloadavg()[0], 2)
            if args.all_schemas:
                figures["migrate_nothing_to_apply_all_schemas_s"] = round(
                    _timed(migrate, {**env, "SHORELINE_MIGRATE_ALL_SCHEMAS": "1"}), 1)
                figures["load_after_all_schemas"] = round(os.getloadavg()[0], 2)
            if not args.no_new_migration:
                PROBE.write_text(PROBE_TEXT.format(last=last))
                try:
                    figures["migrate_one_new_migration_s"] = round(_timed(migrate, env), 1)
                finally:
                    PROBE.unlink(missing_ok=True)
                figures["load_after_one_migration"] = round(os.getloadavg()[0], 2)
                with psycopg.connect(**{**server, "dbname": db}) as bench:
                    figures["schemas_with_new_table"] = bench.execute(
                        "SELECT count(*) FROM pg_tables WHERE tablename = 'bench_probe'").fetchone()[0]  # type: ignore[index]
            pages = subprocess.run([sys.executable, "-m", "ops.bench.migrations", "--_pages", str(args.clients),  # noqa: S603
                                    "--requests", str(args.requests)],
                                   cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True, check=True)
            figures["pages"] = json.loads(pages.stdout.strip().splitlines()[-1])["pages"]
            figures["load_after_pages"] = round(os.getloadavg()[0], 2)
        finally:
            PROBE.unlink(missing_ok=True)
            admin.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
    figures["load_after"] = round(os.getloadavg()[0], 2)
    print(json.dumps(figures, indent=None if args.json else 2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
