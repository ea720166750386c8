"""SEC-9: the audit log is append-only (a trigger), hash-chained (a command verifies it) and written
by every service that matters."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django_tenants.utils import schema_context, tenant_context

from controlplane.accounts.models import Role, User
from controlplane.accounts.services import user_create, user_delete
from controlplane.audit.models import AuditLog
from controlplane.audit.services import GENESIS_HASH, audit_record, audit_row_hash
from controlplane.clients.services import client_change_plan
from tenants.bots.models import Bot
from tenants.bots.services import bot_set_status
from tests.conftest import CLIENT_PASSWORD, login

pytestmark = pytest.mark.django_db


def _new_rows(before_id: int) -> list[AuditLog]:
    return list(AuditLog.objects.filter(id__gt=before_id).order_by("id"))


def _last_id() -> int:
    return AuditLog.objects.order_by("-id").values_list("id", flat=True).first() or 0


def _snapshot(row_id: int) -> tuple[object, ...]:
    return tuple(AuditLog.objects.filter(pk=row_id).values_list("action", "data", "prev_hash", "hash").get())


# --- append-only --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_auditlog SET action = 'tampered' WHERE id = %s",
        "UPDATE audit_auditlog SET data = '{\"x\": 1}'::jsonb, hash = repeat('f', 64) WHERE id = %s",
        "DELETE FROM audit_auditlog WHERE id = %s",
    ],
    ids=["update-action", "update-data-and-hash", "delete"],
)
def test_trigger_rejects_raw_update_and_delete(statement):
    row = audit_record(action="test.append_only", data={"n": 1})
    before = _snapshot(row.pk)
    with pytest.raises(DatabaseError, match=r"audit log is append-only: (UPDATE|DELETE) is not allowed"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement, [row.pk])
    assert _snapshot(row.pk) == before


def test_trigger_rejects_orm_update_save_and_delete():
    row = audit_record(action="test.append_only", data={"n": 2})
    before = _snapshot(row.pk)
    with pytest.raises(DatabaseError, match="UPDATE is not allowed"), transaction.atomic():
        AuditLog.objects.filter(pk=row.pk).update(action="tampered")
    row.data = {"n": 3}
    with pytest.raises(DatabaseError, match="UPDATE is not allowed"), transaction.atomic():
        row.save()
    with pytest.raises(DatabaseError, match="DELETE is not allowed"), transaction.atomic():
        AuditLog.objects.filter(pk=row.pk).delete()
    with pytest.raises(DatabaseError, match="DELETE is not allowed"), transaction.atomic():
        AuditLog.objects.get(pk=row.pk).delete()
    assert _snapshot(row.pk) == before
    assert AuditLog.objects.filter(pk=row.pk).count() == 1


# --- hash chain -----------------------------------------------------------------------------------


def test_every_row_links_to_its_predecessor():
    for n in range(3):
        audit_record(action="test.chain", data={"n": n})
    rows = list(AuditLog.objects.order_by("id"))
    assert len(rows) >= 4  # the session seed wrote some too
    assert rows[0].prev_hash == GENESIS_HASH == "0" * 64
    for previous, row in zip(rows, rows[1:], strict=False):
        assert row.prev_hash == previous.hash
    for row in rows:
        assert row.hash == audit_row_hash(row)
        assert len(row.hash) == 64


def test_verify_command_passes_on_an_intact_chain():
    audit_record(action="test.chain", data={"n": 1})
    out = StringIO()
    call_command("verify_audit_chain", stdout=out)
    assert out.getvalue().strip() == f"Audit chain intact: {AuditLog.objects.count()} rows verified."


def _tamper(row_id: int, sql_set: str) -> None:
    # What an attacker with the database owner's rights could do; the chain must still tell.
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE audit_auditlog DISABLE TRIGGER audit_log_append_only")
        cursor.execute(f"UPDATE audit_auditlog SET {sql_set} WHERE id = %s", [row_id])  # noqa: S608
        cursor.execute("ALTER TABLE audit_auditlog ENABLE TRIGGER audit_log_append_only")


def test_verify_command_names_the_tampered_row():
    first, middle, last = (audit_record(action="test.chain", data={"n": n}) for n in range(3))
    _tamper(middle.pk, """data = '{"n": 99}'::jsonb""")
    position = AuditLog.objects.filter(id__lte=middle.pk).count()
    with pytest.raises(CommandError) as raised:
        call_command("verify_audit_chain")
    assert str(raised.value) == (
        f"Audit chain broken at row {middle.pk}: its contents do not match its hash ({position} rows checked)."
    )
    # and the trigger is back in force afterwards
    with pytest.raises(DatabaseError, match="UPDATE is not allowed"), transaction.atomic():
        AuditLog.objects.filter(pk=last.pk).update(action="x")


def test_rewriting_a_row_and_its_hash_breaks_the_next_link():
    first, middle, last = (audit_record(action="test.chain", data={"n": n}) for n in range(3))
    forged = AuditLog.objects.get(pk=middle.pk)
    forged.data = {"n": 99}
    _tamper(middle.pk, f"""data = '{{"n": 99}}'::jsonb, hash = '{audit_row_hash(forged)}'""")
    with pytest.raises(CommandError, match=rf"^Audit chain broken at row {last.pk}: its prev_hash does not match"):
        call_command("verify_audit_chain")


# --- who writes it --------------------------------------------------------------------------------


def test_plan_change_is_audited(client_alpha, admin_user, fake_stripe):
    since = _last_id()
    client_change_plan(client=client_alpha, plan_key="pro", actor=admin_user)
    [row] = [r for r in _new_rows(since) if r.action == "client.plan_changed"]
    subscription = row.data.pop("stripe_subscription")
    assert subscription in fake_stripe.objects
    assert (row.action, row.actor_email, row.actor_role, row.client_slug, row.target_type, row.target_id,
            row.data) == ("client.plan_changed", admin_user.email, "platform_admin", "alpha", "clients.client",
                          str(client_alpha.pk), {"from": "growth", "to": "pro"})


def test_plan_change_to_the_same_plan_writes_nothing(client_alpha, admin_user, fake_stripe):
    client_change_plan(client=client_alpha, plan_key="growth", actor=admin_user)  # starts the subscription
    since = _last_id()
    client_change_plan(client=client_alpha, plan_key="growth", actor=admin_user)
    assert _new_rows(since) == []


@pytest.mark.parametrize("context", ["tenant_context", "schema_context"])
def test_bot_status_change_is_audited(client_alpha, admin_user, context):
    since = _last_id()
    entered = tenant_context(client_alpha) if context == "tenant_context" else schema_context("c_alpha")
    with entered:
        bot = Bot.objects.order_by("id").first()
        previous = bot.status
        bot_set_status(bot=bot, status="paused", actor=admin_user, reason="over budget")
    [row] = _new_rows(since)
    assert (row.action, row.actor_email, row.client_slug, row.target_type, row.target_id, row.data) == (
        "bot.status_changed", admin_user.email, "alpha", "bots.bot", str(bot.pk),
        {"from": previous, "to": "paused", "reason": "over budget"},
    )


def test_user_create_and_delete_are_audited(admin_user):
    since = _last_id()
    created = user_create(email="New.Staff@Agency.test", role=Role.STAFF, actor=admin_user)
    user_pk = created.user.pk
    user_delete(user=created.user, actor=admin_user)
    rows = _new_rows(since)
    assert [(r.action, r.actor_email, r.target_id, r.data) for r in rows] == [
        ("user.created", admin_user.email, str(user_pk), {"email": "new.staff@agency.test", "role": "staff"}),
        ("user.deleted", admin_user.email, str(user_pk), {"email": "new.staff@agency.test", "role": "staff"}),
    ]
    assert not User.objects.filter(pk=user_pk).exists()


def test_failed_login_is_audited(http):
    since = _last_id()
    response = login(http(None), "admin@agency.test", "wrong password entirely")
    assert response.status_code == 200
    [row] = _new_rows(since)
    assert (row.action, row.actor_email, row.client_slug, row.ip_address) == (
        "auth.login_failed", "admin@agency.test", "", "127.0.0.1")


def test_failed_login_on_a_client_host_names_the_client(http):
    since = _last_id()
    login(http("alpha"), "owner@alpha.test", "not the password")
    assert [(r.action, r.actor_email, r.client_slug) for r in _new_rows(since)] == [
        ("auth.login_failed", "owner@alpha.test", "alpha")]


def test_lockout_is_audited(http):
    since = _last_id()
    browser = http("alpha")
    statuses = [login(browser, "owner@alpha.test", f"wrong-{n}").status_code for n in range(5)]
    assert statuses == [200, 200, 200, 200, 429]  # AXES_FAILURE_LIMIT = 5: the fifth failure locks
    failed, lockout = ("auth.login_failed", "owner@alpha.test", "alpha"), ("auth.lockout", "owner@alpha.test", "alpha")
    # axes announces the lockout while handling the fifth failure, so it is written first
    assert [(r.action, r.actor_email, r.client_slug) for r in _new_rows(since)] == [failed] * 4 + [lockout, failed]
    # locked: even the right password is refused, nobody is signed in, and the refusal is audited too
    since = _last_id()
    locked = login(browser, "owner@alpha.test", CLIENT_PASSWORD)
    assert locked.status_code == 429
    assert "_auth_user_id" not in browser.session
    assert [(r.action, r.actor_email, r.client_slug) for r in _new_rows(since)] == [lockout, failed]


def test_impersonation_is_audited(http, admin_user, client_alpha):
    from tests.conftest import AGENCY_PASSWORD

    portal = http(None)
    login(portal, admin_user.email, AGENCY_PASSWORD)
    since = _last_id()
    response = portal.post("/portal/clients/alpha/impersonate/")
    assert response.status_code == 302
    [row] = _new_rows(since)
    assert (row.action, row.actor_email, row.actor_role, row.client_slug, row.target_type, row.target_id) == (
        "impersonation.started", admin_user.email, "platform_admin", "alpha", "clients.client",
        str(client_alpha.pk))


@pytest.mark.parametrize(
    ("remote_addr", "stored"),
    [
        ("10.0.0.1", "10.0.0.1"),
        ("2001:0DB8:0000::0001", "2001:db8::1"),
        ("::FFFF:A00:1", "::ffff:10.0.0.1"),
        ("fe80::1%eth0", "fe80::1"),
        ("unknown", None),
        ("", None),
    ],
)
def test_client_address_is_hashed_in_its_stored_form(remote_addr, stored):
    """A non-canonical REMOTE_ADDR must not make an intact row look tampered with."""
    from django.test import RequestFactory

    row = audit_record(action="test.ip", request=RequestFactory().get("/", REMOTE_ADDR=remote_addr))
    assert AuditLog.objects.values_list("ip_address", flat=True).get(pk=row.pk) == stored
    call_command("verify_audit_chain", stdout=StringIO())  # raises CommandError if the row looks tampered
