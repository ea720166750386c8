"""ADM-1/ADM-2: the Needs Review queue across all clients. The list reads the public rollup;
one client's items are read inside that client's schema."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from controlplane.accounts.decorators import agency_required
from controlplane.rollups.selectors import review_count_list
from tenants.knowledge.forms import FaqForm
from tenants.portal_access import client_portal_view
from tenants.review.models import ReviewItem
from tenants.review.selectors import review_item_get, review_item_list, review_item_transcript
from tenants.review.services import review_item_dismiss, review_item_resolve, review_item_to_faq


def _item(item_id: int) -> ReviewItem:
    item = review_item_get(item_id=item_id)
    if item is None:
        raise Http404
    return item


@require_GET
@agency_required
def review_home(request: HttpRequest) -> HttpResponse:
    rows = list(review_count_list())
    return render(request, "portal/review/home.html", {"rows": rows, "total": sum(r.open_count for r in rows)})


@require_GET
@client_portal_view()
def review_client(request: HttpRequest, client: Any) -> HttpResponse:
    status = request.GET.get("status", ReviewItem.Status.OPEN)
    if status not in ReviewItem.Status.values:
        status = ReviewItem.Status.OPEN
    kind = request.GET.get("kind", "")
    items = list(review_item_list(status=status, kind=kind if kind in ReviewItem.Kind.values else "")[:200])
    return render(request, "portal/review/client.html", {
        "client": client, "items": items, "status": status, "kind": kind,
        "kinds": ReviewItem.Kind.choices, "statuses": ReviewItem.Status.choices})


@require_http_methods(["GET"])
@client_portal_view()
def review_item_detail(request: HttpRequest, client: Any, item_id: int) -> HttpResponse:
    item = _item(item_id)
    return render(request, "portal/review/item.html", {
        "client": client, "item": item, "transcript": review_item_transcript(item),
        "faq_form": FaqForm(initial={"question": item.question})})


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
