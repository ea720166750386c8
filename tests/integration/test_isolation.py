"""Tenant isolation: what client A writes is invisible to client B through the ORM, HTTP and tasks."""

from __future__ import annotations

import pytest
from celery import shared_task
from django.db import connection
from django_tenants.utils import schema_context, tenant_context

from controlplane.core.tasks import ClientTask, MissingClientSchema
from tenants.bots.models import Bot, BotStatus
from tenants.bots.services import bot_create, bot_set_status
from tests.conftest import CLIENT_PASSWORD, login

pytestmark = pytest.mark.django_db


@shared_task(base=ClientTask, name="tests.isolation.bot_inventory")
def bot_inventory(new_bot_name: str = "") -> dict[str, object]:
    """Test-only client task: optionally writes a bot, then reports what this schema holds."""
    if new_bot_name:
        bot_create(name=new_bot_name)
    return {"schema": connection.schema_name, "bots": sorted(Bot.objects.values_list("name", flat=True))}


def _bot_names(schema: str) -> list[str]:
    with schema_context(schema):
        return sorted(Bot.objects.values_list("name", flat=True))


def test_orm_writes_stay_in_their_schema(client_alpha, client_bravo):
    bravo_before = _bot_names("c_bravo")
    with tenant_context(client_alpha):
        secret = bot_create(name="Alpha private concierge")
        assert Bot.objects.filter(name="Alpha private concierge").count() == 1
    with tenant_context(client_bravo):
        assert not Bot.objects.filter(name="Alpha private concierge").exists()
        assert not Bot.objects.filter(pk=secret.pk, name=secret.name).exists()
    assert _bot_names("c_bravo") == bravo_before == ["Bravo Co assistant"]
    assert _bot_names("c_alpha") == ["Alpha Co assistant", "Alpha private concierge"]
    # and the public schema has no tenant tables at all
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('public.bots_bot')")
        assert cursor.fetchone() == (None,)


def test_status_change_in_one_client_leaves_the_other_alone(client_alpha, client_bravo):
    with tenant_context(client_bravo):
        bravo_status = Bot.objects.get().status
    with tenant_context(client_alpha):
        bot_set_status(bot=Bot.objects.get(), status=BotStatus.PAUSED, reason="isolation test")
    with tenant_context(client_bravo):
        assert Bot.objects.get().status == bravo_status != BotStatus.PAUSED
    with tenant_context(client_alpha):
        assert Bot.objects.get().status == BotStatus.PAUSED


def test_http_dashboard_shows_only_its_own_clients_data(http, client_alpha, client_bravo):
    with tenant_context(client_alpha):
        bot_set_status(bot=Bot.objects.get(), status=BotStatus.PAUSED, reason="isolation test")
    pages = {}
    for slug in ("alpha", "bravo"):
        browser = http(slug)
        assert login(browser, f"owner@{slug}.test", CLIENT_PASSWORD).status_code == 302
        pages[slug] = browser.get("/")
        assert pages[slug].status_code == 200
    alpha_bot, bravo_bot = pages["alpha"].context["bot"], pages["bravo"].context["bot"]
    assert (alpha_bot.name, alpha_bot.status) == ("Alpha Co assistant", "paused")
    assert bravo_bot.name == "Bravo Co assistant"
    assert bravo_bot.status != "paused"
    alpha_body, bravo_body = pages["alpha"].content.decode(), pages["bravo"].content.decode()
    assert "Bravo Co assistant" in bravo_body
    assert "Alpha Co assistant" in alpha_body
    assert "Alpha Co" not in bravo_body
    assert "Bravo Co" not in alpha_body


def test_client_task_runs_in_the_schema_it_was_queued_from(client_alpha, client_bravo):
    with tenant_context(client_alpha):
        alpha = bot_inventory.apply(args=["Written by a task"]).get()
    with tenant_context(client_bravo):
        bravo = bot_inventory.apply().get()
    assert alpha == {"schema": "c_alpha", "bots": ["Alpha Co assistant", "Written by a task"]}
    assert bravo == {"schema": "c_bravo", "bots": ["Bravo Co assistant"]}


def test_task_switches_to_the_schema_in_its_headers_and_back(client_alpha, client_bravo):
    # What a worker does: the message carries alpha's schema, the connection was elsewhere.
    with tenant_context(client_bravo):
        result = bot_inventory.apply(headers={"_schema_name": "c_alpha"}).get()
        assert connection.schema_name == "c_bravo"
    assert result == {"schema": "c_alpha", "bots": ["Alpha Co assistant"]}


def test_client_task_from_the_public_schema_fails_closed():
    assert connection.schema_name == "public"
    result = bot_inventory.apply(args=["Should never exist"])
    assert result.failed()
    with pytest.raises(MissingClientSchema, match="Task tests.isolation.bot_inventory needs a client schema"):
        result.get()
    assert "Should never exist" not in _bot_names("c_alpha") + _bot_names("c_bravo")


def test_client_task_with_the_schema_header_stripped_fails_closed(client_alpha):
    with tenant_context(client_alpha):
        result = bot_inventory.apply(args=["Should never exist"], headers={"_schema_name": None})
    with pytest.raises(MissingClientSchema):
        result.get()
    assert "Should never exist" not in _bot_names("c_alpha")
