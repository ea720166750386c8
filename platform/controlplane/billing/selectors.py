from __future__ import annotations

from controlplane.billing.models import BillingAccount, Invoice, Plan, PlanChangeRequest
from controlplane.clients.models import Client


def plan_list() -> list[Plan]:
    return list(Plan.objects.all())


def plan_get(*, key: str) -> Plan | None:
    return Plan.objects.filter(key=key).first()


def invoices_for(*, client: Client, limit: int = 24) -> list[Invoice]:
    """BILL-7: the client's invoices, newest first (only ever this client's rows)."""
    return list(Invoice.objects.filter(client=client)[:limit])


def billing_account_get(*, client: Client) -> BillingAccount | None:
    return BillingAccount.objects.filter(client=client).first()


def plan_request_pending(*, client: Client) -> PlanChangeRequest | None:
    return PlanChangeRequest.objects.select_related("plan").filter(client=client, status="pending").first()


def plan_requests_pending_all() -> list[PlanChangeRequest]:
    return list(PlanChangeRequest.objects.select_related("plan", "client").filter(status="pending"))
