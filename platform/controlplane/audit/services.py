"""The only writer of the audit log (SEC-9)."""

from __future__ import annotations

import hashlib
import ipaddress
import json
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.http import HttpRequest
from django.utils import timezone

from controlplane.audit.models import AuditLog
from controlplane.clients.models import Client

GENESIS_HASH = "0" * 64
# Any constant works; it serialises appends so each row sees its true predecessor.
_CHAIN_LOCK_KEY = 0x5309


def _canonical(row: AuditLog) -> bytes:
    payload = {
        "created_at": row.created_at.isoformat(),
        "actor_email": row.actor_email,
        "actor_role": row.actor_role,
        "action": row.action,
        "client_slug": row.client_slug,
        "target_type": row.target_type,
        "target_id": row.target_id,
        "data": row.data,
        "ip_address": row.ip_address,
        "prev_hash": row.prev_hash,
    }
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str).encode()


def audit_row_hash(row: AuditLog) -> str:
    return hashlib.sha256(_canonical(row)).hexdigest()


def _connection_client_slug() -> str:
    """The client whose schema the connection is on, or "" on the public schema.

    Under schema_context() django-tenants sets a FakeTenant that has a schema name but no
    slug, so callers that read connection.tenant.slug get "" there; look the slug up instead.
    """
    schema = connection.schema_name
    if not schema or schema == "public":
        return ""
    slug = getattr(getattr(connection, "tenant", None), "slug", "")
    if slug:
        return str(slug)

    return Client.objects.filter(schema_name=schema).values_list("slug", flat=True).first() or ""


def _client_ip(request: HttpRequest | None) -> str | None:
    """REMOTE_ADDR exactly as PostgreSQL will print it back from the inet column.

    The row hash covers this text, so it must be the stored form: "2001:0DB8::0001" comes back
    as "2001:db8::1", and hashing the raw header would make the verifier report an intact row
    as tampered. A value inet cannot hold (a zone id, garbage) is not recorded at all.
    """
    if request is None:
        return None
    raw = (request.META.get("REMOTE_ADDR") or "").split("%", 1)[0].strip()
    try:
        ipaddress.ip_address(raw)
    except ValueError:
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT %s::inet", [raw])
        return str(cursor.fetchone()[0])


def audit_record(
    *,
    action: str,
    actor: Any = None,
    actor_email: str = "",
    client_slug: str = "",
    target: Any = None,
    target_type: str = "",
    target_id: str | int = "",
    data: dict[str, Any] | None = None,
    request: HttpRequest | None = None,
) -> AuditLog:
    """Append one entry to the hash chain. Runs inside the caller's transaction."""
    if actor is not None and getattr(actor, "is_authenticated", False):
        actor_email = actor.email
        actor_role = actor.role
    else:
        actor_role = ""
    # Rows written inside a client's schema always name that client, however the schema was entered.
    client_slug = client_slug or _connection_client_slug()
    if target is not None:
        target_type = target_type or target._meta.label_lower
        target_id = target_id or target.pk
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK_KEY])
        last = AuditLog.objects.order_by("-id").values_list("hash", flat=True).first()
        row = AuditLog(
            created_at=timezone.now(),
            actor_email=actor_email or "",
            actor_role=actor_role,
            action=action,
            client_slug=client_slug,
            target_type=target_type,
            target_id=str(target_id),
            data=json.loads(json.dumps(data or {}, default=str)),
            ip_address=_client_ip(request),
            prev_hash=last or GENESIS_HASH,
        )
        row.hash = audit_row_hash(row)
        row.save(force_insert=True)
    return row


@dataclass(frozen=True)
class ChainReport:
    rows_checked: int
    first_broken_id: int | None
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.first_broken_id is None


def audit_verify_chain() -> ChainReport:
    expected_prev = GENESIS_HASH
    checked = 0
    for row in AuditLog.objects.order_by("id").iterator(chunk_size=2000):
        checked += 1
        if row.prev_hash != expected_prev:
            return ChainReport(checked, row.pk, "its prev_hash does not match the previous row's hash")
        if audit_row_hash(row) != row.hash:
            return ChainReport(checked, row.pk, "its contents do not match its hash")
        expected_prev = row.hash
    return ChainReport(checked, None)
