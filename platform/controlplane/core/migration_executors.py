"""`migrate_schemas` that skips client schemas with nothing to apply (issue 18).

django-tenants runs Django's whole `migrate` command once per schema — migration loader, plan,
pre/post-migrate signals (content types, permissions) — even when a schema is up to date: about
a second of CPU per client, so a deploy with no new migration took many minutes at 1,000 clients
(docs/benchmarks.md; django-tenants issue #719 reports 12 min for 900).

This executor first reads every schema's `django_migrations` (one small SELECT each, on one
connection) and compares it with the project's migration graph, loaded once. Only schemas missing a
migration go to the real executor (`multiprocessing` by default, TENANT_MULTIPROCESSING_MAX_PROCESSES
workers; the EXECUTOR environment variable or `--executor` picks another). The check is conservative:
a schema that might be behind (no table, a squashed migration recorded under its parts) is migrated
as before. Runs with explicit arguments (an app label, a migration name, `--fake…`) and single-schema
runs (provisioning) are passed through untouched.

Enabled by GET_EXECUTOR_FUNCTION in settings; `SHORELINE_MIGRATE_ALL_SCHEMAS=1` turns the skip off.
"""

from __future__ import annotations

import os
from typing import Any

from django.db import connections
from django.db.migrations.loader import MigrationLoader
from django_tenants.migration_executors import get_executor as tenants_get_executor
from django_tenants.migration_executors.base import MigrationExecutor
from django_tenants.utils import get_public_schema_name, get_tenant_database_alias

_PASS_THROUGH_OPTIONS = ("fake", "fake_initial", "prune", "plan", "check_unapplied")


def schemas_behind(schemas: list[str], *, using: str | None = None) -> list[str]:
    """The schemas whose `django_migrations` lacks a migration of the project's graph, in order."""
    connection = connections[using or get_tenant_database_alias()]
    expected = set(MigrationLoader(None, ignore_no_migrations=True).graph.nodes)
    behind = []
    connection.set_schema_to_public()  # type: ignore[attr-defined]
    with connection.cursor() as cursor:
        for schema in schemas:
            cursor.execute("SELECT to_regclass(%s)", [f'"{schema}".django_migrations'])
            if cursor.fetchone()[0] is None:
                behind.append(schema)
                continue
            cursor.execute(f'SELECT app, name FROM "{schema}".django_migrations')  # noqa: S608 — schema names from the tenant table
            if not expected <= set(cursor.fetchall()):
                behind.append(schema)
    return behind


def get_executor(codename: str | None = None) -> type[MigrationExecutor]:
    inner = tenants_get_executor(codename)  # django-tenants' choice: --executor, else EXECUTOR, else standard

    class SkipUpToDate(inner):  # type: ignore[valid-type,misc]
        def run_migrations(self, tenants: Any = None) -> None:
            names = [getattr(t, "schema_name", t) for t in (tenants or [])]
            if not self._may_skip(names):
                super().run_migrations(tenants=tenants)
                return
            public = get_public_schema_name()
            clients = [n for n in names if n != public]
            behind = schemas_behind(clients, using=self.options.get("database"))
            if int(self.options.get("verbosity", 1)) >= 1:
                print(f"{len(clients) - len(behind)} of {len(clients)} client schemas up to date, skipped.")
            todo = ([public] if public in names else []) + behind
            if todo:
                super().run_migrations(tenants=todo)

        def _may_skip(self, names: list[str]) -> bool:
            if os.environ.get("SHORELINE_MIGRATE_ALL_SCHEMAS") == "1" or len(names) < 2:
                return False
            if self.args or self.options.get("app_label") or self.options.get("migration_name"):
                return False
            return not any(self.options.get(option) for option in _PASS_THROUGH_OPTIONS)

    SkipUpToDate.__name__ = f"SkipUpToDate{inner.__name__}"
    return SkipUpToDate
