"""BEY-6 portal pages: a client's retention period, "delete this visitor", one visitor's export.

Platform admins only (deleting personal data is irreversible); the client comes from the URL and
every query runs inside that client's schema, so another client's visitor is simply not found.
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from tenants.portal_access import client_portal_view
from tenants.privacy.services import MAX_RETENTION_DAYS, MIN_RETENTION_DAYS, NothingFound, retention_set
from tenants.privacy.services import visitor_delete as visitor_delete_service
from tenants.privacy.services import visitor_export as visitor_export_service

MAX_IDENTIFIER = 254


def _identifier(request: HttpRequest, source: Any) -> str:
    return (source.get("identifier") or "").strip()[:MAX_IDENTIFIER]


@require_GET
@client_portal_view(admin=True)
def privacy_home(request: HttpRequest, client: Any) -> HttpResponse:
    return render(request, "portal/privacy.html", {"client": client, "min_days": MIN_RETENTION_DAYS,
                                                   "max_days": MAX_RETENTION_DAYS,
                                                   "receipt": request.session.pop("privacy_receipt", None)})


@require_POST
@client_portal_view(admin=True)
def retention_update(request: HttpRequest, client: Any) -> HttpResponse:
    raw = (request.POST.get("retention_days") or "").strip()
    try:
        days = int(raw) if raw else None
        retention_set(client=client, days=days, actor=request.user, request=request)
    except ValueError:
        messages.error(request, "Enter the number of days as a whole number, or leave it empty to keep everything.")
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Conversations, visitors and leads older than {days} days will be deleted every "
                                  "night." if days else "Conversations are now kept until you delete them.")
    return redirect("privacy:home", slug=client.slug)


@require_POST
@client_portal_view(admin=True)
def visitor_delete(request: HttpRequest, client: Any) -> HttpResponse:
    identifier = _identifier(request, request.POST)
    if not identifier:
        messages.error(request, "Enter a visitor id, an email address or a phone number.")
        return redirect("privacy:home", slug=client.slug)
    if request.POST.get("confirm") != "yes":
        messages.error(request, "Tick the box to confirm: deleting a visitor cannot be undone.")
        return redirect("privacy:home", slug=client.slug)
    try:
        receipt = visitor_delete_service(identifier=identifier, actor=request.user, request=request)
    except NothingFound as error:
        messages.error(request, str(error))
        return redirect("privacy:home", slug=client.slug)
    request.session["privacy_receipt"] = {"number": receipt.number, "at": receipt.at.isoformat(),
                                          **receipt.counts.as_dict()}
    messages.success(request, f"Deleted. Receipt {receipt.number}.")
    return redirect("privacy:home", slug=client.slug)


@require_GET
@client_portal_view(admin=True)
def visitor_export(request: HttpRequest, client: Any) -> HttpResponse:
    identifier = _identifier(request, request.GET)
    try:
        payload = visitor_export_service(identifier=identifier, actor=request.user, request=request)
    except NothingFound as error:
        messages.error(request, str(error))
        return redirect("privacy:home", slug=client.slug)
    response = HttpResponse(json.dumps(payload, indent=2, ensure_ascii=False), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="{client.slug}-visitor-data.json"'
    response["Cache-Control"] = "no-store"
    return response
