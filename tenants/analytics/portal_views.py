"""Agency portal pages on one client's analytics settings (VAL-8). Admins only: values are money."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from tenants.analytics.portal_forms import LeadValueForm
from tenants.analytics.selectors import lead_values
from tenants.analytics.services import lead_values_set
from tenants.portal_access import client_portal_view


@require_http_methods(["GET", "POST"])
@client_portal_view(admin=True)
def lead_values_edit(request: HttpRequest, client: Any) -> HttpResponse:
    if request.method == "POST":
        form = LeadValueForm(request.POST)
        if form.is_valid():
            lead_values_set(client=client, default_cents=form.default_cents(), values=form.values_cents(),
                            actor=request.user, request=request)
            messages.success(request, f"Sale values saved for {client.name}.")
            return redirect("lead_values:edit", slug=client.slug)
    else:
        form = LeadValueForm(initial=LeadValueForm.initial_from(default_cents=client.avg_sale_value_cents,
                                                                values=lead_values()))
    return render(request, "portal/analytics/lead_values.html", {"client": client, "form": form},
                  status=400 if request.method == "POST" else 200)
