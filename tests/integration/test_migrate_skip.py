"""Issue 18: `migrate_schemas` skips client schemas that have nothing to apply.

The check reads each schema's django_migrations against the project's migration graph; a schema
missing any migration (or the table) is migrated as before.
"""

from __future__ import annotations

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db


def test_migrated_schemas_are_up_to_date_and_a_missing_migration_is_seen() -> None:
    from controlplane.core.migration_executors import schemas_behind

    assert schemas_behind(["c_alpha", "c_bravo"]) == []
    with connection.cursor() as cursor:
        cursor.execute('DELETE FROM "c_bravo".django_migrations WHERE app = %s AND name = %s',
                       ["leads", "0001_initial"])
        cursor.execute('CREATE SCHEMA "c_empty_probe"')
    assert schemas_behind(["c_alpha", "c_bravo", "c_empty_probe"]) == ["c_bravo", "c_empty_probe"]


def test_the_command_uses_the_skipping_executor_unless_told_otherwise(monkeypatch: pytest.MonkeyPatch) -> None:
    from django_tenants.migration_executors.multiproc import MultiprocessingExecutor
    from django_tenants.migration_executors.standard import StandardExecutor

    from controlplane.core.migration_executors import get_executor

    ran: list[list[str]] = []
    monkeypatch.setattr(StandardExecutor, "run_migrations", lambda self, tenants=None: ran.append(list(tenants)))
    with connection.cursor() as cursor:
        cursor.execute('DELETE FROM "c_bravo".django_migrations WHERE app = %s AND name = %s',
                       ["leads", "0001_initial"])
    executor = get_executor("standard")([], {"verbosity": 0})
    executor.run_migrations(tenants=["c_alpha", "c_bravo"])
    assert ran == [["c_bravo"]]
    get_executor("standard")(["leads"], {"verbosity": 0}).run_migrations(tenants=["c_alpha", "c_bravo"])
    assert ran[-1] == ["c_alpha", "c_bravo"]  # explicit arguments: every schema, as django-tenants does
    get_executor("standard")([], {"verbosity": 0}).run_migrations(tenants=["c_alpha"])
    assert ran[-1] == ["c_alpha"]  # one schema (provisioning): no check at all
    assert issubclass(get_executor("multiprocessing"), MultiprocessingExecutor)
    assert issubclass(get_executor(), StandardExecutor)  # django-tenants' default when none is named
