"""Soft-limit overage to Stripe as meter events, exactly once (BILL-5).

Per client and month, `overage_units_reported` says how many blocks of 100 messages Stripe has.
Reporting more is two steps: first `overage_units_pending` is committed with the target, then
the meter event goes out with an identifier derived from (client, month, reported, pending) and
the same value, then `reported` catches up. A crash or retry between the steps resends the very
same event, which Stripe refuses as a duplicate (identifier), so nothing is billed twice. A
transaction-level advisory lock keeps two workers off the same client at once, without ever
locking the usage row the message path updates.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass

from django.db import connection, transaction

from controlplane.billing.gateway import StripeError, stripe_client
from controlplane.billing.models import BillingAccount, OveragePolicy, UsagePeriod
from controlplane.billing.services import OVERAGE_BLOCK, OVERAGE_METER_EVENT

logger = logging.getLogger(__name__)
_LOCK_NAMESPACE = 0x0B11


@dataclass(frozen=True)
class OverageResult:
    client_slug: str
    period: str
    units: int  # newly reported in this run


def overage_units(messages: int, quota: int) -> int:
    return math.ceil((messages - quota) / OVERAGE_BLOCK) if messages > quota else 0


def _send(*, customer_id: str, row: UsagePeriod, start: int, target: int) -> None:
    identifier = f"shoreline-{row.client_id}-{row.period}-{start}-{target}"
    try:
        stripe_client().v1.billing.meter_events.create(
            params={"event_name": OVERAGE_METER_EVENT, "identifier": identifier,
                    "payload": {"stripe_customer_id": customer_id, "value": str(target - start)}},
            options={"idempotency_key": identifier})
    except StripeError as error:
        if getattr(error, "code", "") != "duplicate_meter_event":
            raise
        logger.info("overage event %s was already accepted", identifier)


def overage_report_one(*, usage_id: int) -> OverageResult | None:
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_xact_lock(%s, %s)", [_LOCK_NAMESPACE, usage_id])
            if not cursor.fetchone()[0]:
                return None  # another worker is on it
        row = UsagePeriod.objects.select_related("client", "client__plan").get(pk=usage_id)
        plan = row.client.plan
        account = BillingAccount.objects.filter(client_id=row.client_id).first()
        if plan is None or plan.overage_policy != OveragePolicy.SOFT_LIMIT or not plan.stripe_overage_price_id:
            return None
        if account is None or not account.stripe_customer_id:
            return None
        start = row.overage_units_reported
        target = row.overage_units_pending if row.overage_units_pending > start else (
            overage_units(row.messages, plan.monthly_message_quota))
        if target <= start:
            return None
        if row.overage_units_pending != target:
            # Committed on its own before Stripe hears of it: the retry's promise.
            UsagePeriod.objects.filter(pk=row.pk).update(overage_units_pending=target)
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_xact_lock(%s, %s)", [_LOCK_NAMESPACE, usage_id])
            if not cursor.fetchone()[0]:
                return None
        _send(customer_id=account.stripe_customer_id, row=row, start=start, target=target)
        UsagePeriod.objects.filter(pk=row.pk, overage_units_reported=start).update(overage_units_reported=target)
    return OverageResult(client_slug=row.client.slug, period=row.period, units=target - start)


def overage_report_all(*, periods: list[str] | None = None) -> list[OverageResult]:
    from controlplane.billing.metering import current_period

    if periods is None:
        current = current_period()
        year, month = map(int, current.split("-"))
        previous = f"{year - 1}-12" if month == 1 else f"{year}-{month - 1:02d}"
        periods = [previous, current]  # last month's tail is reported early in the new month
    ids = UsagePeriod.objects.filter(period__in=periods, client__plan__overage_policy=OveragePolicy.SOFT_LIMIT
                                     ).values_list("pk", flat=True)
    results = []
    for usage_id in ids:
        result = overage_report_one(usage_id=usage_id)
        if result is not None:
            results.append(result)
    return results
