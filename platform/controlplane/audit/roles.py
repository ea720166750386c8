"""SEC-9: the database role the application runs as.

Migrations run as the owner role (it owns every public table). The application connects as a
second role that may read and write the product tables but, on the audit table, may only SELECT
and INSERT: it cannot UPDATE, DELETE, TRUNCATE, ALTER or DISABLE TRIGGER there (ALTER and trigger
changes need ownership, which it never has). It may CREATE schemas, so provisioning a client still
works; the tables of those schemas belong to whoever migrates them.
"""

from __future__ import annotations

import re
from typing import Any

AUDIT_TABLE = "audit_auditlog"
_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def _ident(name: str) -> str:
    if not _NAME.fullmatch(name):
        raise ValueError(f"Not a plain role name: {name!r}")
    return f'"{name}"'


def app_role_statements(role: str, database: str) -> list[str]:
    r, db = _ident(role), '"' + database.replace('"', '""') + '"'
    return [
        f"GRANT CONNECT, CREATE, TEMPORARY ON DATABASE {db} TO {r}",
        f"GRANT USAGE ON SCHEMA public TO {r}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {r}",
        f"GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO {r}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {r}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO {r}",
        # The audit table: read and append only.
        f"REVOKE ALL ON {AUDIT_TABLE} FROM {r}",
        f"GRANT SELECT, INSERT ON {AUDIT_TABLE} TO {r}",
    ]


def app_role_ensure(cursor: Any, *, role: str, database: str, password: str | None = None) -> None:
    """Create (if needed) and grant the application role. Run as the owner role, after migrate."""
    r = _ident(role)
    cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
    if cursor.fetchone() is None:
        cursor.execute(f"CREATE ROLE {r} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS")
    if password:
        cursor.execute(f"ALTER ROLE {r} PASSWORD %s", [password])
    cursor.execute("SELECT nspname FROM pg_namespace WHERE nspname NOT IN ('public', 'information_schema') "
                   "AND nspname NOT LIKE 'pg\\_%%'")
    tenant_schemas = [row[0] for row in cursor.fetchall()]
    for statement in app_role_statements(role, database):
        cursor.execute(statement)
    for schema in tenant_schemas:  # existing client schemas: full use, never ownership
        s = '"' + schema.replace('"', '""') + '"'
        cursor.execute(f"GRANT USAGE, CREATE ON SCHEMA {s} TO {r}")
        cursor.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {s} TO {r}")
        cursor.execute(f"GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA {s} TO {r}")
