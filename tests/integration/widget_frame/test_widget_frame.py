"""CX-1/SEC-2: the chat iframe page — who may frame it, what it inlines, which headers it sends."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.test import Client as DjangoClient

from tests.integration.widget.support import ALPHA_SITE, PUBLIC_HOST, WidgetSetup

pytestmark = pytest.mark.django_db


def ticket_for(setup: WidgetSetup, host: str = ALPHA_SITE) -> str:
    """What the loader gets from POST /widget/v1/embed-ticket on `host`."""
    from widget.embed_ticket import embed_ticket_issue

    return embed_ticket_issue(token_id=setup.token_row.pk, host=host)


def frame(setup: WidgetSetup, *, token: str | None = None, host: str | None = ALPHA_SITE,
          ticket: str | None = "", **headers: Any) -> Any:
    """The iframe page as a browser loads it inside a frame (Sec-Fetch-Dest: iframe), with a ticket."""
    params = {"token": setup.token if token is None else token}
    if host is not None:
        params["host"] = host
    if ticket is not None:
        params["ticket"] = ticket or ticket_for(setup, host or "")
    headers.setdefault("HTTP_SEC_FETCH_DEST", "iframe")
    return DjangoClient(HTTP_HOST=PUBLIC_HOST).get("/widget/frame/", params, **headers)


def csp(response: Any) -> dict[str, str]:
    return {part.split(" ", 1)[0]: part.split(" ", 1)[1] if " " in part else ""
            for part in (p.strip() for p in response["Content-Security-Policy"].split(";")) if part}


def test_frame_is_framable_only_by_the_bot_allowlist(alpha: WidgetSetup) -> None:
    from controlplane.widgets.services import allowed_origin_add

    allowed_origin_add(client=alpha.client, bot_id=alpha.bot_id, origin="https://*.alpha-shops.example")
    response = frame(alpha)
    assert response.status_code == 200
    assert "X-Frame-Options" not in response
    policy = csp(response)
    assert policy["frame-ancestors"] == "https://*.alpha-shops.example https://www.alpha.example"
    assert policy["default-src"] == "'none'"
    assert policy["script-src"] == "'self'"
    assert policy["style-src"] == "'self'"
    assert policy["connect-src"] == "'self'"
    assert policy["form-action"] == "'none'"
    assert "no-store" in response["Cache-Control"]


def test_frame_inlines_the_public_config_and_nothing_secret(alpha: WidgetSetup) -> None:
    response = frame(alpha)
    html = response.content.decode()
    inline = re.search(r'<script id="shl-config" type="application/json">(.*?)</script>', html, re.S)
    assert inline is not None
    config = json.loads(inline.group(1))
    assert config["bot_name"]
    assert config["business_name"] == "Alpha Co"
    assert config["theme"] in ("light", "dark", "coastal")
    assert re.fullmatch(r"#[0-9a-f]{6}", config["bubble_color"])
    assert set(config) == {"bot_name", "business_name", "status", "theme", "bubble_color", "welcome_message",
                           "avatar_url", "booking_url", "quick_replies", "handoff_promise"}
    assert f'data-host="{ALPHA_SITE}"' in html
    assert "<script src=\"/static/widget/chat.js\" defer>" in html
    assert "<style" not in html
    assert " style=" not in html.split("<noscript>")[0]


def test_frame_refuses_a_disallowed_website(alpha: WidgetSetup) -> None:
    for host in ("https://evil.example", "", "null", "https://www.alpha.example.evil.example"):
        response = frame(alpha, host=host)
        assert response.status_code == 403, host
        assert csp(response)["frame-ancestors"] == "'none'"
        assert b"shl-config" not in response.content


def test_frame_refuses_unknown_and_revoked_tokens(alpha: WidgetSetup) -> None:
    from controlplane.widgets.services import widget_token_revoke

    assert frame(alpha, token="shl_nothing_here").status_code == 404
    assert frame(alpha, token="").status_code == 404
    widget_token_revoke(token=alpha.token_row)
    response = frame(alpha)
    assert response.status_code == 404
    assert csp(response)["frame-ancestors"] == "'none'"


def test_other_pages_still_refuse_framing(alpha: WidgetSetup) -> None:
    response = DjangoClient(HTTP_HOST=PUBLIC_HOST).get("/login/")
    assert response["X-Frame-Options"] == "DENY"


def test_frame_escapes_what_it_echoes(alpha: WidgetSetup) -> None:
    from controlplane.widgets.services import allowed_origin_add

    # Origins are normalised on the allowlist, so a quote can never get there; the token is echoed escaped.
    response = frame(alpha, token=alpha.token + '"><script>alert(1)</script>')
    assert response.status_code == 404
    assert b"<script>alert" not in response.content
    allowed_origin_add(client=alpha.client, bot_id=alpha.bot_id, origin="http://localhost:8000")
    assert frame(alpha, host="http://localhost:8000").status_code == 200


def test_demo_page_exists_only_on_the_demo_host_in_debug(alpha: WidgetSetup, settings: Any) -> None:
    assert DjangoClient(HTTP_HOST=PUBLIC_HOST).get("/widget/demo/").status_code == 404
    settings.DEBUG = False
    assert DjangoClient(HTTP_HOST=PUBLIC_HOST).get("/widget/demo/").status_code == 404


def test_demo_page_embeds_the_snippet_of_the_chosen_demo_client(alpha: WidgetSetup, settings: Any,
                                                                 monkeypatch: Any) -> None:
    from controlplane.clients.models import Client, Domain
    from tenants.demo.setup import demo_site_domain_ensure

    settings.DEBUG = True
    demo_site_domain_ensure()
    assert Domain.objects.get(domain="demo-site.localhost").tenant == Client.objects.get(schema_name="public")
    monkeypatch.setattr("widget.frame_views._demo_tokens", lambda: {"alpha": alpha.token})
    response = DjangoClient(HTTP_HOST="demo-site.localhost:8000").get("/widget/demo/", {"client": "alpha"})
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count(f'data-token="{alpha.token}" async></script>') == 1  # embedded once
    assert f"data-token=&quot;{alpha.token}&quot; async&gt;&lt;/script&gt;</code>" in html  # and shown as text
    assert '<script src="http://shoreline.localhost:8000/static/widget/loader.js"' in html
    # The page's own policy lets the loader, the chat iframe and the API calls through (the site-wide
    # policy, script-src 'self', blocked the loader: the bubble never showed).
    policy = response["Content-Security-Policy"]
    assert "script-src 'self' http://shoreline.localhost:8000;" in policy
    assert "frame-src http://shoreline.localhost:8000;" in policy
    assert "connect-src 'self' http://shoreline.localhost:8000;" in policy


# --- SEC-2: embed tickets ------------------------------------------------------------------------------

def test_frame_needs_a_ticket_for_its_own_host_and_token(alpha: WidgetSetup, client_bravo: Any) -> None:
    from controlplane.widgets.services import allowed_origin_add
    from tests.integration.widget.support import BRAVO_SITE, widget_setup

    bravo = widget_setup(client_bravo, BRAVO_SITE)

    allowed_origin_add(client=alpha.client, bot_id=alpha.bot_id, origin="https://shop.alpha.example")
    cases = {
        "missing": None,
        "garbage": "not-a-ticket",
        "another allowed host's": ticket_for(alpha, "https://shop.alpha.example"),
        "another widget's": ticket_for(bravo, ALPHA_SITE),
        "tampered": ticket_for(alpha)[:-3] + "abc",
    }
    for name, ticket in cases.items():
        response = frame(alpha, ticket=ticket)
        assert response.status_code == 403, name
        assert b"shl-config" not in response.content
        assert b"expired" in response.content
        assert csp(response)["frame-ancestors"] == "'none'"
    assert frame(alpha).status_code == 200


def test_an_old_ticket_is_refused(alpha: WidgetSetup, settings: Any) -> None:
    ticket = ticket_for(alpha)
    settings.WIDGET_EMBED_TICKET_MAX_AGE = -1
    assert frame(alpha, ticket=ticket).status_code == 403


def test_a_top_level_navigation_is_refused_even_with_a_valid_ticket(alpha: WidgetSetup) -> None:
    """A popup (or a tab) opened by another site: the browser says Sec-Fetch-Dest: document."""
    response = frame(alpha, HTTP_SEC_FETCH_DEST="document")
    assert response.status_code == 403
    assert b"only works inside the website" in response.content
    assert b"shl-config" not in response.content


def test_the_loader_gets_a_ticket_only_for_an_allowed_page(alpha: WidgetSetup) -> None:
    response = alpha.post("/embed-ticket", "")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["expires_in"] == 300
    assert frame(alpha, ticket=body["ticket"]).status_code == 200
    # bound to the origin that asked: useless for another host
    from controlplane.widgets.services import allowed_origin_add

    allowed_origin_add(client=alpha.client, bot_id=alpha.bot_id, origin="https://shop.alpha.example")
    assert frame(alpha, host="https://shop.alpha.example", ticket=body["ticket"]).status_code == 403
    assert alpha.post("/embed-ticket", "", origin="https://evil.example").status_code == 403
    assert alpha.post("/embed-ticket", "", token="").status_code == 401


def test_our_own_pages_cannot_mint_a_ticket(alpha: WidgetSetup) -> None:
    from widget.access import own_origins

    own = sorted(own_origins())[0]
    response = alpha.post("/embed-ticket", "", origin=own, HTTP_X_SHORELINE_EMBED_ORIGIN=ALPHA_SITE)
    assert response.status_code == 403
    assert response.json()["error"] == "origin_not_allowed"
