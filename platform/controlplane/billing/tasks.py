"""Billing's periodic work (CELERY_BEAT_SCHEDULE). Each task is safe to run twice at once."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="controlplane.billing.overage_report", autoretry_for=(Exception,), retry_backoff=True,
             max_retries=5)
def overage_report_task() -> int:
    from controlplane.billing.overage import overage_report_all

    return sum(r.units for r in overage_report_all())


@shared_task(name="controlplane.billing.customers_ensure")
def customers_ensure_task() -> int:
    from controlplane.billing.services import customers_ensure_missing

    return customers_ensure_missing()


@shared_task(name="controlplane.billing.grace_enforce")
def grace_enforce_task() -> int:
    from controlplane.billing.webhooks import grace_enforce_all

    return grace_enforce_all()
