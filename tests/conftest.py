"""Test session: real embedded PostgreSQL + Valkey, a public tenant and two clients.

Nothing of ours is mocked. The embedded services are started here when DATABASE_URL /
REDIS_URL are unset, and stopped again at the end if this session started them.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

_started_services = False


def pytest_configure(config: pytest.Config) -> None:
    global _started_services
    if not config.pluginmanager.hasplugin("django"):
        return  # a pure unit run (-p no:django) needs no services
    # The settings object is the only reader of the environment in the product;
    # tests only decide whether embedded services are needed.
    if os.environ.get("DATABASE_URL") and os.environ.get("REDIS_URL"):
        return
    from ops import embedded

    before = embedded.status()
    embedded.start_all(postgres=not os.environ.get("DATABASE_URL"), valkey=not os.environ.get("REDIS_URL"))
    _started_services = before.postgres_pid is None or before.valkey_pid is None


def pytest_unconfigure(config: pytest.Config) -> None:
    if _started_services and not os.environ.get("SHORELINE_KEEP_SERVICES"):
        from ops import embedded

        embedded.stop_all()


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix: None) -> None:
    """One test database per pytest process, so parallel runs on one machine never collide."""
    from pytest_django.fixtures import _set_suffix_to_test_databases

    _set_suffix_to_test_databases(str(os.getpid()))


@dataclass
class SeededClient:
    client: object
    host: str
    owner_email: str
    owner_password: str


PUBLIC_HOST = "shoreline.localhost"
# Every business detail the packs refer to, so seeded bots start `active` (not needs_update).
SEED_DETAILS = {
    "alpha": {"business_phone": "(555) 010-0001", "booking_url": "https://alpha.example/book",
              "menu_url": "https://alpha.example/menu", "ordering_url": "https://alpha.example/order",
              "doordash_url": "https://alpha.example/dd", "ubereats_url": "https://alpha.example/ue",
              "grubhub_url": "https://alpha.example/gh", "business_hours": "tue-sun 11:00-22:00; mon closed"},
    "bravo": {"business_phone": "(555) 010-0002", "business_email": "hi@bravo.example",
              "booking_url": "https://bravo.example/classes", "business_hours": "mon-fri 05:00-22:00; sat-sun 07:00-20:00"},
}
CLIENT_PASSWORD = "correct horse battery staple"
ADMIN_EMAIL = "admin@agency.test"
STAFF_EMAIL = "staff@agency.test"
AGENCY_PASSWORD = "correct horse battery staple admin"


SEEDED_CLIENTS = (("alpha", "restaurant"), ("bravo", "gym"))


def seed_state() -> None:
    """The session's baseline: plans, public tenant, an admin, a staff member, clients alpha and bravo.

    Safe on a complete database and on one a transactional test flushed (browser tests do that):
    a client schema orphaned by a flush is dropped before the client is provisioned again.
    """
    import importlib

    from django.apps import apps
    from django.core.management import call_command
    from django.db import connection

    from controlplane.accounts.models import Role, User
    from controlplane.clients.models import Client
    from controlplane.clients.services import client_provision, schema_name_for

    connection.set_schema_to_public()
    importlib.import_module("controlplane.billing.migrations.0002_seed_plans").seed(apps, None)
    call_command("ensure_public_tenant", verbosity=0, stdout=io.StringIO())
    for email, role in ((ADMIN_EMAIL, Role.PLATFORM_ADMIN), (STAFF_EMAIL, Role.STAFF)):
        if not User.objects.filter(email=email).exists():
            User.objects.create_user(email, AGENCY_PASSWORD, role=role)
    for slug, industry in SEEDED_CLIENTS:
        if Client.objects.filter(slug=slug).exists():
            continue
        with connection.cursor() as cursor:
            cursor.execute(f'DROP SCHEMA IF EXISTS "{schema_name_for(slug)}" CASCADE')
        result = client_provision(name=f"{slug.title()} Co", slug=slug, industry=industry, plan_key="growth",
                                  owner_email=f"owner@{slug}.test", details=SEED_DETAILS[slug])
        result.owner.set_password(CLIENT_PASSWORD)
        result.owner.must_change_password = False
        result.owner.save()
    connection.set_schema_to_public()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    """The baseline of seed_state(), committed once per session."""
    with django_db_blocker.unblock():
        seed_state()


@pytest.fixture(autouse=True)
def _public_schema_after_each_test(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    if not request.config.pluginmanager.hasplugin("django"):
        return
    from django.db import connection

    connection.set_schema_to_public()


@pytest.fixture(autouse=True)
def _clean_cache(request: pytest.FixtureRequest) -> Iterator[None]:
    """Rate limits, lockouts and nonces live in the test Valkey database; start each test clean."""
    yield
    if not request.config.pluginmanager.hasplugin("django"):
        return
    import redis
    from django.conf import settings

    # Only this run's keys: other test runs may share the Valkey database.
    client = redis.Redis.from_url(settings.CACHES["default"]["LOCATION"])
    keys = list(client.scan_iter(match=f"*{settings.TEST_RUN_KEY_PREFIX}*", count=500))
    if keys:
        client.delete(*keys)
    # The per-process widget caches are stamped with config versions kept in those keys; a rolled-back
    # test leaves no bump behind, so forget them too.
    from widget.access import widget_caches_clear

    widget_caches_clear()


@pytest.fixture
def client_alpha(db):  # type: ignore[no-untyped-def]
    from controlplane.clients.models import Client

    return Client.objects.get(slug="alpha")


@pytest.fixture
def client_bravo(db):  # type: ignore[no-untyped-def]
    from controlplane.clients.models import Client

    return Client.objects.get(slug="bravo")


@pytest.fixture
def admin_user(db):  # type: ignore[no-untyped-def]
    from controlplane.accounts.models import User

    return User.objects.get(email=ADMIN_EMAIL)


@pytest.fixture
def staff_user(db):  # type: ignore[no-untyped-def]
    from controlplane.accounts.models import User

    return User.objects.get(email=STAFF_EMAIL)


def host_for(slug: str | None) -> str:
    return PUBLIC_HOST if slug is None else f"{slug}.{PUBLIC_HOST}"


@pytest.fixture
def http():  # type: ignore[no-untyped-def]
    """A factory of Django test clients bound to one host: http(None) public, http('alpha')."""
    from django.test import Client as DjangoClient

    def make(slug: str | None = None, **kwargs: object) -> DjangoClient:
        return DjangoClient(HTTP_HOST=host_for(slug), **kwargs)  # type: ignore[arg-type]

    return make


def login(http_client, email: str, password: str):  # type: ignore[no-untyped-def]
    return http_client.post("/login/", {"username": email, "password": password})


@pytest.fixture
def fake_stripe(settings):  # type: ignore[no-untyped-def]
    """The Stripe SDK pointed at a fresh local Stripe-compatible server (ops/fakes/stripe_server.py)."""
    from ops.fakes.stripe_server import FakeStripe

    fake = FakeStripe()
    with fake.running():
        settings.STRIPE_API_BASE = fake.base_url
        yield fake
