"""WID-1/2/4/5 and accessibility of the widget: three themes with AA contrast, a phone-sized full-screen
sheet, keyboard-only use with focus kept in the panel, reduced motion. Screenshots go to
artifacts/screenshots/widget-*.png."""

from __future__ import annotations

import pytest

from tests.browser.shoreline_browser import screenshot
from tests.browser.widget_host import LOOKS, REPLY_TIMEOUT_MS, ask, open_widget, widget_env  # noqa: F401

# Pairs of (text selector, background selector) checked for WCAG AA inside the chat iframe.
CONTRAST_JS = """() => {
  const rgb = s => (s.match(/[\\d.]+/g) || []).slice(0, 4).map(Number);
  const lum = ([r, g, b]) => {
    const f = c => (c /= 255) <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const bg = el => {
    for (let n = el; n; n = n.parentElement) {
      const c = rgb(getComputedStyle(n).backgroundColor);
      if (c.length === 3 || c[3] > 0.99) return c;
    }
    return [255, 255, 255];
  };
  const ratio = (fg, back) => { const [a, b] = [lum(fg), lum(back)].sort((x, y) => y - x); return (a + 0.05) / (b + 0.05); };
  const out = {};
  for (const sel of ['.msg.bot .bubble', '.msg.me .bubble', '.chip', '.pill', '.foot', '.sub', '.note .bubble',
                     'textarea', '.who h1', '.rate .icon']) {
    const el = document.querySelector(sel);
    if (!el) continue;
    const back = sel === '.sub' || sel === '.who h1' ? null : bg(el);
    if (!back) continue;  // the header may be a gradient: checked separately
    out[sel] = Math.round(ratio(rgb(getComputedStyle(el).color), back) * 100) / 100;
  }
  return out;
}"""


@pytest.mark.parametrize("look", list(LOOKS))
def test_each_theme_looks_right_and_meets_aa_contrast(widget_env, new_page, look):  # noqa: F811
    page = new_page(width=1280, height=860)
    frame = open_widget(page, widget_env, look)
    ask(frame, "Do you deliver?", answers_before=1)
    frame.get_by_role("button", name="Talk to a person").click()
    frame.locator(".msg.note").wait_for(state="visible")
    html = frame.locator("html")
    assert html.get_attribute("data-theme") == look
    color = LOOKS[look][0]
    expected = f"rgb({int(color[1:3], 16)}, {int(color[3:5], 16)}, {int(color[5:7], 16)})"
    assert frame.locator(".msg.me .bubble").evaluate("e => getComputedStyle(e).backgroundColor") == expected
    ratios = frame.locator("html").evaluate(f"({CONTRAST_JS})")
    assert len(ratios) >= 7, ratios
    low = {sel: r for sel, r in ratios.items() if r < 4.5}
    assert low == {}, f"WCAG AA contrast below 4.5:1 in the {look} theme: {low}"
    screenshot(page, f"widget-theme-{look}", full_page=False)


def _settled_box(page, selector: str, timeout_s: float = 5.0) -> dict[str, float]:  # type: ignore[no-untyped-def]
    """The element's box once two readings 100 ms apart agree (open animations have ended), rounded."""
    import time

    deadline = time.monotonic() + timeout_s
    previous = None
    while True:
        box = page.locator(selector).bounding_box()
        assert box is not None
        rounded = {k: round(v, 1) for k, v in box.items()}
        if rounded == previous or time.monotonic() > deadline:
            return {k: round(v) for k, v in box.items()}
        previous = rounded
        page.wait_for_timeout(100)


def test_phone_viewport_is_a_full_screen_sheet(widget_env, new_page):  # noqa: F811
    page = new_page(width=375, height=740)
    page.goto(widget_env.page("coastal"))
    launcher = page.locator("shoreline-chat button.launcher")
    launcher.wait_for(state="visible")
    screenshot(page, "widget-mobile-375-closed", full_page=False)
    launcher.click()
    frame = page.frame_locator("shoreline-chat iframe")
    frame.locator("#shl-input").wait_for(state="visible")
    box = _settled_box(page, "shoreline-chat iframe")  # the sheet slides in; measure it at rest
    assert (box["x"], box["y"], box["width"], box["height"]) == (0, 0, 375, 740)
    assert not launcher.is_visible()  # the sheet has its own close button
    # No horizontal scrolling inside the chat, the input is 16px (no iOS zoom), and the composer is on screen.
    assert frame.locator("html").evaluate("() => document.scrollingElement.scrollWidth - innerWidth") == 0
    assert frame.locator("#shl-input").evaluate("e => getComputedStyle(e).fontSize") == "16px"
    composer = frame.locator(".composer").bounding_box()
    assert composer is not None
    assert composer["y"] + composer["height"] <= 740
    ask(frame, "Do you have vegetarian or vegan options?", answers_before=1)
    screenshot(page, "widget-mobile-375", full_page=False)
    # The on-screen keyboard shrinks the visual viewport: the sheet follows it (loader's visualViewport code).
    page.set_viewport_size({"width": 375, "height": 420})
    page.wait_for_timeout(200)
    box = page.locator("shoreline-chat iframe").bounding_box()
    assert box is not None
    assert box["height"] == 420
    composer = frame.locator(".composer").bounding_box()
    assert composer is not None
    assert composer["y"] + composer["height"] <= 420
    frame.get_by_role("button", name="Close chat").click()
    launcher.wait_for(state="visible")


def test_keyboard_only_conversation(widget_env, new_page):  # noqa: F811
    page = new_page()
    page.goto(widget_env.page("light"))
    page.locator("shoreline-chat button.launcher").wait_for(state="visible")
    # Tab from the top of the page: the host's own button first, then the launcher bubble.
    focused_launcher = False
    for _ in range(6):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement && document.activeElement.tagName") == "SHORELINE-CHAT":
            focused_launcher = True
            break
    assert focused_launcher
    page.keyboard.press("Enter")
    frame = page.frame_locator("shoreline-chat iframe")
    frame.locator("#shl-input").wait_for(state="visible")
    for _ in range(20):  # the loader focuses the iframe, which focuses its input
        if frame.locator("#shl-input").evaluate("e => document.activeElement === e && document.hasFocus()"):
            break
        page.wait_for_timeout(100)
    assert frame.locator("#shl-input").evaluate("e => document.activeElement === e")
    page.keyboard.type("Do you take reservations?")
    page.keyboard.press("Enter")
    frame.locator(".msg.bot:not(.pending)").nth(1).wait_for(state="visible", timeout=REPLY_TIMEOUT_MS)
    frame.locator("main.shl[aria-busy=false]").wait_for(state="attached")
    # The live region announced the answer.
    assert "Book online" in frame.locator("[aria-live=polite]").inner_text()
    # Focus is trapped: 30 Tabs later it is still inside the chat panel.
    for _ in range(30):
        page.keyboard.press("Tab")
        assert frame.locator("main.shl").evaluate("m => m.contains(document.activeElement)")
    # Shift+Tab wraps too; Space presses the thumbs-up button.
    helpful = frame.get_by_role("button", name="Helpful", exact=True).first
    for _ in range(40):
        if helpful.evaluate("e => document.activeElement === e"):
            break
        page.keyboard.press("Shift+Tab")
    page.keyboard.press("Space")
    assert helpful.get_attribute("aria-pressed") == "true"
    # Escape closes the panel and gives focus back to the bubble.
    page.keyboard.press("Escape")
    launcher = page.locator("shoreline-chat button.launcher")
    page.wait_for_function("() => document.querySelector('shoreline-chat').shadowRoot.activeElement?.classList.contains('launcher')")
    assert launcher.get_attribute("aria-expanded") == "false"


def test_reduced_motion_turns_animation_off(widget_env, new_page):  # noqa: F811
    page = new_page()
    page.emulate_media(reduced_motion="reduce")
    frame = open_widget(page, widget_env)
    assert frame.locator(".msg.bot").first.evaluate("e => getComputedStyle(e).animationName") == "none"
    panel = page.locator("shoreline-chat .panel")
    assert panel.evaluate("e => getComputedStyle(e).transitionDuration") == "0s"
