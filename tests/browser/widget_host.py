"""The widget on a client's website, for the widget browser tests (imported as `widget_host`).

A tiny stdlib HTTP server plays the client's website: http://allowed.localhost:PORT/ is on the bot's
allowlist, http://evil.localhost:PORT/ is not (same server, another origin). Each page embeds the real
snippet (widget.snippet.embed_snippet) pointing at the live server's public host. The page's own CSS
is deliberately hostile, so a widget that leaks styles or takes layout shows it.

All ORM work (bots, knowledge, tokens, allowlist) happens in the `widget_env` fixture, before any
test opens Playwright.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

WIDGET_DIST = Path(__file__).resolve().parents[2] / "frontend" / "dist" / "widget"
ALLOWED_HOST = "allowed.localhost"
# A reply runs the whole agent graph on a 2-core machine that may be running other suites.
REPLY_TIMEOUT_MS = 60_000
EVIL_HOST = "evil.localhost"
DETAILS = {"business_phone": "(555) 010-0001", "booking_url": "https://alpha.example/book",
           "menu_url": "https://alpha.example/menu", "ordering_url": "https://alpha.example/order",
           "doordash_url": "https://alpha.example/dd", "ubereats_url": "https://alpha.example/ue",
           "grubhub_url": "https://alpha.example/gh"}
# One bot per theme (WID-1), each with its own bubble colour (WID-2) and welcome message (WID-3).
LOOKS = {
    "coastal": ("#0ea5b7", "Ahoy! I'm the Harbor assistant. Ask me about the menu, delivery or reservations."),
    "light": ("#4f46e5", "Hi there! Questions about our food, hours or a table? Ask away."),
    "dark": ("#f59e0b", "Good evening! How can I help you tonight?"),
}

HOST_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Alpha Co — fresh food by the harbor</title>
<style>
  * {{ font-family: "Courier New", monospace !important; color: #8b0000; letter-spacing: .1em; }}
  body {{ margin: 0; background: #fdf6e3; }}
  div, button, iframe {{ border: 6px dashed red !important; padding: 30px; margin: 10px; }}
  button {{ background: lime !important; font-size: 40px !important; }}
  main {{ max-width: 720px; margin: 0 auto; padding: 48px 24px; }}
</style></head>
<body><main id="content"><h1>Alpha Co</h1><p>Fresh food by the harbor since 1998.</p>
<p id="layout-probe">This paragraph must not move when the widget loads.</p>
<button id="host-button">A button of the host page</button></main>
{snippet}
</body></html>"""


@dataclass
class WidgetEnv:
    public_origin: str  # http://shoreline.localhost:LIVE_PORT
    host_port: int
    tokens: dict[str, str]  # look key -> raw token
    bot_ids: dict[str, int]
    client_slug: str
    schema_name: str
    pages_served: list[str] = field(default_factory=list)

    def page(self, look: str = "coastal", host: str = ALLOWED_HOST) -> str:
        return f"http://{host}:{self.host_port}/?look={look}"

    @property
    def allowed_origin(self) -> str:
        return f"http://{ALLOWED_HOST}:{self.host_port}"


def _serve(env_ref: dict[str, WidgetEnv]) -> ThreadingHTTPServer:
    from widget.snippet import embed_snippet

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            env = env_ref["env"]
            look = parse_qs(urlsplit(self.path).query).get("look", ["coastal"])[0]
            if urlsplit(self.path).path != "/" or look not in env.tokens:
                self.send_error(404)
                return
            env.pages_served.append(self.path)
            body = HOST_PAGE.format(snippet=embed_snippet(env.tokens[look], env.public_origin)).encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass

    return ThreadingHTTPServer(("127.0.0.1", 0), Handler)


def _warm_up_engine(*, bot_id: int, client_slug: str) -> None:
    """One read-only run of the agent graph in this process, so the first visitor message in the browser
    does not pay for model loading and prototype embedding (the live server shares this process)."""
    from agents.conversation.graph import conversation_reply
    from controlplane.core.model_provider import model_provider
    from tenants.bots.selectors import bot_get, bot_published_config
    from tenants.conversations.agent_runtime import bot_ports, bot_run_context

    bot = bot_get(bot_id=bot_id)
    assert bot is not None
    context = bot_run_context(client_slug=client_slug, bot_id=bot_id, config=bot_published_config(bot),
                              contact_known=False, already_asked_for_contact=False)
    conversation_reply(message="Do you deliver?", history=[], context=context, ports=bot_ports(bot_id),
                       model=model_provider())


@pytest.fixture
def widget_env(site, settings) -> Iterator[WidgetEnv]:  # type: ignore[no-untyped-def]
    """Alpha Co (restaurant) with three published bots, one per theme, FAQs seeded, tokens issued, and
    only http://allowed.localhost:PORT on their allowlists.

    Rate limits are lifted: these tests drive a whole visit quickly (the limits have their own tests
    in tests/integration/widget), and a slow or fast machine must not change what they see."""
    settings.WIDGET_RATE_VISITOR_BURST = 1000
    settings.WIDGET_RATE_VISITOR_PER_MINUTE = 6000
    settings.WIDGET_RATE_IP_BURST = 1000
    settings.WIDGET_RATE_IP_PER_MINUTE = 6000
    from django_tenants.utils import schema_context

    from controlplane.clients.models import Client
    from controlplane.widgets.services import allowed_origin_add, widget_token_issue
    from industry_modes import load_pack
    from tenants.bots.config import bot_config_from_pack
    from tenants.bots.services import bot_config_publish_initial, bot_create
    from tenants.knowledge.services import knowledge_seed_from_pack
    from widget.cors import cors_cache_clear

    missing = [n for n in ("loader.js", "chat.js", "chat.css") if not (WIDGET_DIST / n).is_file()]
    if missing:
        pytest.fail(f"The widget is not built ({', '.join(missing)} missing in {WIDGET_DIST}): run `make assets`.",
                    pytrace=False)
    env_ref: dict[str, WidgetEnv] = {}
    server = _serve(env_ref)
    port = server.server_address[1]
    client = Client.objects.get(slug="alpha")
    bot_ids: dict[str, int] = {}
    with schema_context(client.schema_name):
        base = bot_config_from_pack(load_pack("restaurant"), business_name="Alpha Co", details=DETAILS)
        for look, (color, welcome) in LOOKS.items():
            bot = bot_create(name=f"Harbor {look}")
            widget = base.widget.model_copy(update={"theme": look, "bubble_color": color, "welcome_message": welcome})
            persona = base.persona.model_copy(update={"name": "Harbor Host"})
            bot_config_publish_initial(bot=bot, config=base.model_copy(update={"widget": widget, "persona": persona}))
            knowledge_seed_from_pack(bot_id=bot.pk, pack_key="restaurant",
                                     details={"business_name": "Alpha Co", **DETAILS})
            bot_ids[look] = bot.pk
        _warm_up_engine(bot_id=bot_ids["coastal"], client_slug=client.slug)
    tokens = {}
    for look, bot_id in bot_ids.items():
        allowed_origin_add(client=client, bot_id=bot_id, origin=f"http://{ALLOWED_HOST}:{port}")
        tokens[look] = widget_token_issue(client=client, bot_id=bot_id).raw
    cors_cache_clear()
    env = WidgetEnv(public_origin=site.public("").rstrip("/"), host_port=port, tokens=tokens, bot_ids=bot_ids,
                    client_slug="alpha", schema_name=client.schema_name)
    env_ref["env"] = env
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield env
    server.shutdown()
    server.server_close()
    cors_cache_clear()


def open_widget(page, env: WidgetEnv, look: str = "coastal"):  # type: ignore[no-untyped-def]
    """Loads the host page, clicks the bubble, and returns the chat iframe's frame locator."""
    page.goto(env.page(look))
    launcher = page.locator("shoreline-chat button.launcher")
    launcher.wait_for(state="visible")
    launcher.click()
    frame = page.frame_locator("shoreline-chat iframe")
    frame.locator("#shl-input").wait_for(state="visible")
    return frame


def ask(frame, text: str, answers_before: int) -> str:  # type: ignore[no-untyped-def]
    """Types a message, sends it with Enter, and returns the finished bot reply."""
    frame.locator("#shl-input").fill(text)
    frame.locator("#shl-input").press("Enter")
    reply = frame.locator(".msg.bot:not(.pending)").nth(answers_before)
    reply.wait_for(state="visible", timeout=REPLY_TIMEOUT_MS)
    # The reply is final once its feedback buttons (or, for canned/fallback notes, the idle state) are there.
    frame.locator("main.shl[aria-busy=false]").wait_for(state="attached")
    return reply.locator(".bubble").inner_text()


def wait_for_api(page, *paths: str) -> None:  # type: ignore[no-untyped-def]
    """Waits until the chat iframe has finished a call to each /widget/v1/<path>."""
    import re

    chat = page.frame(url=re.compile(r"/widget/frame/"))
    assert chat is not None
    chat.wait_for_function("""paths => paths.every(p => performance.getEntriesByType('resource')
        .some(e => new URL(e.name).pathname === '/widget/v1/' + p))""", arg=list(paths))


@contextmanager
def chromium() -> Iterator[Callable[..., object]]:
    """Playwright for one `with` block: ORM checks go after it (Django refuses ORM calls while the sync
    API's event loop runs). Yields a page factory like conftest's new_page."""
    from playwright.sync_api import sync_playwright

    from tests.browser.shoreline_browser import CHROMIUM_ARGS, chromium_executable

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_executable(), args=CHROMIUM_ARGS)

        def make(width: int = 1440, height: int = 900, color_scheme: str = "light"):  # type: ignore[no-untyped-def]
            context = browser.new_context(viewport={"width": width, "height": height}, color_scheme=color_scheme,
                                          device_scale_factor=1)
            page = context.new_page()
            page.set_default_timeout(15_000)
            return page

        try:
            yield make
        finally:
            browser.close()


def live_call(env: WidgetEnv, method: str, path: str, headers: dict[str, str], body: object = None):  # type: ignore[no-untyped-def]
    """A raw HTTP call to the live server as `shoreline.localhost` (no browser, no CORS): what the API
    itself answers. Returns (status, headers, body bytes)."""
    import http.client
    import json

    parts = urlsplit(env.public_origin)
    connection = http.client.HTTPConnection("127.0.0.1", parts.port, timeout=30)
    payload = None if body is None else json.dumps(body).encode()
    all_headers = {"Host": parts.netloc, **headers}
    if payload is not None:
        all_headers["Content-Type"] = "application/json"
    connection.request(method, path, body=payload, headers=all_headers)
    response = connection.getresponse()
    result = response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    connection.close()
    return result
