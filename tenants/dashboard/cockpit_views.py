"""Issue 15 cockpit pages on one client's data.

Agency (portal, through tenants.portal_access): AX-3 weekly checklist with ticks; the client's insights
(CXI-3/4/5, PRM-4, BEY-3) with a one-click "draft an FAQ". Client (dashboard host): the same insights,
read-only — drafting knowledge is the agency's job.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from controlplane.portal.checklist_ticks import checklist_tick_set, iso_week
from tenants.dashboard.access import client_member_required
from tenants.dashboard.checklist import ITEMS, checklist_build
from tenants.dashboard.insights import insights_build
from tenants.portal_access import client_portal_view
from tenants.review.services import review_question_faq_draft


@require_GET
@client_portal_view()
def checklist(request: HttpRequest, client: Any) -> HttpResponse:
    return render(request, "portal/checklist.html", {"client": client, "checklist": checklist_build(client=client)})


@require_POST
@client_portal_view()
def checklist_tick(request: HttpRequest, client: Any) -> HttpResponse:
    item = request.POST.get("item", "")
    if item not in ITEMS:
        messages.error(request, "That checklist item does not exist.")
        return redirect("checklist:page", slug=client.slug)
    done = request.POST.get("done", "1") == "1"
    checklist_tick_set(client=client, week=iso_week(timezone.localdate()), item=item, done=done,
                       actor=request.user, request=request)
    messages.success(request, "Ticked off for this week." if done else "Marked as not done.")
    return redirect("checklist:page", slug=client.slug)


@require_GET
@client_portal_view()
def agency_insights(request: HttpRequest, client: Any) -> HttpResponse:
    return render(request, "portal/insights.html", {"client": client, "insights": insights_build()})


@require_POST
@client_portal_view()
def insights_faq_draft(request: HttpRequest, client: Any) -> HttpResponse:
    """PRM-4: one click turns a suggestion (its open review items) into a draft FAQ to finish and approve."""
    faq = review_question_faq_draft(key=request.POST.get("key", "")[:300], disliked=request.POST.get("disliked") == "1",
                                    actor=request.user, request=request)
    if faq is None:
        messages.error(request, "That suggestion has already been handled.")
        return redirect("client_insights:page", slug=client.slug)
    messages.success(request, "Draft FAQ created. Write the answer, then approve it to make it live.")
    return redirect("knowledge:faq_edit", slug=client.slug, bot_id=faq.bot_id, faq_id=faq.pk)


@require_GET
@client_member_required
def client_insights(request: HttpRequest) -> HttpResponse:
    return render(request, "dashboard/insights.html", {"client": request.tenant,  # type: ignore[attr-defined]
                                                       "insights": insights_build()})
