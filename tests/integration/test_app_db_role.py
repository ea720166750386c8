"""SEC-9: the application's request paths work under the restricted database role.

`make demo` and production run web and worker as DATABASE_APP_USER (controlplane.audit.roles); here the
test's own connection switches to such a role (SET LOCAL ROLE, undone with the test's transaction), then
drives real requests: a widget conversation, a client portal page, an audited agency action. The same
connection then still cannot delete from or truncate the audit log.
"""

from __future__ import annotations

import os
from typing import Any

import psycopg
import pytest
from django.db import ProgrammingError, connection, transaction
from django.test import Client as DjangoClient

from controlplane.audit.roles import app_role_ensure
from tests.conftest import CLIENT_PASSWORD, host_for, login
from tests.integration.widget.support import ALPHA_SITE, WidgetSetup, widget_setup

pytestmark = pytest.mark.django_db


@pytest.fixture
def alpha(client_alpha: Any) -> WidgetSetup:
    return widget_setup(client_alpha, ALPHA_SITE)


@pytest.fixture
def app_role(alpha: WidgetSetup) -> str:
    """The restricted role, created and granted inside this test's transaction (rolled back after)."""
    name = f"shoreline_app_r{os.getpid()}"
    with connection.cursor() as cursor:
        app_role_ensure(cursor, role=name, database=connection.settings_dict["NAME"])
        cursor.execute(f'SET LOCAL ROLE "{name}"')
        cursor.execute("SELECT current_user")
        assert cursor.fetchone() == (name,)
    return name


def _current_user() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        return str(cursor.fetchone()[0])


def test_widget_portal_and_audited_actions_work_under_the_app_role(app_role: str, alpha: WidgetSetup,
                                                                   admin_user: Any) -> None:
    from controlplane.audit.models import AuditLog
    from controlplane.widgets.services import widget_token_issue
    from tests.integration.widget.support import row_counts

    # A visitor's conversation: visitor, session, messages written in the client's schema.
    session = alpha.post("/sessions", {"visitor_id": "visitor_approle_0001", "page_url": "https://www.alpha.example/"})
    assert session.status_code == 200, session.content
    reply = alpha.send("Do you deliver?", visitor="visitor_approle_0001",
                       HTTP_X_SHORELINE_VISITOR=session.json()["visitor_token"])
    assert reply.status_code == 200, reply.content
    assert row_counts(alpha.client)["Message"] == 2

    # A client signs in and opens their dashboard (sessions table, tenant reads).
    portal = DjangoClient(HTTP_HOST=host_for("alpha"))
    assert login(portal, "owner@alpha.test", CLIENT_PASSWORD).status_code == 302
    page = portal.get("/", follow=True)
    assert page.status_code == 200
    assert b"Alpha Co" in page.content

    # An audited agency action appends to the audit log.
    before = AuditLog.objects.count()
    widget_token_issue(client=alpha.client, bot_id=alpha.bot_id, actor=admin_user)
    assert AuditLog.objects.count() == before + 1
    assert _current_user() == app_role

    # ...and the very same connection cannot rewrite the log.
    for statement in ("DELETE FROM audit_auditlog", "TRUNCATE audit_auditlog",
                      "UPDATE audit_auditlog SET action = 'x'",
                      "ALTER TABLE audit_auditlog DISABLE TRIGGER ALL"):
        with pytest.raises(ProgrammingError) as refused, transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(statement)
        assert isinstance(refused.value.__cause__, psycopg.errors.InsufficientPrivilege), statement
