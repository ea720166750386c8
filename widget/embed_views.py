"""SEC-1/SEC-2 in the agency portal: widget tokens and allowed websites per bot.

/portal/clients/<slug>/embed/ — agency staff may look; only platform admins issue, rotate and
revoke tokens or change the allowlist, and every change is audited by the services.
A raw token is shown exactly once, in the response to the POST that created it.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from controlplane.clients.models import Client
from controlplane.widgets.models import AllowedOrigin, WidgetToken
from controlplane.widgets.origins import InvalidOrigin
from controlplane.widgets.services import (
    allowed_origin_add,
    allowed_origin_remove,
    widget_token_issue,
    widget_token_revoke,
    widget_token_rotate,
)
from tenants.bots.models import Bot
from tenants.portal_access import client_portal_view, get_or_404
from widget.snippet import embed_snippet, public_origin


class OriginForm(forms.Form):
    origin = forms.CharField(max_length=255, help_text="scheme://host[:port], e.g. https://www.example.com or "
                                                       "https://*.example.com for every subdomain.")


def _page(request: HttpRequest, client: Client, *, issued: tuple[Bot, str] | None = None,
          origin_form: OriginForm | None = None, status: int = 200) -> HttpResponse:
    bots = list(Bot.objects.order_by("id"))
    tokens = list(WidgetToken.objects.filter(client=client).order_by("-created_at"))
    origins = list(AllowedOrigin.objects.filter(client=client).order_by("origin"))
    rows = [{"bot": bot, "tokens": [t for t in tokens if t.bot_id == bot.pk],
             "origins": [o for o in origins if o.bot_id == bot.pk]} for bot in bots]
    return render(request, "portal/embed.html", {
        "client": client, "rows": rows, "origin_form": origin_form or OriginForm(),
        "issued_bot": issued[0] if issued else None,
        "issued_snippet": embed_snippet(issued[1], public_origin()) if issued else "",
    }, status=status)


@require_GET
@client_portal_view()
def embed_settings(request: HttpRequest, client: Client) -> HttpResponse:
    return _page(request, client)


@require_POST
@client_portal_view(admin=True)
def token_issue(request: HttpRequest, client: Client, bot_id: int) -> HttpResponse:
    bot = get_or_404(Bot.objects, pk=bot_id)
    issued = widget_token_issue(client=client, bot_id=bot.pk, actor=request.user)
    return _page(request, client, issued=(bot, issued.raw))


@require_POST
@client_portal_view(admin=True)
def token_rotate(request: HttpRequest, client: Client, token_id: int) -> HttpResponse:
    token = get_or_404(WidgetToken.objects.filter(client=client, revoked_at__isnull=True), pk=token_id)
    bot = get_or_404(Bot.objects, pk=token.bot_id)
    issued = widget_token_rotate(token=token, actor=request.user)
    messages.success(request, f"Token {token.prefix}… was revoked; replace the snippet on the website now.")
    return _page(request, client, issued=(bot, issued.raw))


@require_POST
@client_portal_view(admin=True)
def token_revoke(request: HttpRequest, client: Client, token_id: int) -> HttpResponse:
    token = get_or_404(WidgetToken.objects.filter(client=client), pk=token_id)
    widget_token_revoke(token=token, actor=request.user)
    messages.success(request, f"Token {token.prefix}… is revoked: the widget using it stops at once.")
    return redirect("portal_embed:settings", slug=client.slug)


@require_POST
@client_portal_view(admin=True)
def origin_add(request: HttpRequest, client: Client, bot_id: int) -> HttpResponse:
    bot = get_or_404(Bot.objects, pk=bot_id)
    form = OriginForm(request.POST)
    if form.is_valid():
        try:
            row = allowed_origin_add(client=client, bot_id=bot.pk, origin=form.cleaned_data["origin"],
                                     actor=request.user)
        except InvalidOrigin as error:
            form.add_error("origin", str(error))
        else:
            messages.success(request, f"{row.origin} may now show {bot.name}.")
            return redirect("portal_embed:settings", slug=client.slug)
    return _page(request, client, origin_form=form, status=400)


@require_POST
@client_portal_view(admin=True)
def origin_remove(request: HttpRequest, client: Client, origin_id: int) -> HttpResponse:
    row = get_or_404(AllowedOrigin.objects.filter(client=client), pk=origin_id)
    allowed_origin_remove(client=client, bot_id=row.bot_id, origin=row.origin, actor=request.user)
    messages.success(request, f"{row.origin} can no longer use the widget.")
    return redirect("portal_embed:settings", slug=client.slug)
