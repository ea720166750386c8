"""The agency's super-portal (public host only). Every view checks the role (SEC-7)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from controlplane.accounts.decorators import admin_required, agency_required
from controlplane.accounts.impersonation import impersonation_ticket_issue
from controlplane.accounts.models import Role
from controlplane.accounts.selectors import agency_user_list, client_user_list, user_directory, user_get
from controlplane.accounts.services import (
    UserChangeRefused,
    user_create,
    user_deactivate,
    user_delete,
    user_reactivate,
)
from controlplane.audit.selectors import audit_log_list
from controlplane.billing.gateway import BillingUnavailable
from controlplane.billing.metering import usage_meter
from controlplane.billing.models import PlanChangeRequest
from controlplane.billing.selectors import billing_account_get, invoices_for, plan_list, plan_request_pending
from controlplane.billing.services import PlanRequestError, plan_request_decide
from controlplane.clients.models import Client
from controlplane.clients.selectors import client_get, client_public_url
from controlplane.clients.services import (
    ProvisioningError,
    admin_note_add,
    client_change_plan,
    client_provision,
)
from controlplane.errorlog.models import ErrorKind
from controlplane.errorlog.selectors import error_daily_counts, error_group_list, error_trend_days
from controlplane.portal.client_health import client_outreach_list, client_value_ranking
from controlplane.portal.forms import AdminNoteForm, ClientCreateForm, PlanChangeForm, StaffCreateForm
from controlplane.portal.selectors import portal_client_rows
from controlplane.rollups.selectors import approval_count, approval_queue


def _client_or_404(slug: str) -> Client:
    client = client_get(slug=slug)
    if client is None:
        raise Http404("No such client.")
    return client


def _plan_choices() -> list[tuple[str, str]]:
    return [(p.key, f"{p.name} — {p.monthly_price}/mo, {p.monthly_message_quota:,} messages") for p in plan_list()]


@require_GET
@agency_required
def portal_home(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/home.html", {"rows": portal_client_rows(), "approvals_waiting": approval_count()})


@require_GET
@agency_required
def approvals(request: HttpRequest) -> HttpResponse:
    """BOT-4: every client's changes waiting for an admin, oldest first (staff see it; admins approve on
    each change's review page)."""
    slug = request.GET.get("client", "")
    client = Client.objects.filter(slug=slug).exclude(schema_name="public").first() if slug else None
    return render(request, "portal/approvals.html", {
        "entries": approval_queue(client_id=client.pk if client else None), "total": approval_count(),
        "client_filter": client, "clients": client_list_for_filter()})


@require_GET
@agency_required
def client_health(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/client_health.html", {
        "ranking": client_value_ranking(), "outreach": client_outreach_list()})


@require_http_methods(["GET", "POST"])
@admin_required
def client_create(request: HttpRequest) -> HttpResponse:
    form = ClientCreateForm(request.POST or None, plans=_plan_choices())
    if request.method == "POST" and form.is_valid():
        try:
            result = client_provision(
                name=form.cleaned_data["name"], slug=form.cleaned_data["slug"],
                industry=form.cleaned_data["industry"], plan_key=form.cleaned_data["plan"],
                owner_email=form.cleaned_data["owner_email"], actor=request.user, request=request,
            )
        except ProvisioningError as error:
            form.add_error(None, str(error))
        else:
            return render(request, "portal/client_created.html", {
                "result": result, "login_url": client_public_url(result.client, "/login/")})
    return render(request, "portal/client_form.html", {"form": form},
                  status=400 if request.method == "POST" else 200)


@require_GET
@agency_required
def client_detail(request: HttpRequest, slug: str) -> HttpResponse:
    client = _client_or_404(slug)
    return render(request, "portal/client_detail.html", {
        "client": client,
        "plan_form": PlanChangeForm(initial={"plan": client.plan.key if client.plan else ""},
                                    plans=_plan_choices()),
        "users": client_user_list(client=client),
        "dashboard_url": client_public_url(client),
        "audit": audit_log_list(client_slug=slug)[:20],
        "usage": usage_meter(client=client),
        "billing": billing_account_get(client=client),
        "invoices": invoices_for(client=client),
        "plan_request": plan_request_pending(client=client),
        "notes": client.admin_notes.select_related("author")[:20],
        "note_form": AdminNoteForm(),
    })


@require_POST
@agency_required
def client_note_add(request: HttpRequest, slug: str) -> HttpResponse:
    client = _client_or_404(slug)
    form = AdminNoteForm(request.POST)
    if form.is_valid():
        admin_note_add(client=client, author=request.user, body=form.cleaned_data["body"])
        messages.success(request, "Note added.")
    else:
        messages.error(request, "A note needs some text (at most 4,000 characters).")
    return redirect("portal:client_detail", slug=slug)


@require_POST
@admin_required
def client_plan_change(request: HttpRequest, slug: str) -> HttpResponse:
    client = _client_or_404(slug)
    form = PlanChangeForm(request.POST, plans=_plan_choices())
    if form.is_valid():
        try:
            client_change_plan(client=client, plan_key=form.cleaned_data["plan"], actor=request.user,
                               request=request)
        except BillingUnavailable as error:
            messages.error(request, f"The plan was not changed. {error}")
        else:
            messages.success(request, f"{client.name} is now on the {client.plan} plan.")
    else:
        messages.error(request, "Choose one of the listed plans.")
    return redirect("portal:client_detail", slug=slug)


@require_POST
@admin_required
def client_plan_request_decide(request: HttpRequest, slug: str, request_id: int) -> HttpResponse:
    """BILL-6: the admin approves (the plan changes, with Stripe) or declines a client's request."""
    client = _client_or_404(slug)
    plan_request = PlanChangeRequest.objects.select_related("plan", "client").filter(
        pk=request_id, client=client).first()
    if plan_request is None:
        raise Http404("No such request for this client.")
    decision = request.POST.get("decision")
    if decision not in ("approve", "decline"):
        messages.error(request, "Choose approve or decline.")
        return redirect("portal:client_detail", slug=slug)
    try:
        plan_request_decide(plan_request=plan_request, approve=decision == "approve", actor=request.user,
                            request=request)
    except (PlanRequestError, BillingUnavailable) as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Request {'approved' if decision == 'approve' else 'declined'}.")
    return redirect("portal:client_detail", slug=slug)


@require_POST
@admin_required
def client_impersonate(request: HttpRequest, slug: str) -> HttpResponse:
    client = _client_or_404(slug)
    ticket = impersonation_ticket_issue(admin=request.user, client=client, request=request)
    return redirect(client_public_url(client, f"/impersonate/?ticket={ticket}"))


@require_http_methods(["GET", "POST"])
@admin_required
def staff_list(request: HttpRequest) -> HttpResponse:
    form = StaffCreateForm(request.POST or None)
    created = None
    if request.method == "POST" and form.is_valid():
        try:
            created = user_create(email=form.cleaned_data["email"], role=form.cleaned_data["role"],
                                  full_name=form.cleaned_data["full_name"], actor=request.user, request=request)
        except ValidationError as error:
            form.add_error("email", error.messages[0])
    return render(request, "portal/staff.html", {"form": form, "users": agency_user_list(), "created": created},
                  status=400 if request.method == "POST" and not created else 200)


@require_GET
@admin_required
def audit_log(request: HttpRequest) -> HttpResponse:
    page = Paginator(audit_log_list(action=request.GET.get("action", "")), 50).get_page(request.GET.get("page"))
    return render(request, "portal/audit.html", {"page": page, "action": request.GET.get("action", "")})


@require_GET
@admin_required
def user_list(request: HttpRequest) -> HttpResponse:
    role = request.GET.get("role", "")
    role = role if role in Role.values else ""
    return render(request, "portal/users.html", {
        "users": user_directory(role=role), "role": role, "roles": Role.choices})


_USER_ACTIONS = {
    "deactivate": (user_deactivate, "{email} can no longer sign in."),
    "reactivate": (user_reactivate, "{email} can sign in again."),
    "delete": (user_delete, "{email} was deleted."),
}


@require_POST
@admin_required
def user_action(request: HttpRequest, user_id: int, action: str) -> HttpResponse:
    if action not in _USER_ACTIONS:
        raise Http404("No such action.")
    user = user_get(user_id=user_id)
    if user is None:
        raise Http404("No such user.")
    change, done = _USER_ACTIONS[action]
    try:
        change(user=user, actor=request.user, request=request)
    except UserChangeRefused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, done.format(email=user.email))
    return redirect("portal:users")


@require_GET
@agency_required
def error_list(request: HttpRequest) -> HttpResponse:
    """AX-6: failures grouped, searchable, per client, with a 14-day count per group."""
    kind = request.GET.get("kind", "")
    kind = kind if kind in ErrorKind.values else ""
    client_slug = request.GET.get("client", "")[:40]
    query = request.GET.get("q", "").strip()[:200]
    page = Paginator(error_group_list(kind=kind, client_slug=client_slug, query=query), 50).get_page(
        request.GET.get("page"))
    trends = error_daily_counts(group_ids=[g.pk for g in page])
    return render(request, "portal/errors.html", {
        "page": page, "rows": [(g, trends[g.pk]) for g in page], "days": error_trend_days(),
        "kind": kind, "kinds": ErrorKind.choices, "client_slug": client_slug, "query": query,
        "clients": client_list_for_filter()})


@require_GET
@agency_required
def error_detail(request: HttpRequest, group_id: int) -> HttpResponse:
    group = error_group_list().filter(pk=group_id).first()
    if group is None:
        raise Http404("No such error.")
    return render(request, "portal/error_detail.html", {"group": group, "events": group.events.all()[:50]})


def client_list_for_filter() -> list[tuple[str, str]]:
    return [(c.slug, c.name) for c in Client.objects.exclude(schema_name="public").only("slug", "name")]
