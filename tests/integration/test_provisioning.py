"""Provisioning: the service, the command, and failures that leave nothing behind."""

from __future__ import annotations

import json
import subprocess
import sys
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from controlplane.accounts.models import Membership, User
from controlplane.audit.models import AuditLog
from controlplane.clients.models import Client, Domain
from controlplane.clients.services import ProvisioningError, client_provision
from controlplane.clients.signals import client_provisioned


def _schema_exists(name: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", [name])
        return cursor.fetchone() is not None


def test_create_client_command_json_creates_everything(db):
    out = StringIO()
    call_command("create_client", "--name", "Fade Factory", "--slug", "fade-factory", "--industry",
                 "barbershop", "--plan", "starter", "--owner-email", "Owner@Fade.test", "--json", stdout=out)
    payload = json.loads(out.getvalue())
    assert set(payload) == {"slug", "domain", "owner_email", "one_time_password"}
    assert payload["slug"] == "fade-factory"
    assert payload["domain"] == "fade-factory.shoreline.localhost"
    assert payload["owner_email"] == "owner@fade.test"
    client = Client.objects.get(slug="fade-factory")
    assert client.schema_name == "c_fade_factory"
    assert _schema_exists("c_fade_factory")
    assert client.plan.key == "starter"
    assert client.industry_mode == "barbershop"
    assert Domain.objects.get(tenant=client).domain == "fade-factory.shoreline.localhost"
    owner = User.objects.get(email="owner@fade.test")
    assert owner.must_change_password
    assert owner.check_password(payload["one_time_password"])
    assert Membership.objects.filter(user=owner, client=client, role="owner").exists()
    assert AuditLog.objects.filter(action="client.created", client_slug="fade-factory").count() == 1
    # the tenant app filled the new schema through the provisioning signal
    from django_tenants.utils import schema_context

    from tenants.bots.models import Bot

    with schema_context(client.schema_name):
        assert list(Bot.objects.values_list("name", flat=True)) == ["Fade Factory assistant"]


@pytest.mark.parametrize(
    ("slug", "message"),
    [
        ("Alpha-Two", "is invalid"),
        ("-edge", "is invalid"),
        ("has_underscore", "is invalid"),
        ("admin", "is reserved"),
        ("public", "is reserved"),
        ("www", "is reserved"),
        ("widget", "is reserved"),
        ("alpha", "already exists"),
    ],
)
def test_bad_slugs_are_refused_and_nothing_is_created(db, slug, message):
    clients_before, users_before = Client.objects.count(), User.objects.count()
    with pytest.raises(CommandError, match=message):
        call_command("create_client", "--name", "X", f"--slug={slug}", "--industry", "gym",
                     "--plan", "pro", "--owner-email", "new@x.test")
    assert (Client.objects.count(), User.objects.count()) == (clients_before, users_before)


def test_case_insensitive_duplicate_of_existing_slug_is_refused(db):
    # A legacy row with capitals must still block its lowercase twin (django-tenants #846).
    with connection.cursor() as cursor:
        cursor.execute("UPDATE clients_client SET slug = 'Bravo' WHERE slug = 'bravo'")
    with pytest.raises(ProvisioningError, match="already exists"):
        client_provision(name="B2", slug="bravo", industry="gym", plan_key="pro", owner_email="b2@x.test")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"industry": "bakery"}, "Unknown industry mode 'bakery'"),
        ({"plan_key": "platinum"}, "Unknown plan 'platinum'"),
        ({"owner_email": "not-an-email"}, "is not a valid address"),
        ({"owner_email": "owner@alpha.test"}, "already exists"),
    ],
)
def test_bad_arguments_are_refused(db, kwargs, message):
    args = {"name": "Y", "slug": "yankee", "industry": "gym", "plan_key": "pro", "owner_email": "y@y.test"}
    with pytest.raises(ProvisioningError, match=message):
        client_provision(**{**args, **kwargs})
    assert not Client.objects.filter(slug="yankee").exists()
    assert not _schema_exists("c_yankee")


def test_failure_after_schema_creation_rolls_everything_back(db):
    """A tenant app failing mid-provisioning leaves no client, schema, domain, user or audit row."""
    audit_before = AuditLog.objects.count()

    def failing_tenant_app(sender, client, **kwargs):
        assert _schema_exists(client.schema_name)  # we really got past schema creation
        raise RuntimeError("tenant app exploded")

    client_provisioned.connect(failing_tenant_app, dispatch_uid="test-failing")
    try:
        with pytest.raises(ProvisioningError, match="rolled back: tenant app exploded"):
            client_provision(name="Zed", slug="zed", industry="realtor", plan_key="pro", owner_email="z@z.test")
    finally:
        client_provisioned.disconnect(dispatch_uid="test-failing")
    assert connection.schema_name == "public"
    assert not Client.objects.filter(slug="zed").exists()
    assert not Domain.objects.filter(domain__startswith="zed.").exists()
    assert not User.objects.filter(email="z@z.test").exists()
    assert not _schema_exists("c_zed")
    assert AuditLog.objects.count() == audit_before


def test_command_exits_non_zero_with_one_sentence():
    result = subprocess.run(
        [sys.executable, "manage.py", "create_client", "--name", "Q", "--slug", "admin", "--industry", "gym",
         "--plan", "pro", "--owner-email", "q@q.test"],
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert result.returncode == 1
    assert result.stderr.strip() == "CommandError: The slug 'admin' is reserved; choose another."
