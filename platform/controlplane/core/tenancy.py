"""Tenancy helpers on top of django-tenants.

- Typed access to the schema state django-tenants keeps on the database connection. django-tenants
  swaps in its own connection wrapper (schema_name, tenant, set_schema_to_public), which django-stubs
  cannot know about; these helpers are the one place that says so, so callers type-check.
- Tenant routing with the public host's lookup cached per process (issue 17). django-tenants resolves
  the tenant of every request with a query on the domain table (plus a `SET search_path`). The public
  host (the agency portal and the widget API, so every visitor message) always resolves to the
  public tenant, which never changes; this keeps that answer in memory under the `public` config
  version (bumped when a domain or client row changes, see controlplane/core/config_versions.py).
  Client hosts are looked up as before: their Client rows carry settings (branding, time zone) that
  some writers change with `QuerySet.update()`.
"""

from __future__ import annotations

import contextvars
import copy
from typing import Any

from django.db import connection
from django_tenants.middleware.main import TenantMainMiddleware
from django_tenants.utils import get_public_schema_name

from controlplane.core.config_versions import PUBLIC, VersionedCache, versions_get


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


_PUBLIC_HOSTS = VersionedCache(max_entries=64)


# The `public` config version this request's tenant routing read, for the rest of the request (the
# widget API's token cache checks against it: issue 17, one Valkey round trip less per message).
_REQUEST_PUBLIC_VERSION: contextvars.ContextVar[bytes | None] = contextvars.ContextVar("public_version", default=None)


class PublicHostCachingTenantMiddleware(TenantMainMiddleware):  # type: ignore[misc]
    def process_request(self, request: Any) -> Any:
        _REQUEST_PUBLIC_VERSION.set(None)
        response = super().process_request(request)
        request.public_config_version = _REQUEST_PUBLIC_VERSION.get()
        return response

    def get_tenant(self, domain_model: Any, hostname: str) -> Any:
        versions = versions_get(PUBLIC)
        version = versions[0] if versions else None
        _REQUEST_PUBLIC_VERSION.set(version)
        cached = _PUBLIC_HOSTS.get(hostname, version)
        if cached is not None:
            return copy.copy(cached)  # the middleware sets domain_url on it: one copy per request
        tenant = super().get_tenant(domain_model, hostname)
        if tenant.schema_name == get_public_schema_name():
            _PUBLIC_HOSTS.put(hostname, version, copy.copy(tenant))
        return tenant


def request_public_version(request: Any) -> bytes | None:
    """The `public` config version read when this request was routed (None: not read, or Valkey down)."""
    return getattr(request, "public_config_version", None)


def public_hosts_cache_clear() -> None:
    _PUBLIC_HOSTS.clear()
