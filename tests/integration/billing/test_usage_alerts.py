"""BILL-4 by email: crossing 80 % and 100 % of the plan's quota emits one outbox event per client,
period and threshold, in the reply's transaction, delivered by email (the local SendGrid, through the
real SDK) to the client's owner and the agency; a failed payment alerts the agency."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from controlplane.billing.metering import current_period, usage_record_reply
from controlplane.billing.models import Plan, UsagePeriod
from controlplane.notifications.models import Delivery, EventKind, OutboxEvent
from controlplane.notifications.outbox import delivery_send, outbox_event_plan
from ops.fake_openai import FakeOpenAI
from tests.conftest import ADMIN_EMAIL
from tests.integration.billing.conftest import post_event
from tests.integration.billing.test_overage_and_webhooks import _invoice_event, alpha_billed  # noqa: F401
from tests.integration.notifications.conftest import fake_sendgrid  # noqa: F401
from tests.integration.widget.support import (  # noqa: F401 (shared fixtures)
    WidgetSetup,
    _fresh_cors_cache,
    alpha,
    openai_fake_configured,
)

pytestmark = pytest.mark.django_db
QUOTA = 5  # 80 % is the 4th reply, 100 % the 5th
OWNER_EMAIL = "owner@alpha.test"


@pytest.fixture
def fake_openai(settings: Any) -> Iterator[FakeOpenAI]:
    with openai_fake_configured(settings, FakeOpenAI()) as fake:
        yield fake


@pytest.fixture
def small_plan(alpha: WidgetSetup, request: pytest.FixtureRequest) -> Plan:  # noqa: F811
    policy = getattr(request, "param", "pause")
    plan = Plan.objects.create(key="small", name="Small", monthly_price_cents=900, monthly_message_quota=QUOTA,
                               overage_policy=policy, sort_order=9)
    alpha.client.plan = plan
    alpha.client.save(update_fields=["plan"])
    UsagePeriod.objects.filter(client=alpha.client).delete()
    return plan


def _usage_events(client: Any) -> list[OutboxEvent]:
    return list(OutboxEvent.objects.filter(client=client, kind__in=[EventKind.USAGE_NEAR_LIMIT,
                                                                    EventKind.USAGE_LIMIT_REACHED]).order_by("pk"))


def _deliver(event: OutboxEvent) -> list[str]:
    """What the notifications worker runs for an event: plan its deliveries, send each."""
    return [delivery_send(delivery_id=d) for d in outbox_event_plan(event_id=event.pk)]


def test_crossing_80_and_100_percent_emails_owner_and_agency_once_per_period(
    alpha: WidgetSetup, small_plan: Plan, fake_openai: FakeOpenAI, fake_sendgrid: Any  # noqa: F811
) -> None:
    for n in range(3):
        assert alpha.send(f"Hello there, question {n}").status_code == 200
    assert _usage_events(alpha.client) == []  # 3 of 5: below 80 %

    alpha.send("Hello there, question 3")  # the 4th reply: 80 %
    [near] = _usage_events(alpha.client)
    assert near.kind == EventKind.USAGE_NEAR_LIMIT
    assert near.dedupe_key == f"{alpha.client.schema_name}:usage:{current_period()}:80"
    assert (near.payload["used"], near.payload["quota"], near.payload["pauses"]) == (4, QUOTA, True)
    assert sorted(_deliver(near)) == ["sent", "sent"]
    mails = fake_sendgrid.emails()
    assert sorted(m["to"][0] for m in mails) == sorted([OWNER_EMAIL, ADMIN_EMAIL])
    assert {m["subject"] for m in mails} == {"Alpha Co has used 80 % of its monthly messages"}
    assert "4 of the 5 messages in its Small plan" in mails[0]["text"]
    assert "http://alpha." in mails[0]["html"]
    assert "/billing/" in mails[0]["html"]

    alpha.send("Hello there, question 4")  # the 5th reply: the quota
    near_again, reached = _usage_events(alpha.client)
    assert near_again.pk == near.pk
    assert reached.kind == EventKind.USAGE_LIMIT_REACHED
    assert sorted(_deliver(reached)) == ["sent", "sent"]
    assert [m["subject"] for m in fake_sendgrid.emails()[2:]] == ["Alpha Co has reached its monthly message limit"] * 2
    assert "fallback message" in fake_sendgrid.emails()[-1]["text"]

    # Past the quota the fallback answers; nothing more is emitted or sent.
    assert alpha.send("Hello there, question 5").json()["answered_by"] == "over_limit"
    # The same threshold reached again this period (say the counter was corrected) is not news.
    UsagePeriod.objects.filter(client=alpha.client, period=current_period()).update(messages=3)
    usage_record_reply(client_id=alpha.client.pk)
    assert [e.pk for e in _usage_events(alpha.client)] == [near.pk, reached.pk]
    for event in _usage_events(alpha.client):
        assert _deliver(event) == []
    assert len(fake_sendgrid.emails()) == 4
    assert Delivery.objects.filter(event__in=[near, reached]).count() == 4


@pytest.mark.parametrize("small_plan", ["soft"], indirect=True)
def test_a_soft_plan_is_told_its_overage_is_billed(
    alpha: WidgetSetup, small_plan: Plan, fake_openai: FakeOpenAI, fake_sendgrid: Any  # noqa: F811
) -> None:
    UsagePeriod.objects.create(client=alpha.client, period=current_period(), messages=QUOTA - 1)
    alpha.send("Hello there")
    assert alpha.send("Hello again").json()["answered_by"] != "over_limit"
    [reached] = _usage_events(alpha.client)
    assert reached.kind == EventKind.USAGE_LIMIT_REACHED
    _deliver(reached)
    assert "billed as extra usage" in fake_sendgrid.emails()[0]["text"]


def test_no_quota_crossing_no_event(alpha: WidgetSetup, fake_openai: FakeOpenAI) -> None:  # noqa: F811
    UsagePeriod.objects.filter(client=alpha.client).delete()
    alpha.send("Hello there")  # growth: 1 of 5,000
    assert _usage_events(alpha.client) == []


def test_a_failed_payment_alerts_the_agency_once(alpha_billed, fake_stripe, http, client_alpha,  # noqa: F811
                                                 fake_sendgrid) -> None:  # noqa: F811
    failed = _invoice_event(fake_stripe, alpha_billed, "invoice.payment_failed", status="open", amount_paid=0)
    assert post_event(http(None), failed).status_code == 200
    assert post_event(http(None), {**failed, "id": failed["id"] + "b"}).status_code == 200  # Stripe retries the charge
    [event] = OutboxEvent.objects.filter(client=client_alpha, kind=EventKind.PAYMENT_FAILED)
    assert (event.payload["invoice"], event.payload["amount_label"], event.payload["grace_days"]) == (
        "TEST-0042", "149.00 USD", 7)
    assert _deliver(event) == ["sent"]
    [mail] = fake_sendgrid.emails()
    assert mail["to"] == [ADMIN_EMAIL]  # the agency only: the client's own bank told them
    assert mail["subject"] == "Payment failed for Alpha Co"
    assert "could not collect invoice TEST-0042 (149.00 USD)" in mail["text"]
    assert "/portal/clients/alpha/" in mail["text"]
