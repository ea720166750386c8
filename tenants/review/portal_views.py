"""ADM-1/ADM-2: the Needs Review queue across all clients. The triage list reads the public index of
open items (controlplane.rollups.ReviewQueueEntry: a constant number of queries however many clients);
one client's items, and every bulk action, run inside that client's schema."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_tenants.utils import tenant_context

from controlplane.accounts.decorators import agency_required
from controlplane.accounts.selectors import agency_user_list
from controlplane.clients.models import Client
from controlplane.clients.selectors import client_list
from controlplane.rollups.selectors import (
    AGE_FILTERS,
    TRIAGE_PAGE_SIZE,
    review_count_list,
    review_triage_filter,
    review_triage_page,
)
from tenants.knowledge.forms import FaqForm
from tenants.portal_access import client_portal_view
from tenants.review.models import ReviewItem
from tenants.review.selectors import (
    review_item_context,
    review_item_get,
    review_item_list,
    review_item_transcript,
)
from tenants.review.services import (
    review_item_dismiss,
    review_item_resolve,
    review_item_to_faq,
    review_items_assign,
    review_items_dismiss,
    review_items_faq_draft,
)


def _item(item_id: int) -> ReviewItem:
    item = review_item_get(item_id=item_id)
    if item is None:
        raise Http404
    return item


AGE_CHOICES = [("day", "Last 24 hours"), ("week", "Last 7 days"), ("older", "Older than 7 days")]
BULK_ACTIONS = ("dismiss", "faq", "assign", "unassign")
MAX_BULK_GROUPS = 200
BY_CLIENT_ROWS = 25  # the busiest clients; the client filter reaches every other one


class _PageOf:
    """What components/pagination.html reads, for a page counted in SQL (groups, not rows)."""

    def __init__(self, number: int, total: int, per_page: int) -> None:
        self.paginator = Paginator(range(total), per_page)
        self.number = number

    def has_other_pages(self) -> bool:
        return self.paginator.num_pages > 1

    def has_previous(self) -> bool:
        return self.number > 1

    def has_next(self) -> bool:
        return self.number < self.paginator.num_pages

    def previous_page_number(self) -> int:
        return self.number - 1

    def next_page_number(self) -> int:
        return self.number + 1


@require_GET
@agency_required
def review_home(request: HttpRequest) -> HttpResponse:
    """ADM-1 triage: every client's open items in one list, crisis first, then handoffs, thumbs-down
    answers and unknown questions, oldest first; duplicates of one question are one row."""
    clients = list(client_list())
    by_slug = {c.slug: c for c in clients}
    slug = request.GET.get("client", "")
    client = by_slug.get(slug)
    kind = request.GET.get("kind", "")
    kind = kind if kind in ReviewItem.Kind.values else ""
    owner = request.GET.get("owner", "")
    age = request.GET.get("age", "")
    age = age if age in AGE_FILTERS else ""
    try:
        page = max(int(request.GET.get("page", "1")), 1)
    except ValueError:
        page = 1
    entries = review_triage_filter(client_id=client.pk if client else None, kind=kind, owner=owner, age=age,
                                   user_id=request.user.pk)
    groups, total = review_triage_page(entries, page=page)
    counts = review_count_list().filter(open_count__gt=0)
    return render(request, "portal/review/home.html", {
        "groups": groups, "groups_total": total, "page": _PageOf(page, total, TRIAGE_PAGE_SIZE),
        "rows": list(counts[:BY_CLIENT_ROWS]), "total": counts.aggregate(n=Sum("open_count"))["n"] or 0,
        "clients": clients, "agency_users": list(agency_user_list().filter(is_active=True).order_by("email")),
        "kinds": ReviewItem.Kind.choices, "ages": AGE_CHOICES,
        "filters": {"client": slug if client else "", "kind": kind, "owner": owner, "age": age}})


def _selection(values: list[str]) -> dict[int, list[list[int]]]:
    """Checkbox values "client_id:item,item,…" → client id → groups of item ids (malformed ones skipped)."""
    chosen: dict[int, list[list[int]]] = {}
    for value in values[:MAX_BULK_GROUPS]:
        client_id, _, ids = value.partition(":")
        items = [int(i) for i in ids.split(",") if i.isdigit()]
        if client_id.isdigit() and items:
            chosen.setdefault(int(client_id), []).append(items)
    return chosen


@require_POST
@agency_required
def review_bulk(request: HttpRequest) -> HttpResponse:
    """Dismiss, draft an FAQ for, assign or unassign the selected rows, client by client (each in its schema)."""
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}) or not back.startswith(
            "/portal/review/"):
        back = "/portal/review/"
    action = request.POST.get("action", "")
    selection = _selection(request.POST.getlist("group"))
    if action not in BULK_ACTIONS:
        messages.error(request, "Choose what to do with the selected items.")
        return redirect(back)
    if not selection:
        messages.error(request, "Select at least one item first.")
        return redirect(back)
    owner = None
    if action == "assign":
        owner_id = request.POST.get("owner", "")
        owner = agency_user_list().filter(is_active=True, pk=int(owner_id)).first() if owner_id.isdigit() else None
        if owner is None:
            messages.error(request, "Choose who should own the selected items.")
            return redirect(back)
    done = drafts = 0
    for client in Client.objects.filter(pk__in=list(selection)).exclude(schema_name="public"):
        with tenant_context(client):
            for ids in selection[client.pk]:
                items = list(ReviewItem.objects.select_related("conversation").filter(pk__in=ids)
                             .order_by("created_at", "id"))
                if action == "dismiss":
                    done += review_items_dismiss(items=items, actor=request.user, request=request)
                elif action == "faq":
                    if review_items_faq_draft(items=items, actor=request.user, request=request) is not None:
                        drafts += 1
                        done += len(items)
                else:
                    done += review_items_assign(items=items, owner=owner, actor=request.user, request=request)
    if action == "faq":
        messages.success(request, f"{drafts} draft FAQ{'s' if drafts != 1 else ''} created from {done} "
                                  f"item{'s' if done != 1 else ''}. Write each answer in the client's knowledge; "
                                  "drafts answer nobody until an admin approves them.")
    elif action == "dismiss":
        messages.success(request, f"{done} item{'s' if done != 1 else ''} dismissed.")
    elif action == "assign":
        messages.success(request, f"{done} item{'s' if done != 1 else ''} assigned to {owner.email}.")  # type: ignore[union-attr]
    else:
        messages.success(request, f"{done} item{'s' if done != 1 else ''} unassigned.")
    return redirect(back)


@require_GET
@client_portal_view()
def review_client(request: HttpRequest, client: Any) -> HttpResponse:
    status = request.GET.get("status", ReviewItem.Status.OPEN)
    if status not in ReviewItem.Status.values:
        status = ReviewItem.Status.OPEN
    kind = request.GET.get("kind", "")
    items = list(review_item_list(status=status, kind=kind if kind in ReviewItem.Kind.values else "")[:200])
    owners = dict(agency_user_list().filter(pk__in={i.assigned_to_id for i in items if i.assigned_to_id})
                  .values_list("pk", "email"))
    return render(request, "portal/review/client.html", {
        "client": client, "items": [(i, owners.get(i.assigned_to_id or 0, "")) for i in items], "status": status,
        "kind": kind,
        "kinds": ReviewItem.Kind.choices, "statuses": ReviewItem.Status.choices})


@require_http_methods(["GET"])
@client_portal_view()
def review_item_detail(request: HttpRequest, client: Any, item_id: int) -> HttpResponse:
    item = _item(item_id)
    return render(request, "portal/review/item.html", {
        "client": client, "item": item, "transcript": review_item_transcript(item),
        "conversation_context": review_item_context(item), "faq_form": FaqForm(initial={"question": item.question})})


@require_POST
@client_portal_view()
def review_item_faq(request: HttpRequest, client: Any, item_id: int) -> HttpResponse:
    item = _item(item_id)
    form = FaqForm(request.POST)
    if not form.is_valid():
        return render(request, "portal/review/item.html", {
            "client": client, "item": item, "transcript": review_item_transcript(item), "faq_form": form},
            status=400)
    try:
        faq = review_item_to_faq(item=item, question=form.cleaned_data["question"],
                                 answer=form.cleaned_data["answer"], actor=request.user, request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("review:item", slug=client.slug, item_id=item.pk)
    messages.success(request, "Draft FAQ created. It answers visitors once an admin approves it.")
    return redirect("knowledge:faq_edit", slug=client.slug, bot_id=faq.bot_id, faq_id=faq.pk)


def _close(request: HttpRequest, client: Any, item_id: int, action: Any, done: str) -> HttpResponse:
    item = _item(item_id)
    try:
        action(item=item, actor=request.user, note=request.POST.get("note", ""), request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, done)
    return redirect("review:client", slug=client.slug)


@require_POST
@client_portal_view()
def review_item_dismiss_view(request: HttpRequest, client: Any, item_id: int) -> HttpResponse:
    return _close(request, client, item_id, review_item_dismiss, "Item dismissed.")


@require_POST
@client_portal_view()
def review_item_resolve_view(request: HttpRequest, client: Any, item_id: int) -> HttpResponse:
    return _close(request, client, item_id, review_item_resolve, "Item resolved.")
