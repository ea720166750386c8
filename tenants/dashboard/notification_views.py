"""The client's view of its notification settings (client hosts): read for members, and the owner
may turn the weekly summary email off or on. Everything else is the agency's to change."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from controlplane.accounts.middleware import SESSION_IMPERSONATION_KEY
from controlplane.accounts.models import Membership
from controlplane.notifications.selectors import notification_settings_for, recipient_list
from controlplane.notifications.services import weekly_digest_set
from tenants.dashboard.access import client_member_required


@require_GET
@client_member_required
def notifications(request: HttpRequest) -> HttpResponse:
    client = request.tenant  # type: ignore[attr-defined]
    is_owner = request.user.memberships.filter(client_id=client.pk, role=Membership.MemberRole.OWNER).exists()
    return render(request, "dashboard/notifications.html", {
        "client": client, "settings": notification_settings_for(client=client),
        "recipients": recipient_list(client=client), "is_owner": is_owner})


@require_POST
@client_member_required
def weekly_digest(request: HttpRequest) -> HttpResponse:
    client = request.tenant  # type: ignore[attr-defined]
    if request.session.get(SESSION_IMPERSONATION_KEY) or not request.user.memberships.filter(
            client_id=client.pk, role=Membership.MemberRole.OWNER).exists():
        raise PermissionDenied("Only the account owner can change the weekly email.")
    enabled = request.POST.get("enabled") == "on"
    weekly_digest_set(client=client, enabled=enabled, actor=request.user, request=request)
    messages.success(request, "Weekly summary email turned on." if enabled else "Weekly summary email turned off.")
    return redirect("dashboard_notifications")
