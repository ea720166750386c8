"""The non-API pages of the widget: the chat iframe, avatars, and the demo host page.

The iframe page is the only page of ours that may be framed (CX-1/SEC-2): it drops X-Frame-Options
and sends `frame-ancestors` built from the bot's allowlist, so the browser itself refuses to show the
chat on any other website; the API still checks the origin on every call.
"""

from __future__ import annotations

import json
import re

from django.conf import settings
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.views.decorators.cache import never_cache
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_GET

from controlplane.clients.branding import agency_brand
from controlplane.clients.models import Client
from controlplane.widgets.origins import origin_allowed
from controlplane.widgets.selectors import allowed_origins_for
from controlplane.widgets.services import widget_token_resolve
from tenants.bots.selectors import bot_get, bot_published_config
from widget.access import WidgetCaller, client_schema
from widget.avatar import AVATAR_NAME, avatar_path
from widget.embed_ticket import embed_ticket_valid
from widget.public_config import public_config
from widget.snippet import embed_snippet, public_origin

DEMO_HOST = "demo-site.localhost"


def frame_csp(allowlist: list[str]) -> str:
    ancestors = " ".join(allowlist) or "'none'"
    static_origin = ""
    if settings.STATIC_URL.startswith(("https://", "http://")):
        static_origin = " " + "/".join(settings.STATIC_URL.split("/")[:3])
    return (
        f"default-src 'none'; script-src 'self'{static_origin}; style-src 'self'{static_origin}; "
        f"font-src 'self'{static_origin}; img-src 'self' data: https:; connect-src 'self'; "
        f"base-uri 'none'; form-action 'none'; frame-ancestors {ancestors}"
    )


def _refused(status: int, sentence: str) -> HttpResponse:
    response = HttpResponse(f"<!doctype html><title>Chat unavailable</title><p>{sentence}</p>", status=status)
    response["Content-Security-Policy"] = "default-src 'none'; frame-ancestors 'none'"
    return response


@require_GET
@never_cache
@xframe_options_exempt
def widget_frame(request: HttpRequest) -> HttpResponse:
    """GET /widget/frame/?token=shl_…&host=<embedding page origin>&ticket=…: the chat app's page.

    Only inside a frame (a browser's top-level navigation says `Sec-Fetch-Dest: document`) and only
    with the embed ticket the loader got for this host (widget.embed_ticket).
    """
    if request.headers.get("Sec-Fetch-Dest") == "document":
        return _refused(403, "This chat only works inside the website that shows it.")
    token = widget_token_resolve(request.GET.get("token", ""))
    if token is None:
        return _refused(404, "This chat widget does not exist or was turned off.")
    host = request.GET.get("host", "")
    allowlist = allowed_origins_for(client_id=token.client_id, bot_id=token.bot_id)
    if not origin_allowed(host, allowlist):
        return _refused(403, "This chat widget is not allowed on this website.")
    if not embed_ticket_valid(request.GET.get("ticket"), token_id=token.pk, host=host):
        return _refused(403, "This chat window has expired. Reload the page and open the chat again.")
    caller = WidgetCaller(client=token.client, bot_id=token.bot_id, token=token, origin=host)
    with client_schema(caller):
        bot = bot_get(bot_id=token.bot_id)
        if bot is None:
            return _refused(404, "This chat widget's bot no longer exists.")
        config = public_config(bot, bot_published_config(bot))
    html = render_to_string("widget/frame.html", {
        "config": config.model_dump(mode="json"), "token": request.GET["token"], "host": host,
        "powered_by": agency_brand().powered_by,  # white label: the agency's name, or "" (hidden)
    })
    response = HttpResponse(html)
    response["Content-Security-Policy"] = frame_csp(allowlist)
    response["Referrer-Policy"] = "no-referrer"
    return response


@require_GET
def widget_avatar(request: HttpRequest, slug: str, name: str) -> HttpResponse:
    """WID-4: an uploaded bot avatar. Names are content hashes, so they are cached for a year."""
    if not re.fullmatch(AVATAR_NAME, name):
        raise Http404
    client = Client.objects.filter(slug=slug).exclude(schema_name="public").first()
    if client is None:
        raise Http404
    path = avatar_path(client, name)
    if not default_storage.exists(path):
        raise Http404
    response = FileResponse(default_storage.open(path, "rb"), content_type="image/png")
    response["Cache-Control"] = "public, max-age=31536000, immutable"
    response["Content-Security-Policy"] = "default-src 'none'"
    response["Cross-Origin-Resource-Policy"] = "cross-origin"
    return response


def _demo_tokens() -> dict[str, str]:
    path = settings.ENV.data_dir / "demo-credentials.json"
    if not path.exists():
        return {}
    stored = json.loads(path.read_text())
    return {key.split(":", 1)[1]: value for key, value in stored.items() if key.startswith("widget:")}


@require_GET
def widget_demo(request: HttpRequest) -> HttpResponse:
    """`make demo` only: a pretend client website on http://demo-site.localhost:8000 embedding the snippet."""
    if not settings.DEBUG or request.get_host().split(":")[0] != DEMO_HOST:
        raise Http404
    tokens = _demo_tokens()
    clients = list(Client.objects.exclude(schema_name="public").filter(slug__in=tokens).order_by("name"))
    chosen = next((c for c in clients if c.slug == request.GET.get("client")), clients[0] if clients else None)
    response = HttpResponse(render_to_string("widget/demo.html", {
        "clients": clients, "chosen": chosen,
        "snippet": embed_snippet(tokens[chosen.slug], public_origin()) if chosen else "",
    }))
    response["Content-Security-Policy"] = demo_page_csp(public_origin())
    return response


def demo_page_csp(platform_origin: str) -> str:
    """The pretend website's own policy, as a client with a CSP would write it for the widget: our
    loader script, our chat iframe and calls to our API. (The site-wide policy, script-src 'self',
    blocked the loader, so the demo page showed no bubble; found on the `make demo` walk.)"""
    return (
        f"default-src 'self'; script-src 'self' {platform_origin}; frame-src {platform_origin}; "
        f"connect-src 'self' {platform_origin}; img-src 'self' data: {platform_origin}; "
        "style-src 'self' 'unsafe-inline'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'"
    )
