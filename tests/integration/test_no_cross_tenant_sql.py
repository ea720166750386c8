"""No query ever names two client schemas, or a client schema other than the one it runs in.

This is the property Citus schema-based sharding needs (docs/scaling.md): each client schema may live
on a different node, so a query may join its own schema's tables with each other and with the public
schema's (reference) tables, but never with another client's. django-tenants queries use unqualified
table names under `search_path`, so a schema name in SQL only appears where code qualifies it by hand;
this test records every statement of a realistic mix of work for client alpha and fails on any that
reaches into another client's schema.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.db import connection
from django_tenants.utils import schema_context

from tests.conftest import CLIENT_PASSWORD, login

pytestmark = pytest.mark.django_db
_SCHEMA_REF = re.compile(r'"?\b(c_[a-z0-9_]+)"?\s*\.\s*"?[a-z_]')


def client_schemas_named(sql: str) -> set[str]:
    """Client schemas a statement names explicitly (`c_alpha.table`, `"c_alpha"."table"`)."""
    return set(_SCHEMA_REF.findall(sql.lower()))


@contextmanager
def recorded() -> Iterator[list[tuple[str, str]]]:
    statements: list[tuple[str, str]] = []

    def wrapper(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        statements.append((connection.schema_name, str(sql)))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        yield statements


def violations(statements: list[tuple[str, str]]) -> list[str]:
    bad = []
    for current, sql in statements:
        named = client_schemas_named(sql)
        if len(named) > 1 or (named and named != {current}):
            bad.append(f"in {current}: {sql[:200]}")
    return bad


def test_the_detector_catches_a_cross_tenant_join():
    sql = 'SELECT * FROM "c_alpha"."conversations_message" m JOIN c_bravo.conversations_message o ON o.id = m.id'
    assert client_schemas_named(sql) == {"c_alpha", "c_bravo"}
    assert violations([("c_alpha", sql)])
    assert violations([("c_alpha", "SELECT * FROM c_bravo.leads_lead")])
    assert not violations([("c_alpha", 'SELECT * FROM "conversations_message" JOIN "public"."clients_client" ON true')])


def test_a_day_of_client_work_never_reaches_into_another_clients_schema(http, client_alpha, client_bravo):
    from tests.integration.widget.support import widget_setup

    setup = widget_setup(client_alpha, "https://alpha.example")
    with recorded() as statements:
        # a visitor chats
        assert setup.send("Do you have a patio?").status_code == 200
        # the owner reads the dashboard
        owner = http("alpha")
        assert login(owner, "owner@alpha.test", CLIENT_PASSWORD).status_code == 302
        for path in ("/", "/leads/", "/conversations/", "/setup/", "/leads/export.csv"):
            assert owner.get(path).status_code == 200, path
        # background work for every client
        from tenants.analytics.tasks import rollups_batch_task
        from tenants.conversations.tasks import conversations_end_idle_batch_task

        rollups_batch_task.apply(args=[["c_alpha", "c_bravo"]]).get()
        conversations_end_idle_batch_task.apply(args=[["c_alpha", "c_bravo"]]).get()
        with schema_context("c_bravo"):
            from tenants.bots.selectors import bot_primary

            bot_primary()
    assert len(statements) > 50
    assert {schema for schema, _ in statements} >= {"public", "c_alpha", "c_bravo"}
    assert violations(statements) == []
