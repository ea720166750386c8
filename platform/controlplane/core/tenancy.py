"""Typed access to the schema state django-tenants keeps on the database connection.

django-tenants swaps in its own connection wrapper (schema_name, tenant, set_schema_to_public), which
django-stubs cannot know about; these helpers are the one place that says so, so callers type-check.
"""

from __future__ import annotations

from typing import Any

from django.db import connection


def schema_name() -> str:
    """The schema the default connection is in ("public" outside any client)."""
    name: str = connection.schema_name  # type: ignore[attr-defined]  # django-tenants' wrapper
    return name


def schema_tenant() -> Any:
    """The tenant object the connection was switched to (a Client, or a FakeTenant from schema_context)."""
    return connection.tenant  # type: ignore[attr-defined]  # django-tenants' wrapper


def schema_set_public() -> None:
    """Back to the public schema (the control plane's tables)."""
    connection.set_schema_to_public()  # type: ignore[attr-defined]  # django-tenants' wrapper
