"""Billing with Stripe as the system of record: customers, plans, subscriptions, portal sessions.

Every call to Stripe happens outside our database transactions (a slow Stripe never holds a row
lock) and before our own write, so a refused call leaves our state unchanged.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.utils import timezone

from controlplane.audit.services import audit_record
from controlplane.billing import signals
from controlplane.billing.gateway import BillingUnavailable, StripeError, stripe_client, unavailable
from controlplane.billing.models import BillingAccount, OveragePolicy, Plan, PlanChangeRequest
from controlplane.clients.models import Client

logger = logging.getLogger(__name__)

OVERAGE_METER_EVENT = "shoreline_overage_units"
OVERAGE_BLOCK = 100  # soft-limit overage is billed per started block of 100 messages
PROVISIONING_TIMEOUT_S = 3.0


def billing_account_for(client: Client) -> BillingAccount:
    account, _ = BillingAccount.objects.get_or_create(client=client)
    return account


# --- customers ------------------------------------------------------------------------------------


def customer_ensure(*, client: Client, timeout: float | None = None) -> str:
    """The client's Stripe customer id, creating the customer once (an idempotency key makes a
    retried create return the same customer)."""
    account = billing_account_for(client)
    if account.stripe_customer_id:
        return account.stripe_customer_id
    owner = client.memberships.filter(role="owner").select_related("user").first()
    try:
        customer = stripe_client(timeout=timeout).v1.customers.create(
            params={"name": client.name, "email": owner.user.email if owner else None,
                    "metadata": {"shoreline_client": client.slug}},
            options={"idempotency_key": f"shoreline-customer-{client.pk}-{client.created_at.timestamp():.0f}"},
        )
    except (StripeError, OSError) as error:
        raise unavailable(error) from error
    BillingAccount.objects.filter(pk=account.pk, stripe_customer_id="").update(stripe_customer_id=customer.id)
    account.refresh_from_db()
    return account.stripe_customer_id


def customer_ensure_quietly(*, client_id: int) -> str | None:
    """At provisioning: try once, briefly. Stripe being down must not fail or slow provisioning;
    the `customers_ensure` beat task creates the customers that are still missing."""
    client = Client.objects.filter(pk=client_id).first()
    if client is None:
        return None
    try:
        return customer_ensure(client=client, timeout=PROVISIONING_TIMEOUT_S)
    except BillingUnavailable as error:
        logger.warning("stripe customer for %s not created yet (will retry): %s", client.slug, error)
        return None


def customers_ensure_missing() -> int:
    created = 0
    for client in Client.objects.exclude(schema_name="public").exclude(billing__stripe_customer_id__gt=""):
        if customer_ensure_quietly(client_id=client.pk):
            created += 1
    return created


# --- plans ----------------------------------------------------------------------------------------


def _meter_id(api: Any) -> str:
    for meter in api.v1.billing.meters.list().data:
        if meter.event_name == OVERAGE_METER_EVENT:
            return str(meter.id)
    meter = api.v1.billing.meters.create(params={
        "display_name": "Messages over the plan quota (blocks of 100)", "event_name": OVERAGE_METER_EVENT,
        "default_aggregation": {"formula": "sum"},
        "customer_mapping": {"type": "by_id", "event_payload_key": "stripe_customer_id"},
        "value_settings": {"event_payload_key": "value"},
    })
    return str(meter.id)


def plans_sync_to_stripe() -> list[str]:
    """Each plan gets a Product, a monthly Price and (soft-limit plans) a metered overage Price.
    A changed amount creates a new Price and archives the old one (Stripe prices are immutable).
    Returns one line per change."""
    api = stripe_client()
    changes: list[str] = []
    meter_id = ""
    try:
        for plan in Plan.objects.all():
            if not plan.stripe_product_id:
                product = api.v1.products.create(params={"name": f"Shoreline {plan.name}",
                                                         "metadata": {"shoreline_plan": plan.key}})
                plan.stripe_product_id = product.id
                changes.append(f"{plan.key}: product {product.id} created")
            else:
                api.v1.products.update(plan.stripe_product_id, params={"name": f"Shoreline {plan.name}"})
            if not plan.stripe_price_id or plan.stripe_synced_price_cents != plan.monthly_price_cents:
                price = api.v1.prices.create(params={
                    "product": plan.stripe_product_id, "currency": "usd", "unit_amount": plan.monthly_price_cents,
                    "recurring": {"interval": "month"}, "metadata": {"shoreline_plan": plan.key}})
                if plan.stripe_price_id:
                    api.v1.prices.update(plan.stripe_price_id, params={"active": False})
                plan.stripe_price_id, plan.stripe_synced_price_cents = price.id, plan.monthly_price_cents
                changes.append(f"{plan.key}: monthly price {price.id} ({plan.monthly_price})")
            wants_overage = plan.overage_policy == OveragePolicy.SOFT_LIMIT and plan.overage_cents_per_100_messages > 0
            if wants_overage and (not plan.stripe_overage_price_id
                                  or plan.stripe_synced_overage_cents != plan.overage_cents_per_100_messages):
                meter_id = meter_id or _meter_id(api)
                price = api.v1.prices.create(params={
                    "product": plan.stripe_product_id, "currency": "usd",
                    "unit_amount": plan.overage_cents_per_100_messages,
                    "recurring": {"interval": "month", "usage_type": "metered", "meter": meter_id},
                    "metadata": {"shoreline_plan": plan.key, "kind": "overage"}})
                if plan.stripe_overage_price_id:
                    api.v1.prices.update(plan.stripe_overage_price_id, params={"active": False})
                plan.stripe_overage_price_id = price.id
                plan.stripe_synced_overage_cents = plan.overage_cents_per_100_messages
                changes.append(f"{plan.key}: overage price {price.id}")
            elif not wants_overage and plan.stripe_overage_price_id:
                api.v1.prices.update(plan.stripe_overage_price_id, params={"active": False})
                plan.stripe_overage_price_id, plan.stripe_synced_overage_cents = "", None
                changes.append(f"{plan.key}: overage price archived")
            plan.save()
    except (StripeError, OSError) as error:
        raise unavailable(error) from error
    return changes


def _plan_synced(plan: Plan) -> Plan:
    if not plan.stripe_price_id or (plan.overage_policy == OveragePolicy.SOFT_LIMIT
                                    and plan.overage_cents_per_100_messages and not plan.stripe_overage_price_id):
        plans_sync_to_stripe()
        plan.refresh_from_db()
    return plan


# --- subscriptions (BILL-1) -----------------------------------------------------------------------


def _plan_items(plan: Plan) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = [{"price": plan.stripe_price_id, "quantity": 1}]
    if plan.stripe_overage_price_id:
        items.append({"price": plan.stripe_overage_price_id})
    return items


def _missing_price(error: Exception) -> bool:
    return getattr(error, "code", "") == "resource_missing" and "price" in str(error).lower()


def subscription_set_plan(*, client: Client, plan: Plan) -> BillingAccount:
    """Create the client's subscription on `plan`, or move it there (Stripe prorates). A price
    Stripe no longer knows (archived by hand, a reset local server) is re-created once."""
    try:
        return _subscription_set_plan(client=client, plan=plan)
    except BillingUnavailable as error:
        if not _missing_price(error.__cause__ or error):
            raise
    Plan.objects.filter(pk=plan.pk).update(stripe_product_id="", stripe_price_id="", stripe_overage_price_id="")
    plan.refresh_from_db()
    return _subscription_set_plan(client=client, plan=plan)


def _subscription_set_plan(*, client: Client, plan: Plan) -> BillingAccount:
    plan = _plan_synced(plan)
    customer_id = customer_ensure(client=client)
    account = billing_account_for(client)
    api = stripe_client()
    try:
        current = None
        if account.stripe_subscription_id:
            current = api.v1.subscriptions.retrieve(account.stripe_subscription_id)
            if current.status in ("canceled", "incomplete_expired"):
                current = None
        if current is None:
            subscription = api.v1.subscriptions.create(params={
                "customer": customer_id, "items": _plan_items(plan),
                "metadata": {"shoreline_client": client.slug, "shoreline_plan": plan.key}})
        else:
            # Replace every item: the old plan's prices go, the new plan's come (one prorated change).
            items: list[dict[str, Any]] = [{"id": item.id, "deleted": True} for item in current["items"].data]
            subscription = api.v1.subscriptions.update(current.id, params={
                "items": items + _plan_items(plan), "proration_behavior": "create_prorations",
                "metadata": {"shoreline_plan": plan.key}})
    except (StripeError, OSError) as error:
        raise unavailable(error) from error
    BillingAccount.objects.filter(pk=account.pk).update(stripe_subscription_id=subscription.id,
                                                        subscription_status=subscription.status)
    account.refresh_from_db()
    return account


# --- BILL-2: the Stripe Billing Portal --------------------------------------------------------------


def portal_session_url(*, client: Client, return_url: str, actor: Any = None, request: Any = None) -> str:
    """A short-lived Billing Portal session for this client's customer, created server-side."""
    customer_id = customer_ensure(client=client)
    try:
        session = stripe_client().v1.billing_portal.sessions.create(
            params={"customer": customer_id, "return_url": return_url})
    except (StripeError, OSError) as error:
        raise unavailable(error) from error
    audit_record(action="billing.portal_opened", actor=actor, target=client, client_slug=client.slug,
                 request=request)
    return str(session.url)


# --- BILL-6: plan change requests ---------------------------------------------------------------------


class PlanRequestError(Exception):
    pass


def plan_request_create(*, client: Client, plan_key: str, actor: Any, request: Any = None) -> PlanChangeRequest:
    plan = Plan.objects.filter(key=plan_key).first()
    if plan is None:
        raise PlanRequestError("Choose one of the listed plans.")
    if client.plan_id == plan.pk:
        raise PlanRequestError(f"You are already on the {plan.name} plan.")
    with transaction.atomic():
        PlanChangeRequest.objects.select_for_update().filter(client=client, status="pending").update(
            status=PlanChangeRequest.Status.DECLINED, decided_by="replaced by a newer request",
            decided_at=timezone.now())
        row = PlanChangeRequest.objects.create(client=client, plan=plan, requested_by=actor.email)
        audit_record(action="billing.plan_requested", actor=actor, target=row, client_slug=client.slug,
                     request=request, data={"plan": plan.key, "current": client.plan.key if client.plan else None})
    return row


def plan_request_decide(*, plan_request: PlanChangeRequest, approve: bool, actor: Any, request: Any = None) -> None:
    """Approving changes the plan (and the Stripe subscription) like the plan picker does."""
    from controlplane.clients.services import client_change_plan

    if plan_request.status != PlanChangeRequest.Status.PENDING:
        raise PlanRequestError("This request was already decided.")
    if approve:
        client_change_plan(client=plan_request.client, plan_key=plan_request.plan.key, actor=actor, request=request)
    with transaction.atomic():
        updated = PlanChangeRequest.objects.filter(pk=plan_request.pk, status="pending").update(
            status=PlanChangeRequest.Status.APPROVED if approve else PlanChangeRequest.Status.DECLINED,
            decided_by=actor.email, decided_at=timezone.now())
        if updated:
            audit_record(action="billing.plan_request_" + ("approved" if approve else "declined"), actor=actor,
                         target=plan_request, client_slug=plan_request.client.slug, request=request,
                         data={"plan": plan_request.plan.key})


# --- limits follow the plan ---------------------------------------------------------------------------


def limits_changed(*, client: Client, actor: Any = None, reason: str) -> None:
    """Over-limit bots that may answer again resume at once (their schema, via tenants.bots)."""
    signals.limits_changed.send(sender=Client, client=client, actor=actor, reason=reason)
