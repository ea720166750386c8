"""The client's view-only dashboard (CX-2, CX-3). Every route is GET; exports are GET and audited."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from tenants.analytics.questions import top_questions
from tenants.analytics.ranges import PRESETS, range_from_params
from tenants.analytics.selectors import overview_read
from tenants.bots.selectors import bot_primary, bot_published_config
from tenants.dashboard import exports, overview
from tenants.dashboard.access import client_member_required
from tenants.dashboard.filters import (
    ListFilterForm,
    ListFilters,
    conversations_filtered,
    filters_from,
    leads_filtered,
)
from tenants.dashboard.selectors import conversation_detail, conversations_page, leads_page, setup_status


def _overview_context(request: HttpRequest) -> dict[str, Any]:
    client = request.tenant  # type: ignore[attr-defined]
    rng = range_from_params(request.GET, client.timezone)
    bot = bot_primary()
    hours = bot_published_config(bot).business.hours if bot else ()
    data = overview_read(rng=rng, default_sale_cents=client.avg_sale_value_cents, hours=hours)
    return {"client": client, "bot": bot, "range": rng, "presets": PRESETS, "overview": data,
            "tiles": overview.tiles(data), "charts": overview.charts(data), "insights": overview.insights(data),
            "sentiment": overview.sentiment_split(data),
            "lead_values": overview.lead_value_rows(data, client.avg_sale_value_cents),
            "topics": data.current.tags.most_common(8), "forecast": data.forecast,
            "has_data": data.current.totals.messages > 0 or data.current.totals.sessions > 0,
            "range_query": urlencode(rng.query()), "setup_url": reverse("dashboard_setup")}


@require_GET
@client_member_required
def dashboard_home(request: HttpRequest) -> HttpResponse:
    context = _overview_context(request)
    context["setup"] = setup_status(client=request.tenant, bot=context["bot"])  # type: ignore[attr-defined]
    return render(request, "dashboard/home.html", context)


@require_GET
@client_member_required
def questions_fragment(request: HttpRequest) -> HttpResponse:
    """VAL-2, loaded after first paint (the page shows a skeleton until then)."""
    rng = range_from_params(request.GET, request.tenant.timezone)  # type: ignore[attr-defined]
    groups = top_questions(start=rng.start, end=rng.end)
    return render(request, "dashboard/_questions.html", {"groups": groups, "range": rng})


@require_GET
@client_member_required
def setup(request: HttpRequest) -> HttpResponse:
    bot = bot_primary()
    return render(request, "dashboard/setup.html", {"client": request.tenant, "bot": bot,  # type: ignore[attr-defined]
                                                    "setup": setup_status(client=request.tenant, bot=bot)})  # type: ignore[attr-defined]


def _list_context(request: HttpRequest) -> tuple[ListFilters, ListFilterForm, dict[str, Any]]:
    filters, form = filters_from(request.GET, request.tenant.timezone)  # type: ignore[attr-defined]
    return filters, form, {"filters": filters, "form": form, "range": filters.range, "presets": PRESETS,
                           "client": request.tenant, "query": urlencode(filters.query())}  # type: ignore[attr-defined]


@require_GET
@client_member_required
def leads(request: HttpRequest) -> HttpResponse:
    filters, _, context = _list_context(request)
    context["page"] = leads_page(filters, request.GET.get("page"))
    return render(request, "dashboard/leads.html", context)


@require_GET
@client_member_required
def conversations(request: HttpRequest) -> HttpResponse:
    filters, _, context = _list_context(request)
    context["page"] = conversations_page(filters, request.GET.get("page"))
    return render(request, "dashboard/conversations.html", context)


@require_GET
@client_member_required
def conversation(request: HttpRequest, conversation_id: UUID) -> HttpResponse:
    found = conversation_detail(conversation_id=conversation_id)
    if found is None:
        raise Http404
    conv, messages = found
    return render(request, "dashboard/conversation.html", {"conversation": conv, "transcript": messages,
                                                           "lead": getattr(conv, "lead", None)})


def _redact(request: HttpRequest) -> bool:
    """BEY-6: ?redact=1 on any export masks names, phone numbers and email addresses."""
    return request.GET.get("redact") in ("1", "true", "on", "yes")


def _csv_response(request: HttpRequest, kind: str, filters: ListFilters, rows: int, lines: Any) -> HttpResponse:
    exports.export_audit(request=request, kind=kind, filters=filters, rows=rows, redacted=_redact(request))
    slug = request.tenant.slug  # type: ignore[attr-defined]
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (f'attachment; filename="{slug}-{kind.split("_")[0]}-'
                                       f'{filters.range.first_day}-{filters.range.last_day}.csv"')
    return response


@require_GET
@client_member_required
def conversations_export(request: HttpRequest) -> HttpResponse:
    filters, _ = filters_from(request.GET, request.tenant.timezone)  # type: ignore[attr-defined]
    return _csv_response(request, "conversations_csv", filters, conversations_filtered(filters).count(),
                         exports.conversations_csv(filters, redact=_redact(request)))


@require_GET
@client_member_required
def leads_export(request: HttpRequest) -> HttpResponse:
    filters, _ = filters_from(request.GET, request.tenant.timezone)  # type: ignore[attr-defined]
    return _csv_response(request, "leads_csv", filters, leads_filtered(filters).count(),
                         exports.leads_csv(filters, redact=_redact(request)))


@require_GET
@client_member_required
def conversation_pdf(request: HttpRequest, conversation_id: UUID) -> HttpResponse:
    found = conversation_detail(conversation_id=conversation_id)
    if found is None:
        raise Http404
    conv, messages = found
    client = request.tenant  # type: ignore[attr-defined]
    body = exports.conversation_pdf(conversation=conv, messages=messages, client_name=client.name,
                                    tz=range_from_params({}, client.timezone).tz, redact=_redact(request))
    exports.export_audit(request=request, kind="conversation_pdf", rows=len(messages), target_id=str(conv.pk),
                         redacted=_redact(request))
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{client.slug}-conversation-{conv.pk}.pdf"'
    return response


@require_GET
@client_member_required
def report_pdf(request: HttpRequest) -> HttpResponse:
    context = _overview_context(request)
    client = context["client"]
    body = exports.client_report_pdf(client=client, data=context["overview"], range_label=context["range"].label(),
                                     tz=context["range"].tz)
    exports.export_audit(request=request, kind="overview_pdf", rows=len(context["tiles"]),
                         target_id=f"{context['range'].first_day}..{context['range'].last_day}")
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{client.slug}-report-{context["range"].last_day}.pdf"'
    return response
