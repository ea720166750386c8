"""The client's Billing page: plan and usage, plan comparison and upgrade request, invoices, and
the Stripe Billing Portal (BILL-2/6/7). Reading is for members; anything that spends or changes
money is for the owner only."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from controlplane.billing.gateway import BillingUnavailable
from controlplane.billing.metering import usage_meter
from controlplane.billing.selectors import billing_account_get, invoices_for, plan_list, plan_request_pending
from controlplane.billing.services import PlanRequestError, plan_request_create, portal_session_url
from tenants.dashboard.access import client_member_required


def _is_owner(request: HttpRequest) -> bool:
    return request.user.memberships.filter(client_id=request.tenant.pk, role="owner").exists()  # type: ignore[attr-defined,union-attr]


@require_GET
@client_member_required
def billing(request: HttpRequest) -> HttpResponse:
    client = request.tenant  # type: ignore[attr-defined]
    return render(request, "dashboard/billing.html", {
        "client": client, "usage": usage_meter(client=client), "plans": plan_list(),
        "invoices": invoices_for(client=client), "plan_request": plan_request_pending(client=client),
        "account": billing_account_get(client=client), "is_owner": _is_owner(request),
    })


@require_POST
@client_member_required
def billing_portal(request: HttpRequest) -> HttpResponse:
    """Creates a short-lived Stripe Billing Portal session server-side and sends the owner there."""
    if not _is_owner(request):
        raise PermissionDenied
    try:
        url = portal_session_url(client=request.tenant, actor=request.user, request=request,  # type: ignore[attr-defined]
                                 return_url=request.build_absolute_uri(reverse("dashboard_billing")))
    except BillingUnavailable:
        messages.error(request, "Payment details cannot be opened right now. Please try again in a few minutes.")
        return redirect("dashboard_billing")
    return redirect(url)


@require_POST
@client_member_required
def billing_plan_request(request: HttpRequest) -> HttpResponse:
    """Ask the agency for another plan; an agency admin approves it in the portal."""
    if not _is_owner(request):
        raise PermissionDenied
    try:
        row = plan_request_create(client=request.tenant, plan_key=request.POST.get("plan", ""),  # type: ignore[attr-defined]
                                  actor=request.user, request=request)
    except PlanRequestError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Request sent: your agency will confirm the move to the {row.plan.name} plan.")
    return redirect(reverse("dashboard_billing") + "#plans")
