"""Soft-limit overage reaches Stripe exactly once; webhooks are verified, stored once, applied once;
failed payments pause after the grace period and payment resumes; each client sees only its own."""

from __future__ import annotations

import pytest

from controlplane.audit.models import AuditLog
from controlplane.billing.metering import current_period
from controlplane.billing.models import BillingAccount, Invoice, Plan, UsagePeriod, WebhookEvent
from controlplane.billing.overage import overage_report_all
from controlplane.billing.services import plans_sync_to_stripe, subscription_set_plan
from ops.fakes.stripe_server import FakeStripe
from tests.conftest import CLIENT_PASSWORD, login
from tests.integration.billing.conftest import post_event
from tests.integration.bots.support import client_host_as_owner

pytestmark = pytest.mark.django_db


@pytest.fixture
def alpha_billed(fake_stripe: FakeStripe, client_alpha) -> BillingAccount:
    """alpha subscribed to growth (soft limit, 5,000 messages, $2 per extra 100) in the local Stripe."""
    plans_sync_to_stripe()
    subscription_set_plan(client=client_alpha, plan=Plan.objects.get(key="growth"))
    return BillingAccount.objects.get(client=client_alpha)


def _usage(client, messages: int) -> UsagePeriod:
    row, _ = UsagePeriod.objects.update_or_create(client=client, period=current_period(),
                                                  defaults={"messages": messages})
    return row


def _reported(fake: FakeStripe) -> list[int]:
    return [int(e["payload"]["value"]) for e in fake.meter_events]


# --- overage ------------------------------------------------------------------------------------------


def test_soft_overage_is_reported_once_despite_retries(alpha_billed, fake_stripe, client_alpha, settings):
    row = _usage(client_alpha, 5250)  # 250 over: three started blocks of 100
    overage_report_all()
    assert _reported(fake_stripe) == [3]
    assert fake_stripe.meter_events[0]["payload"]["stripe_customer_id"] == alpha_billed.stripe_customer_id
    overage_report_all()  # the beat fires again with nothing new
    assert _reported(fake_stripe) == [3]

    # Stripe is down on the next run: the target is promised (pending) but nothing is marked sent.
    UsagePeriod.objects.filter(pk=row.pk).update(messages=5420)  # five blocks now
    good_base = settings.STRIPE_API_BASE
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"
    with pytest.raises(Exception, match="communicating with Stripe"):
        overage_report_all()
    row.refresh_from_db()
    assert (row.overage_units_reported, row.overage_units_pending) == (3, 5)
    settings.STRIPE_API_BASE = good_base
    overage_report_all()
    assert _reported(fake_stripe) == [3, 2]

    # A worker died after Stripe accepted the event but before the marker was saved: the retry
    # sends the identical event, Stripe refuses the duplicate, nothing is billed twice.
    UsagePeriod.objects.filter(pk=row.pk).update(overage_units_reported=3, overage_units_pending=5)
    overage_report_all()
    assert _reported(fake_stripe) == [3, 2]
    row.refresh_from_db()
    assert row.overage_units_reported == 5


def test_pause_plans_and_usage_within_quota_report_nothing(alpha_billed, fake_stripe, client_alpha):
    _usage(client_alpha, 4999)
    overage_report_all()
    assert fake_stripe.meter_events == []


# --- webhooks -----------------------------------------------------------------------------------------


def _invoice_event(fake: FakeStripe, account: BillingAccount, kind: str = "invoice.paid", **extra) -> dict:
    sub = fake.objects[account.stripe_subscription_id]
    invoice = {"id": "in_test" + kind.replace(".", "_"), "object": "invoice", "customer": account.stripe_customer_id,
               "subscription": sub["id"], "number": "TEST-0042", "status": "paid", "currency": "usd",
               "amount_due": 14900, "amount_paid": 14900, "created": 1_790_000_000,
               "period_start": 1_790_000_000, "period_end": 1_792_592_000,
               "hosted_invoice_url": "https://invoice.stripe.com/i/test", "invoice_pdf": "https://pay.stripe.com/pdf",
               **extra}
    return fake.event(kind, invoice)


def test_bad_signature_is_400_and_stores_nothing(alpha_billed, fake_stripe, http):
    event = _invoice_event(fake_stripe, alpha_billed)
    for signature in ("t=1,v1=deadbeef", "", "garbage"):
        response = post_event(http(None), event, signature=signature)
        assert response.status_code == 400
        assert "error" in response.json()
    assert post_event(http(None), event, secret="whsec_someone_else").status_code == 400
    assert WebhookEvent.objects.count() == 0
    assert Invoice.objects.count() == 0


def test_invoice_webhook_stores_the_invoice_once_and_redelivery_changes_nothing(alpha_billed, fake_stripe, http):
    event = _invoice_event(fake_stripe, alpha_billed)
    first = post_event(http(None), event)
    assert first.status_code == 200
    assert first.json()["duplicate"] is False
    again = post_event(http(None), event)
    assert (again.status_code, again.json()["duplicate"]) == (200, True)
    assert WebhookEvent.objects.filter(stripe_event_id=event["id"]).count() == 1
    invoice = Invoice.objects.get(stripe_invoice_id=event["data"]["object"]["id"])
    assert (invoice.client_id, invoice.number, invoice.amount_due_cents, invoice.status) == (
        alpha_billed.client_id, "TEST-0042", 14900, "paid")


def test_failed_payment_grace_then_pause_then_payment_resumes(alpha_billed, fake_stripe, http, client_alpha):
    from django_tenants.utils import schema_context

    from controlplane.billing.webhooks import grace_enforce_all
    from tenants.bots.models import Bot

    def statuses() -> list[str]:
        with schema_context(client_alpha.schema_name):
            return list(Bot.objects.values_list("status", flat=True))

    failed = _invoice_event(fake_stripe, alpha_billed, "invoice.payment_failed", status="open", amount_paid=0)
    assert post_event(http(None), failed).status_code == 200
    alpha_billed.refresh_from_db()
    assert alpha_billed.payment_failed_at is not None
    assert statuses() == ["active"]  # within the grace period (7 days on growth)
    assert AuditLog.objects.filter(action="billing.payment_failed", data__invoice="TEST-0042").count() == 1
    admin_page = client_alpha_portal_page()
    assert 'data-test="payment-failed"' in admin_page

    from datetime import timedelta

    from django.utils import timezone

    assert grace_enforce_all(now=timezone.now() + timedelta(days=8)) == 1
    assert statuses() == ["paused"]
    assert grace_enforce_all(now=timezone.now() + timedelta(days=9)) == 0  # once

    paid = _invoice_event(fake_stripe, alpha_billed, "invoice.paid")
    assert post_event(http(None), paid).status_code == 200
    assert statuses() == ["active"]
    alpha_billed.refresh_from_db()
    assert (alpha_billed.payment_failed_at, alpha_billed.paused_for_payment) == (None, False)


def client_alpha_portal_page() -> str:
    from tests.integration.bots.support import portal_as

    return portal_as("staff").get("/portal/clients/alpha/").content.decode()


def test_subscription_deleted_and_customer_deleted_are_mirrored(alpha_billed, fake_stripe, http):
    sub = fake_stripe.objects[alpha_billed.stripe_subscription_id]
    post_event(http(None), fake_stripe.event("customer.subscription.deleted", {**sub, "status": "canceled"}))
    alpha_billed.refresh_from_db()
    assert alpha_billed.subscription_status == "canceled"
    customer = fake_stripe.objects[alpha_billed.stripe_customer_id]
    post_event(http(None), fake_stripe.event("customer.deleted", customer))
    alpha_billed.refresh_from_db()
    assert alpha_billed.stripe_customer_id == ""


# --- the client's Billing page ----------------------------------------------------------------------------


def _invoice(client, number: str) -> Invoice:
    from django.utils import timezone

    return Invoice.objects.create(client=client, stripe_invoice_id=f"in_{number}", number=number, status="paid",
                                  amount_due_cents=4900, issued_at=timezone.now(),
                                  hosted_invoice_url=f"https://invoice.stripe.com/i/{number}")


def test_owner_sees_own_invoices_only_and_opens_the_billing_portal(fake_stripe, client_alpha, client_bravo):
    _invoice(client_alpha, "ALPHA-0001")
    _invoice(client_bravo, "BRAVO-0001")
    owner = client_host_as_owner("alpha")
    page = owner.get("/billing/").content.decode()
    assert "ALPHA-0001" in page
    assert "https://invoice.stripe.com/i/ALPHA-0001" in page
    assert "BRAVO-0001" not in page
    assert "billing.stripe.com" not in page
    assert fake_stripe.base_url not in page

    response = owner.post("/billing/portal/")
    assert response.status_code == 302
    session_id = response["Location"].rsplit("/", 1)[-1]
    session = fake_stripe.objects[session_id]
    assert session["customer"] == BillingAccount.objects.get(client=client_alpha).stripe_customer_id
    assert session["return_url"] == "http://alpha.shoreline.localhost/billing/"
    assert AuditLog.objects.filter(action="billing.portal_opened", client_slug="alpha").exists()


def test_owner_of_alpha_cannot_open_bravos_portal_or_invoices(fake_stripe, client_alpha, client_bravo, http):
    _invoice(client_bravo, "BRAVO-0002")
    owner = client_host_as_owner("alpha")
    # The same session presented on bravo's host is signed out there (HostMembershipMiddleware).
    cookie = owner.cookies
    other = http("bravo")
    other.cookies = cookie
    response = other.get("/billing/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
    response = other.post("/billing/portal/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
    assert not [o for o in fake_stripe.objects.values() if o["object"] == "billing_portal.session"]
    assert not BillingAccount.objects.filter(client=client_bravo).exclude(stripe_customer_id="").exists()


def test_a_viewer_may_read_billing_but_not_open_the_portal_or_request_plans(fake_stripe, client_alpha, http):
    from controlplane.accounts.models import Membership, Role
    from controlplane.accounts.services import user_create

    created = user_create(email="viewer@alpha.test", role=Role.CLIENT, client=client_alpha,
                          membership_role=Membership.MemberRole.VIEWER)
    created.user.set_password(CLIENT_PASSWORD)
    created.user.must_change_password = False
    created.user.save()
    viewer = http("alpha")
    assert login(viewer, "viewer@alpha.test", CLIENT_PASSWORD).status_code == 302
    page = viewer.get("/billing/")
    assert page.status_code == 200
    assert "Only the account owner can change payment details." in page.content.decode()
    assert viewer.post("/billing/portal/").status_code == 403
    assert viewer.post("/billing/plan-request/", {"plan": "pro"}).status_code == 403
    assert fake_stripe.requests == []


def test_upgrade_request_is_approved_by_an_admin_and_changes_the_subscription(fake_stripe, client_alpha):
    from controlplane.billing.models import PlanChangeRequest
    from tests.integration.bots.support import portal_as

    owner = client_host_as_owner("alpha")
    response = owner.post("/billing/plan-request/", {"plan": "pro"}, follow=True)
    assert "Request sent" in response.content.decode()
    request_row = PlanChangeRequest.objects.get(client=client_alpha, status="pending")
    assert 'data-test="plan-request"' in client_alpha_portal_page()
    assert portal_as("staff").post(f"/portal/clients/alpha/plan-requests/{request_row.pk}/",
                                   {"decision": "approve"}).status_code == 403
    portal_as("admin").post(f"/portal/clients/alpha/plan-requests/{request_row.pk}/", {"decision": "approve"})
    client_alpha.refresh_from_db()
    assert client_alpha.plan.key == "pro"
    request_row.refresh_from_db()
    assert request_row.status == "approved"
    account = BillingAccount.objects.get(client=client_alpha)
    assert account.stripe_subscription_id in fake_stripe.objects
    assert owner.post("/billing/plan-request/", {"plan": "nope"}, follow=True).status_code == 200


def test_usage_meters_say_over_limit_when_over(client_alpha):
    owner = client_host_as_owner("alpha")
    growth = Plan.objects.get(key="growth")
    _usage(client_alpha, int(growth.monthly_message_quota * 0.85))
    page = owner.get("/setup/").content.decode()
    assert 'data-usage-level="near"' in page
    assert "Near limit" in page
    _usage(client_alpha, growth.monthly_message_quota + 40)
    for path in ("/setup/", "/", "/billing/"):
        page = owner.get(path).content.decode()
        assert "Near limit" not in page, path
        assert "mailto:" not in page, path
    page = owner.get("/billing/").content.decode()
    assert 'data-usage-level="over"' in page
    assert "Over limit" in page
    assert 'data-usage-notice="over"' in owner.get("/").content.decode()


def test_portal_says_over_limit_not_near_limit_when_over(client_alpha):
    from tests.integration.bots.support import portal_as

    growth = Plan.objects.get(key="growth")
    staff = portal_as("staff")
    _usage(client_alpha, int(growth.monthly_message_quota * 0.9))
    assert 'data-usage-level="near"' in staff.get("/portal/").content.decode()
    _usage(client_alpha, growth.monthly_message_quota + 2)
    home = staff.get("/portal/").content.decode()
    assert 'data-usage-level="over"' in home
    assert 'data-usage-level="near"' not in home
    detail = staff.get("/portal/clients/alpha/").content.decode()
    assert "Over limit" in detail
    assert "Near limit" not in detail


def test_with_a_real_key_but_no_webhook_secret_every_event_is_refused(alpha_billed, fake_stripe, http, settings):
    """The local server's signing secret is accepted only while no real Stripe key is configured."""
    settings.STRIPE_SECRET_KEY = "sk_live_looks_real"  # noqa: S105 — a test value
    settings.STRIPE_WEBHOOK_SECRET = None
    response = post_event(http(None), _invoice_event(fake_stripe, alpha_billed))
    assert response.status_code == 400
    assert WebhookEvent.objects.count() == 0
