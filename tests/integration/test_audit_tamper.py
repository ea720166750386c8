"""SEC-9: the audit chain survives an attacker with database access.

1. The application role cannot ALTER, DISABLE TRIGGER, UPDATE, DELETE or TRUNCATE the audit table
   (a real second PostgreSQL role, connected over the real socket).
2. Whoever does get owner rights and rewrites rows (trigger disabled, hashes recomputed), deletes
   the newest rows or TRUNCATEs the table is caught by verify_audit_chain: the chain is keyed
   (HMAC, key outside the database) and its head is anchored in a signed file outside the table.
"""

from __future__ import annotations

import hashlib
import json
import os

import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from controlplane.audit.models import AuditLog
from controlplane.audit.roles import app_role_ensure
from controlplane.audit.services import _canonical, audit_checkpoint, audit_record, audit_verify_chain

# Plain django_db: every tampering move happens inside the test's transaction and is rolled back (a
# transaction=True test would flush the session seed). The app role is set up over a second, owner
# connection in autocommit, because a role made inside the test transaction is invisible to others.
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def anchor_file(settings, tmp_path):
    settings.AUDIT_ANCHOR_PATH = tmp_path / "anchors.log"
    return settings.AUDIT_ANCHOR_PATH


def _owner(sql: str, params: list[object] | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])


def _chain(n: int) -> list[AuditLog]:
    return [audit_record(action="test.tamper", data={"n": i}) for i in range(n)]


def test_intact_chain_with_anchor_verifies():
    _chain(3)
    audit_checkpoint()
    _chain(2)  # rows after the last anchor are fine
    assert audit_verify_chain().ok
    call_command("verify_audit_chain")


def test_disabled_trigger_rewritten_rows_and_recomputed_plain_hashes_are_detected():
    rows = _chain(4)
    audit_checkpoint()
    # The attacker rewrites row 2 and every later row, recomputing a SHA-256 chain as the old code did.
    _owner("ALTER TABLE audit_auditlog DISABLE TRIGGER audit_log_append_only")
    previous = rows[0].hash
    for row in rows[1:]:
        row.refresh_from_db()
        row.data = {"n": 999} if row.pk == rows[1].pk else row.data
        row.prev_hash = previous
        row.hash = hashlib.sha256(_canonical(row)).hexdigest()
        _owner("UPDATE audit_auditlog SET data = %s::jsonb, prev_hash = %s, hash = %s WHERE id = %s",
               [json.dumps(row.data), row.prev_hash, row.hash, row.pk])
        previous = row.hash
    _owner("ALTER TABLE audit_auditlog ENABLE TRIGGER audit_log_append_only")
    report = audit_verify_chain()
    assert (report.ok, report.first_broken_id, report.reason) == (
        False, rows[1].pk, "its contents do not match its hash")


def test_deleting_the_newest_rows_is_detected():
    rows = _chain(4)
    audit_checkpoint()
    _owner("ALTER TABLE audit_auditlog DISABLE TRIGGER audit_log_append_only")
    _owner("DELETE FROM audit_auditlog WHERE id >= %s", [rows[2].pk])
    _owner("ALTER TABLE audit_auditlog ENABLE TRIGGER audit_log_append_only")
    with pytest.raises(CommandError, match=rf"row {rows[3].pk}: the checkpointed row is missing"):
        call_command("verify_audit_chain")


def test_truncate_is_detected():
    _chain(3)
    audit_checkpoint()
    _owner("TRUNCATE audit_auditlog")
    _chain(1)  # a fresh, self-consistent chain does not hide it
    report = audit_verify_chain()
    assert not report.ok
    assert "checkpointed row is missing" in report.reason


def test_forged_anchor_is_detected(anchor_file):
    _chain(2)
    line = json.loads(json.dumps(audit_checkpoint()))
    line["count"] = 1
    anchor_file.write_text(json.dumps(line) + "\n")
    report = audit_verify_chain()
    assert (report.ok, report.reason) == (False, "a checkpoint outside the database has a bad signature")


def _connect_params(user: str) -> dict[str, object]:
    db = connection.settings_dict
    params: dict[str, object] = {"dbname": db["NAME"], "host": db["HOST"], "user": user, "autocommit": True}
    if db.get("PORT"):
        params["port"] = db["PORT"]
    if user == db["USER"] and db.get("PASSWORD"):
        params["password"] = db["PASSWORD"]
    return params


@pytest.fixture
def app_role():
    name = f"shoreline_app_t{os.getpid()}"
    with psycopg.connect(**_connect_params(connection.settings_dict["USER"])) as owner:
        app_role_ensure(owner.cursor(), role=name, database=connection.settings_dict["NAME"])
    yield _connect_params(name)
    with psycopg.connect(**_connect_params(connection.settings_dict["USER"])) as owner:
        owner.execute(f'DROP OWNED BY "{name}"')
        owner.execute(f'DROP ROLE "{name}"')


@pytest.mark.parametrize("statement", [
    "UPDATE audit_auditlog SET action = 'x'",
    "DELETE FROM audit_auditlog",
    "TRUNCATE audit_auditlog",
    "ALTER TABLE audit_auditlog DISABLE TRIGGER audit_log_append_only",
    "ALTER TABLE audit_auditlog DISABLE TRIGGER ALL",
    "DROP TRIGGER audit_log_append_only ON audit_auditlog",
    "DROP TABLE audit_auditlog",
    "CREATE OR REPLACE FUNCTION audit_log_reject_change() RETURNS trigger AS $$ BEGIN RETURN NEW; END $$ "
    "LANGUAGE plpgsql",
])
def test_app_role_cannot_tamper(app_role, statement):
    with psycopg.connect(**app_role) as app:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            app.execute(statement)


def test_app_role_can_read_append_and_use_product_tables(app_role):
    with psycopg.connect(**{**app_role, "autocommit": False}) as app:  # rolled back when the block ends
        app.execute("SELECT count(*) FROM audit_auditlog").fetchone()
        inserted = app.execute(
            "INSERT INTO audit_auditlog (created_at, actor_email, actor_role, action, client_slug, target_type, "
            "target_id, data, prev_hash, hash) VALUES (now(), '', '', 'test.app', '', '', '', '{}', %s, %s) "
            "RETURNING id", ["0" * 64, "a" * 64]).fetchone()
        assert inserted
        app.execute("UPDATE accounts_user SET last_login = last_login WHERE false")
        app.execute("DELETE FROM django_session WHERE false")
        app.execute("CREATE SCHEMA app_role_probe")
        app.execute("CREATE TABLE app_role_probe.t (id int)")
        app.rollback()
