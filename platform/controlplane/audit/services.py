"""The only writer of the audit log (SEC-9)."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.http import HttpRequest
from django.utils import timezone

from controlplane.audit.models import AuditLog
from controlplane.clients.models import Client
from controlplane.core import tenancy

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


def _chain_key() -> bytes:
    """The HMAC key lives in settings (the environment), never in the database: whoever can rewrite
    rows cannot recompute valid hashes for them."""
    configured = getattr(settings, "AUDIT_HMAC_KEY", "") or ""
    if configured:
        return configured.encode()
    return hmac.new(settings.SECRET_KEY.encode(), b"shoreline-audit-chain-v2", hashlib.sha256).digest()


def audit_row_hash(row: AuditLog) -> str:
    return hmac.new(_chain_key(), _canonical(row), hashlib.sha256).hexdigest()


def _connection_client_slug() -> str:
    """The client whose schema the connection is on, or "" on the public schema.

    Under schema_context() django-tenants sets a FakeTenant that has a schema name but no
    slug, so callers that read connection.tenant.slug get "" there; look the slug up instead.
    """
    schema = tenancy.schema_name()
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
    hashes: dict[int, str] = {}
    anchors = audit_anchors_read()
    anchored_ids = {a["id"] for a in anchors}
    for row in AuditLog.objects.order_by("id").iterator(chunk_size=2000):
        checked += 1
        if row.prev_hash != expected_prev:
            return ChainReport(checked, row.pk, "its prev_hash does not match the previous row's hash")
        if audit_row_hash(row) != row.hash:
            return ChainReport(checked, row.pk, "its contents do not match its hash")
        if row.pk in anchored_ids:
            hashes[row.pk] = row.hash
        expected_prev = row.hash
    for anchor in anchors:
        if anchor.get("bad_signature"):
            return ChainReport(checked, anchor["id"], "a checkpoint outside the database has a bad signature")
        found = hashes.get(anchor["id"])
        if found is None:
            return ChainReport(checked, anchor["id"], f"the checkpointed row is missing (rows deleted or the table "
                                                      f"truncated; the checkpoint counted {anchor['count']} rows)")
        if found != anchor["hash"]:
            return ChainReport(checked, anchor["id"], "the row differs from its checkpoint (the chain was rewritten)")
    return ChainReport(checked, None)


# --- Anchors: the chain head, signed and kept outside the table --------------------------------------
_anchor_log = logging.getLogger("shoreline.audit.anchor")


def _anchor_path() -> Path:
    return Path(settings.AUDIT_ANCHOR_PATH)


def _anchor_signature(payload: dict[str, Any]) -> str:
    body = json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()
    return hmac.new(_chain_key(), b"anchor:" + body, hashlib.sha256).hexdigest()


def audit_checkpoint() -> dict[str, Any] | None:
    """Append the current chain head (id, hash, row count) as a signed line to the anchor file and the
    log. Run periodically by beat; deleting the newest rows or truncating the table afterwards no
    longer matches the anchor, and the anchor cannot be forged without the key."""
    head = AuditLog.objects.order_by("-id").values("id", "hash").first()
    if head is None:
        return None
    payload = {"id": head["id"], "hash": head["hash"], "count": AuditLog.objects.count(),
               "at": timezone.now().isoformat()}
    line = {**payload, "sig": _anchor_signature(payload)}
    path = _anchor_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(line, sort_keys=True) + "\n")
    _anchor_log.info("audit chain checkpoint %s", json.dumps(line, sort_keys=True))
    return line


def audit_anchors_read() -> list[dict[str, Any]]:
    path = _anchor_path()
    if not path.exists():
        return []
    anchors = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        if not raw.strip():
            continue
        try:
            line = json.loads(raw)
            payload = {k: line[k] for k in ("id", "hash", "count", "at")}
        except (ValueError, KeyError, TypeError):
            anchors.append({"id": 0, "count": 0, "hash": "", "bad_signature": True})
            continue
        if not hmac.compare_digest(str(line.get("sig", "")), _anchor_signature(payload)):
            payload["bad_signature"] = True
        anchors.append(payload)
    return anchors
