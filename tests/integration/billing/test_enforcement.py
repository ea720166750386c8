"""CX-5/CX-6 with plans: at a pause plan's quota the bot goes over_limit and answers with its
fallback without any model call (the local OpenAI server proves it); an upgrade or a new month
lifts it at once; an admin pauses and resumes a bot by hand (audited)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from controlplane.audit.models import AuditLog
from controlplane.billing.metering import current_period, usage_this_period
from controlplane.billing.models import Plan, UsagePeriod
from ops.fake_openai import FakeOpenAI
from tests.integration.bots.support import portal_as
from tests.integration.widget.support import (  # noqa: F401 (shared fixtures)
    WidgetSetup,
    _fresh_cors_cache,
    alpha,
    openai_fake_configured,
)

pytestmark = pytest.mark.django_db
QUOTA = 3
PATIO = "Our patio seats 40 guests. The patio is heated from October to April, and dogs are welcome on the patio."


@pytest.fixture
def fake_openai(settings: Any) -> Iterator[FakeOpenAI]:
    with openai_fake_configured(settings, FakeOpenAI()) as fake:
        yield fake


@pytest.fixture(autouse=True)
def patio_article(alpha: WidgetSetup) -> None:  # noqa: F811
    """Knowledge to ground answers on, so every answerable question reaches the model."""
    from tenants.knowledge.services import knowledge_source_upsert

    with alpha.schema():
        knowledge_source_upsert(bot_id=alpha.bot_id, kind="article", title="Patio", body=PATIO)


@pytest.fixture
def tiny_pause_plan(alpha: WidgetSetup) -> Plan:  # noqa: F811
    plan = Plan.objects.create(key="tiny", name="Tiny", monthly_price_cents=900, monthly_message_quota=QUOTA,
                               overage_policy="pause", sort_order=9)
    alpha.client.plan = plan
    alpha.client.save(update_fields=["plan"])
    UsagePeriod.objects.filter(client=alpha.client).delete()
    return plan


def _bot_status(alpha: WidgetSetup) -> str:  # noqa: F811
    from tenants.bots.models import Bot

    with alpha.schema():
        return Bot.objects.get(pk=alpha.bot_id).status


def test_quota_crossing_pauses_with_the_fallback_and_no_model_call_then_upgrade_lifts_it(
    alpha: WidgetSetup, tiny_pause_plan: Plan, fake_openai: FakeOpenAI, fake_stripe  # noqa: F811
) -> None:
    from tenants.bots.models import Bot
    from tenants.bots.selectors import bot_published_config

    for n in range(QUOTA):
        body = alpha.send(f"Is your patio heated in winter? ({n})").json()
        assert body["answered_by"] != "over_limit"
    assert len(fake_openai.chat_requests()) == QUOTA
    assert usage_this_period(client_id=alpha.client.pk) == QUOTA
    assert _bot_status(alpha) == "over_limit"
    assert AuditLog.objects.filter(action="bot.status_changed", data__to="over_limit",
                                   data__reason__startswith="Monthly quota reached").exists()

    response = alpha.send("Is your patio heated in winter, really?")
    assert response.status_code == 200
    with alpha.schema():
        fallback = bot_published_config(Bot.objects.get(pk=alpha.bot_id)).over_limit_message
    assert (response.json()["answered_by"], response.json()["reply"]) == ("over_limit", fallback)
    assert len(fake_openai.chat_requests()) == QUOTA  # no request reached the model
    assert usage_this_period(client_id=alpha.client.pk) == QUOTA  # the fallback is not counted

    # The admin upgrades to a larger plan: the bot answers again at once.
    portal_as("admin").post("/portal/clients/alpha/plan/", {"plan": "growth"})
    assert _bot_status(alpha) == "active"
    body = alpha.send("Is the patio heated in October?").json()
    assert body["answered_by"] != "over_limit"
    assert len(fake_openai.chat_requests()) == QUOTA + 1


def test_a_new_month_lifts_over_limit_at_the_next_message(
    alpha: WidgetSetup, tiny_pause_plan: Plan, fake_openai: FakeOpenAI  # noqa: F811
) -> None:
    for n in range(QUOTA):
        alpha.send(f"Is your patio heated in winter? ({n})")
    assert _bot_status(alpha) == "over_limit"
    assert alpha.send("Is the patio heated?").json()["answered_by"] == "over_limit"
    # The month turns: this month's counter is the previous month's now.
    UsagePeriod.objects.filter(client=alpha.client, period=current_period()).update(period="2000-01")
    body = alpha.send("Is the patio heated in April?").json()
    assert body["answered_by"] != "over_limit"
    assert _bot_status(alpha) == "active"
    assert len(fake_openai.chat_requests()) == QUOTA + 1


def test_a_soft_plan_keeps_answering_past_its_quota(alpha: WidgetSetup, fake_openai: FakeOpenAI) -> None:  # noqa: F811
    growth = Plan.objects.get(key="growth")
    UsagePeriod.objects.update_or_create(client=alpha.client, period=current_period(),
                                         defaults={"messages": growth.monthly_message_quota + 5})
    body = alpha.send("Is your patio heated in winter?").json()
    assert body["answered_by"] != "over_limit"
    assert _bot_status(alpha) == "active"
    assert usage_this_period(client_id=alpha.client.pk) == growth.monthly_message_quota + 6


def test_admin_pauses_and_resumes_a_bot_by_hand_audited_staff_cannot(
    alpha: WidgetSetup, fake_openai: FakeOpenAI  # noqa: F811
) -> None:
    path = f"/portal/clients/alpha/bots/{alpha.bot_id}/status/"
    assert portal_as("staff").post(path, {"action": "pause"}).status_code == 403
    assert _bot_status(alpha) == "active"

    assert portal_as("admin").post(path, {"action": "pause"}).status_code == 302
    assert _bot_status(alpha) == "paused"
    assert alpha.send("Is your patio heated in winter?").json()["answered_by"] == "paused"
    assert fake_openai.chat_requests() == []
    entry = AuditLog.objects.filter(action="bot.status_changed", data__to="paused").latest("id")
    assert (entry.actor_email, entry.client_slug) == ("admin@agency.test", "alpha")

    portal_as("admin").post(path, {"action": "resume"})
    assert _bot_status(alpha) == "active"
    assert alpha.send("Is your patio heated in winter, please?").json()["answered_by"] != "paused"
    assert len(fake_openai.chat_requests()) == 1
