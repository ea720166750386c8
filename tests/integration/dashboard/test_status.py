"""CX-4 inactive warning, CX-5 status, CX-1 snippet (no secret), BILL-3/6 usage meter and upgrade call."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from controlplane.billing.metering import current_period
from controlplane.billing.models import UsagePeriod
from controlplane.widgets.models import AllowedOrigin, WidgetToken
from controlplane.widgets.services import allowed_origin_add, widget_token_issue
from tests.integration.analytics import builders as b

pytestmark = pytest.mark.django_db


def test_inactive_until_a_widget_loads_from_an_allowed_site(alpha_owner, client_alpha) -> None:
    AllowedOrigin.objects.filter(client=client_alpha).delete()
    allowed_origin_add(client=client_alpha, bot_id=1, origin="https://alpha.example")
    with schema_context(client_alpha.schema_name):
        b.event("widget_load", timezone.now() - timedelta(hours=1), origin="https://evil.example")
        b.event("widget_load", timezone.now() - timedelta(days=8), origin="https://alpha.example")
    setup = alpha_owner.get("/setup/").context["setup"]
    assert setup.inactive
    assert "Your bot is not active" in alpha_owner.get("/").content.decode()
    with schema_context(client_alpha.schema_name):
        b.event("widget_load", timezone.now() - timedelta(days=6), origin="https://alpha.example")
    setup = alpha_owner.get("/setup/").context["setup"]
    assert not setup.inactive
    assert "Your bot is not active" not in alpha_owner.get("/").content.decode()


def test_snippet_never_shows_a_token_but_names_its_prefix(alpha_owner, client_alpha) -> None:
    issued = widget_token_issue(client=client_alpha, bot_id=1)
    body = alpha_owner.get("/setup/").content.decode()
    assert issued.raw not in body
    assert "YOUR_WIDGET_TOKEN" in body
    assert f"shl_{issued.token.prefix}_" in body
    assert "/static/widget/loader.js" in body
    WidgetToken.objects.filter(pk=issued.token.pk).delete()


def test_usage_meter_and_upgrade_call(alpha_owner, client_alpha) -> None:
    quota = client_alpha.plan.monthly_message_quota
    UsagePeriod.objects.update_or_create(client=client_alpha, period=current_period(),
                                         defaults={"messages": quota // 2})
    setup = alpha_owner.get("/setup/").context["setup"]
    assert (setup.usage.used, setup.usage.quota, setup.usage.near_limit) == (quota // 2, quota, False)
    assert "Compare plans and ask for an upgrade" not in alpha_owner.get("/setup/").content.decode()
    UsagePeriod.objects.filter(client=client_alpha, period=current_period()).update(messages=int(quota * 0.85))
    body = alpha_owner.get("/setup/").content.decode()
    assert "Compare plans and ask for an upgrade" in body
    assert 'href="/billing/#plans"' in body  # a real flow, no longer a mailto: without a recipient
    assert "mailto:" not in body
    assert f'aria-valuenow="{int(quota * 0.85)}"' in body
    assert 'data-usage-notice="near"' in alpha_owner.get("/").content.decode()


def test_status_pill_shows_the_bot_status(alpha_owner, client_alpha) -> None:
    from tenants.bots.models import Bot

    with schema_context(client_alpha.schema_name):
        Bot.objects.update(status="over_limit")
    body = alpha_owner.get("/setup/").content.decode()
    assert 'pill pill--over_limit' in body
    assert "used this month" in body
