"""BILL-1: plans mirrored in Stripe; the admin's plan pick creates or changes the subscription (audited).

Stripe here is ops/fakes/stripe_server.py over real HTTP, driven by the real stripe SDK.
"""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from controlplane.audit.models import AuditLog
from controlplane.billing.models import BillingAccount, Plan
from controlplane.clients.models import Client
from tests.integration.bots.support import flash_messages, portal_as

pytestmark = pytest.mark.django_db


def _subscription(fake, account: BillingAccount) -> dict:
    return fake.objects[account.stripe_subscription_id]


def _prices(sub: dict) -> list[str]:
    return sorted(item["price"]["id"] for item in sub["items"]["data"])


def test_sync_plans_creates_products_and_prices_once_and_follows_price_changes(fake_stripe):
    out = io.StringIO()
    call_command("stripe_sync_plans", stdout=out)
    growth = Plan.objects.get(key="growth")
    starter = Plan.objects.get(key="starter")
    assert growth.stripe_product_id.startswith("prod_")
    assert growth.stripe_price_id.startswith("price_")
    assert fake_stripe.objects[growth.stripe_price_id]["unit_amount"] == growth.monthly_price_cents
    # A soft-limit plan gets a metered overage price on the overage meter; a pause plan does not.
    overage = fake_stripe.objects[growth.stripe_overage_price_id]
    assert (overage["recurring"]["usage_type"], overage["unit_amount"]) == ("metered", 200)
    assert starter.stripe_overage_price_id == ""
    assert "Plans in sync with Stripe" in out.getvalue()

    requests_before = len([r for r in fake_stripe.requests if r[0] == "POST" and r[1] == "/v1/prices"])
    call_command("stripe_sync_plans", stdout=io.StringIO())
    assert len([r for r in fake_stripe.requests if r[0] == "POST" and r[1] == "/v1/prices"]) == requests_before

    old_price = growth.stripe_price_id
    Plan.objects.filter(pk=growth.pk).update(monthly_price_cents=15900)
    call_command("stripe_sync_plans", stdout=io.StringIO())
    growth.refresh_from_db()
    assert growth.stripe_price_id != old_price
    assert fake_stripe.objects[growth.stripe_price_id]["unit_amount"] == 15900
    assert fake_stripe.objects[old_price]["active"] is False


def test_admin_plan_change_creates_then_changes_the_subscription_and_is_audited(fake_stripe, client_alpha):
    admin = portal_as("admin")
    response = admin.post("/portal/clients/alpha/plan/", {"plan": "pro"}, follow=True)
    assert "Alpha Co is now on the Pro plan." in flash_messages(response)
    account = BillingAccount.objects.get(client=client_alpha)
    pro = Plan.objects.get(key="pro")
    assert account.stripe_customer_id.startswith("cus_")
    assert account.stripe_subscription_id.startswith("sub_")
    sub = _subscription(fake_stripe, account)
    assert sub["customer"] == account.stripe_customer_id
    assert _prices(sub) == sorted([pro.stripe_price_id, pro.stripe_overage_price_id])
    first = AuditLog.objects.filter(action="client.plan_changed", client_slug="alpha").latest("id")
    assert (first.actor_email, first.data["to"], first.data["stripe_subscription"]) == (
        "admin@agency.test", "pro", account.stripe_subscription_id)

    admin.post("/portal/clients/alpha/plan/", {"plan": "starter"})
    client_alpha.refresh_from_db()
    starter = Plan.objects.get(key="starter")
    assert client_alpha.plan == starter
    account.refresh_from_db()
    sub = _subscription(fake_stripe, account)
    assert sub["id"] == first.data["stripe_subscription"]  # the same subscription, changed
    assert _prices(sub) == [starter.stripe_price_id]
    update = [r for r in fake_stripe.requests if r[0] == "POST" and r[1] == f"/v1/subscriptions/{sub['id']}"]
    assert update[-1][2]["proration_behavior"] == "create_prorations"
    assert AuditLog.objects.filter(action="client.plan_changed", client_slug="alpha").latest("id").data[
        "from"] == "pro"
    # Stripe issued the first invoice and the prorated one (a downgrade prorates to nothing here).
    invoices = [o for o in fake_stripe.objects.values() if o["object"] == "invoice"]
    assert [i["billing_reason"] for i in sorted(invoices, key=lambda i: i["number"])][0] == "subscription_create"


def test_staff_cannot_change_plans_and_stripe_hears_nothing(fake_stripe, client_alpha):
    before = client_alpha.plan_id
    response = portal_as("staff").post("/portal/clients/alpha/plan/", {"plan": "pro"})
    assert response.status_code == 403
    client_alpha.refresh_from_db()
    assert client_alpha.plan_id == before
    assert fake_stripe.requests == []
    assert not AuditLog.objects.filter(action="client.plan_changed", client_slug="alpha").exists()


def test_stripe_down_leaves_the_plan_unchanged_with_a_clear_message(client_alpha, settings):
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"  # nothing listens
    before = client_alpha.plan_id
    response = portal_as("admin").post("/portal/clients/alpha/plan/", {"plan": "pro"}, follow=True)
    assert any(m.startswith("The plan was not changed. Stripe did not accept the request") for m in
               flash_messages(response))
    client_alpha.refresh_from_db()
    assert client_alpha.plan_id == before


def test_provisioning_creates_a_stripe_customer(fake_stripe, django_capture_on_commit_callbacks):
    from controlplane.clients.services import client_provision

    with django_capture_on_commit_callbacks(execute=True):
        result = client_provision(name="Charlie Co", slug="charlie", industry="gym", plan_key="starter",
                                  owner_email="owner@charlie.test")
    account = BillingAccount.objects.get(client=result.client)
    customer = fake_stripe.objects[account.stripe_customer_id]
    assert (customer["email"], customer["metadata"]) == ("owner@charlie.test", {"shoreline_client": "charlie"})


def test_provisioning_succeeds_while_stripe_is_down(settings, django_capture_on_commit_callbacks):
    """Decided in docs/decisions/0018: one short try after commit; the beat task creates it later."""
    import time

    from controlplane.billing.services import PROVISIONING_TIMEOUT_S, customers_ensure_missing
    from controlplane.clients.services import client_provision
    from ops.fakes.stripe_server import FakeStripe

    settings.STRIPE_API_BASE = "http://127.0.0.1:9"
    with django_capture_on_commit_callbacks() as callbacks:
        result = client_provision(name="Delta Co", slug="delta", industry="gym", plan_key="starter",
                                  owner_email="owner@delta.test")
    started = time.monotonic()
    for callback in callbacks:
        callback()  # what runs after the commit, the Stripe attempt among it: no exception escapes
    assert time.monotonic() - started < PROVISIONING_TIMEOUT_S + 5  # bounded, whatever Stripe does
    assert Client.objects.filter(slug="delta").exists()
    assert not BillingAccount.objects.filter(client=result.client).exclude(stripe_customer_id="").exists()
    with FakeStripe().running() as fake:
        settings.STRIPE_API_BASE = fake.base_url
        assert customers_ensure_missing() >= 1
        account = BillingAccount.objects.get(client=result.client)
        assert fake.objects[account.stripe_customer_id]["metadata"] == {"shoreline_client": "delta"}


def test_a_price_stripe_no_longer_knows_is_recreated_once(fake_stripe, client_alpha):
    from controlplane.billing.services import plans_sync_to_stripe, subscription_set_plan

    plans_sync_to_stripe()
    Plan.objects.filter(key="pro").update(stripe_price_id="price_gone")
    account = subscription_set_plan(client=client_alpha, plan=Plan.objects.get(key="pro"))
    pro = Plan.objects.get(key="pro")
    assert pro.stripe_price_id != "price_gone"
    assert pro.stripe_price_id in _prices(fake_stripe.objects[account.stripe_subscription_id])
