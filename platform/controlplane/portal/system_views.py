"""AX-7 live system figures and AX-8 model token costs: agency pages (admin and staff)."""

from __future__ import annotations

from datetime import date

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from controlplane.accounts.decorators import agency_required
from controlplane.core.live_metrics import WINDOW_S, live_metrics_read
from controlplane.core.metrics import QUEUES
from controlplane.portal.token_costs import token_report
from controlplane.portal.views import client_list_for_filter

POLL_MS = 5000


@require_GET
@agency_required
def system_metrics(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/system.html", {"poll_ms": POLL_MS, "poll_s": POLL_MS // 1000,
                                                   "window_s": int(WINDOW_S), "queues": QUEUES})


@require_GET
@agency_required
def system_metrics_live(request: HttpRequest) -> JsonResponse:
    response = JsonResponse(live_metrics_read())
    response["Cache-Control"] = "no-store"
    return response


def _month(value: str) -> date | None:
    try:
        year, month = (int(part) for part in value.split("-"))
        return date(year, month, 1)
    except ValueError:
        return None


@require_GET
@agency_required
def token_costs(request: HttpRequest) -> HttpResponse:
    raw = request.GET.get("month", "")
    month = _month(raw) if raw else timezone.now().date().replace(day=1)
    if month is None:
        return render(request, "portal/costs.html", {"error": "Pick a month like 2026-06.", "report": None,
                                                     "clients": client_list_for_filter()}, status=400)
    client_slug = request.GET.get("client", "")[:40]
    report = token_report(month=month, client_slug=client_slug)
    return render(request, "portal/costs.html", {"report": report, "client_slug": client_slug,
                                                 "clients": client_list_for_filter()})
