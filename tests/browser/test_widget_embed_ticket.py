"""SEC-2 in a real browser: the chat iframe works embedded on an allowed page, and a popup opened by
another website with `host=<allowed origin>` (even holding a valid embed ticket) cannot use the bot."""

from __future__ import annotations

import re
from urllib.parse import urlencode

from tests.browser.widget_host import (  # noqa: F401
    EVIL_HOST,
    chromium,
    live_call,
    open_widget,
    widget_env,
)

REFUSAL = "This chat only works inside the website that shows it."


def _frame_url(env) -> str:  # type: ignore[no-untyped-def]
    """A frame URL with a valid ticket for the allowed page, as a script scraping the loader could get."""
    from controlplane.widgets.services import widget_token_resolve
    from widget.embed_ticket import embed_ticket_issue

    raw = env.tokens["coastal"]
    token = widget_token_resolve(raw)
    assert token is not None
    ticket = embed_ticket_issue(token_id=token.pk, host=env.allowed_origin)
    return f"{env.public_origin}/widget/frame/?{urlencode({'token': raw, 'host': env.allowed_origin, 'ticket': ticket})}"


def test_the_embedded_chat_gets_a_ticket_and_runs_inside_the_allowed_page(widget_env):  # noqa: F811
    env = widget_env
    with chromium() as new_page:
        page = new_page()
        calls: list[str] = []
        page.on("request", lambda r: calls.append(r.url) if "/widget/v1/" in r.url else None)
        open_widget(page, env)
        src = page.locator("shoreline-chat iframe").get_attribute("src") or ""
        assert "&ticket=" in src
        assert any(url.endswith("/widget/v1/embed-ticket") for url in calls)
        chat = page.frame(url=re.compile(r"/widget/frame/"))
        assert chat is not None
        assert chat.evaluate("() => location.ancestorOrigins[0]") == env.allowed_origin
        assert chat.locator(".refused").count() == 0
        chat.wait_for_function("() => performance.getEntriesByType('resource')"
                               ".some(e => e.name.endsWith('/widget/v1/sessions'))")


def test_a_popup_opened_by_another_site_cannot_use_the_bot(widget_env):  # noqa: F811
    env = widget_env
    url = _frame_url(env)
    with chromium() as new_page:
        page = new_page()
        page.goto(f"http://{EVIL_HOST}:{env.host_port}/?look=none")  # any page of the other site
        with page.expect_popup() as opened:
            page.evaluate("url => { window.open(url, 'chat'); }", url)
        popup = opened.value
        popup.wait_for_load_state()
        assert REFUSAL in popup.locator("body").inner_text()
        assert popup.locator("#shl-input").count() == 0
        assert popup.locator("#shl-config").count() == 0


def test_the_chat_script_refuses_to_run_as_a_top_level_window(widget_env):  # noqa: F811
    """A browser that does not say Sec-Fetch-Dest gets the page; the chat's own script then refuses."""
    env = widget_env
    url = _frame_url(env)
    with chromium() as new_page:
        page = new_page()

        def without_fetch_metadata(route):  # type: ignore[no-untyped-def]
            """The page as the server sends it to a browser that says no Sec-Fetch-Dest."""
            status, headers, body = live_call(env, "GET", route.request.url.removeprefix(env.public_origin), {})
            route.fulfill(status=status, headers=dict(headers), body=body)

        page.context.route(re.compile(r"/widget/frame/"), without_fetch_metadata)
        api_calls: list[str] = []
        page.context.on("request", lambda r: api_calls.append(r.url) if "/widget/v1/" in r.url else None)
        page.goto(f"http://{EVIL_HOST}:{env.host_port}/?look=none")
        with page.expect_popup() as opened:
            page.evaluate("url => { window.open(url, 'chat'); }", url)
        popup = opened.value
        popup.wait_for_load_state()
        popup.locator("p.refused").wait_for(state="attached")
        assert popup.locator("html[data-token]").count() == 1  # the server did serve it: the script refused
        assert popup.locator("p.refused").inner_text() == REFUSAL
        assert popup.locator("#shl-input").count() == 0
        popup.wait_for_load_state("networkidle")
        assert api_calls == []
