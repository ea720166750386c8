"""Agency pages: preview the client's weekly summary email and send it now (public host)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from controlplane.notifications.models import Recipient
from tenants.dashboard.weekly_summary import weekly_summary_build, weekly_summary_emit
from tenants.portal_access import client_portal_view


@require_GET
@client_portal_view()
def weekly_summary_preview(request: HttpRequest, client: Any) -> HttpResponse:
    summary = weekly_summary_build(client=client)
    recipients = list(Recipient.objects.filter(client=client, weekly_summary=True).exclude(email="")
                      .values_list("email", flat=True))
    return render(request, "notifications/weekly_preview.html", {
        "client": client, "summary": summary, "recipients": recipients,
        "digest_on": getattr(getattr(client, "notification_settings", None), "weekly_digest", True)})


@require_POST
@client_portal_view(admin=True)
def weekly_summary_send_now(request: HttpRequest, client: Any) -> HttpResponse:
    weekly_summary_emit(client=client, summary=weekly_summary_build(client=client), manual=True)
    messages.success(request, "The weekly summary is on its way. Its deliveries appear in this log.")
    return redirect("notifications:log", slug=client.slug)
