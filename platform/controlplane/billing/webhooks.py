"""Stripe webhooks: verified, stored once, applied once.

The event row and everything the event changes are written in ONE transaction, and the row's
stripe_event_id is unique: concurrent deliveries of one event block on the unique index until
the first commits, then fail it and change nothing. A handler error rolls the row back too, so
Stripe's retry gets another chance.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import stripe
from django.db import IntegrityError, transaction
from django.utils import timezone

from controlplane.audit.services import audit_record
from controlplane.billing import signals
from controlplane.billing.gateway import webhook_secret
from controlplane.billing.models import BillingAccount, Invoice, WebhookEvent
from controlplane.clients.models import Client
from controlplane.clients.selectors import public_url
from controlplane.notifications.models import EventKind
from controlplane.notifications.services import notification_emit

logger = logging.getLogger(__name__)


class BadWebhook(Exception):
    pass


def _ts(value: Any) -> datetime | None:
    return datetime.fromtimestamp(int(value), tz=UTC) if value else None


def webhook_receive(*, payload: bytes, signature: str) -> tuple[WebhookEvent | None, bool]:
    """(event, applied). applied is False for a redelivery already stored. Raises BadWebhook."""
    secret = webhook_secret()
    if not secret:
        raise BadWebhook("Webhooks are not configured (STRIPE_WEBHOOK_SECRET is empty).")
    try:
        stripe.Webhook.construct_event(payload.decode("utf-8"), signature, secret)
        event = json.loads(payload)
    except (ValueError, UnicodeDecodeError, stripe.SignatureVerificationError) as error:
        raise BadWebhook("The signature or the payload is invalid.") from error
    if not isinstance(event, dict) or not str(event.get("id", "")).startswith("evt_"):
        raise BadWebhook("The payload is not a Stripe event.")
    try:
        with transaction.atomic():
            row = WebhookEvent.objects.create(stripe_event_id=event["id"], type=str(event.get("type", ""))[:80],
                                              payload=event)
            _apply(event)
            row.processed_at = timezone.now()
            row.save(update_fields=["processed_at"])
    except IntegrityError:
        stored = WebhookEvent.objects.filter(stripe_event_id=event["id"]).first()
        if stored is None:
            raise  # not a redelivery: a real conflict, so Stripe should retry
        return stored, False
    return row, True


def _account(customer_id: str | None, *, lock: bool = True) -> BillingAccount | None:
    if not customer_id:
        return None
    rows = BillingAccount.objects.select_related("client", "client__plan").filter(stripe_customer_id=customer_id)
    return (rows.select_for_update(of=("self",)) if lock else rows).first()


def _apply(event: dict[str, Any]) -> None:
    kind = event.get("type", "")
    obj = event.get("data", {}).get("object", {})
    if kind.startswith("invoice."):
        _invoice_event(kind, obj)
    elif kind in ("customer.subscription.created", "customer.subscription.updated",
                  "customer.subscription.deleted"):
        account = _account(obj.get("customer"))
        if account is None:
            return
        if kind == "customer.subscription.deleted" and obj.get("id") == account.stripe_subscription_id:
            account.subscription_status = "canceled"
        elif obj.get("id") == account.stripe_subscription_id or not account.stripe_subscription_id:
            account.stripe_subscription_id, account.subscription_status = obj.get("id", ""), obj.get("status", "")
        account.save(update_fields=["stripe_subscription_id", "subscription_status", "updated_at"])
        audit_record(action="billing.subscription_" + kind.rsplit(".", 1)[-1], client_slug=account.client.slug,
                     target=account.client, data={"subscription": obj.get("id"), "status": obj.get("status")})
    elif kind == "customer.deleted":
        account = _account(obj.get("id"))
        if account is None:
            return
        account.stripe_customer_id, account.stripe_subscription_id, account.subscription_status = "", "", ""
        account.save(update_fields=["stripe_customer_id", "stripe_subscription_id", "subscription_status",
                                    "updated_at"])
        audit_record(action="billing.customer_deleted", client_slug=account.client.slug, target=account.client,
                     data={"customer": obj.get("id")})


def _invoice_event(kind: str, obj: dict[str, Any]) -> None:
    account = _account(obj.get("customer"))
    if account is None or not obj.get("id"):
        return
    Invoice.objects.update_or_create(stripe_invoice_id=obj["id"], defaults={
        "client": account.client, "number": obj.get("number") or "", "status": obj.get("status") or "",
        "currency": obj.get("currency") or "usd", "amount_due_cents": obj.get("amount_due") or 0,
        "amount_paid_cents": obj.get("amount_paid") or 0, "period_start": _ts(obj.get("period_start")),
        "period_end": _ts(obj.get("period_end")), "hosted_invoice_url": obj.get("hosted_invoice_url") or "",
        "invoice_pdf_url": obj.get("invoice_pdf") or "", "issued_at": _ts(obj.get("created")) or timezone.now()})
    if kind == "invoice.payment_failed":
        if account.payment_failed_at is None:
            account.payment_failed_at = timezone.now()
            account.save(update_fields=["payment_failed_at", "updated_at"])
            audit_record(action="billing.payment_failed", client_slug=account.client.slug, target=account.client,
                         data={"invoice": obj.get("number") or obj["id"], "amount_due": obj.get("amount_due")})
            _payment_failed_emit(account, obj)
        grace_check(account)
    elif kind == "invoice.paid":
        payment_resolved(account, invoice=obj.get("number") or obj["id"])


def _payment_failed_emit(account: BillingAccount, invoice: dict[str, Any]) -> None:
    """The agency hears of a failed payment by email, once per invoice, in the webhook's transaction."""
    client = account.client
    amount = invoice.get("amount_due") or 0
    notification_emit(
        client_id=client.pk, kind=EventKind.PAYMENT_FAILED,
        dedupe_key=f"{client.schema_name}:payment_failed:{invoice['id']}",
        payload={"invoice": invoice.get("number") or invoice["id"],
                 "amount_label": f"{amount / 100:,.2f} {(invoice.get('currency') or 'usd').upper()}",
                 "grace_days": client.plan.grace_days if client.plan else 0,
                 "link": public_url(f"/portal/clients/{client.slug}/")})


def grace_check(account: BillingAccount, *, now: datetime | None = None) -> bool:
    """Past the plan's grace period after a failed payment, the bots pause. True if it paused now."""
    if account.payment_failed_at is None or account.paused_for_payment:
        return False
    grace = account.client.plan.grace_days if account.client.plan else 0
    if (now or timezone.now()) < account.payment_failed_at + timedelta(days=grace):
        return False
    responses = signals.payment_hold.send(sender=Client, client=account.client,
                                          reason=f"Payment overdue for more than {grace} days")
    bot_ids = sorted({bot_id for _, ids in responses for bot_id in (ids or [])})
    account.paused_for_payment, account.payment_paused_bot_ids = True, bot_ids
    account.save(update_fields=["paused_for_payment", "payment_paused_bot_ids", "updated_at"])
    audit_record(action="billing.paused_for_payment", client_slug=account.client.slug, target=account.client,
                 data={"bots": bot_ids, "grace_days": grace})
    return True


def payment_resolved(account: BillingAccount, *, invoice: str) -> None:
    if account.payment_failed_at is None and not account.paused_for_payment:
        return
    if account.paused_for_payment:
        signals.payment_release.send(sender=Client, client=account.client, bot_ids=account.payment_paused_bot_ids,
                                     reason="Payment received")
    account.payment_failed_at, account.paused_for_payment, account.payment_paused_bot_ids = None, False, []
    account.save(update_fields=["payment_failed_at", "paused_for_payment", "payment_paused_bot_ids", "updated_at"])
    audit_record(action="billing.payment_recovered", client_slug=account.client.slug, target=account.client,
                 data={"invoice": invoice})


def grace_enforce_all(*, now: datetime | None = None) -> int:
    paused = 0
    for account_id in BillingAccount.objects.filter(payment_failed_at__isnull=False, paused_for_payment=False
                                                    ).values_list("pk", flat=True):
        with transaction.atomic():
            account = (BillingAccount.objects.select_for_update(of=("self",)).select_related("client", "client__plan")
                       .filter(pk=account_id).first())
            if account is not None and grace_check(account, now=now):
                paused += 1
    return paused
