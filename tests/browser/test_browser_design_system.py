"""The design system: the admin-only style guide, WCAG AA contrast in both themes, focus rings."""

from __future__ import annotations

from tests.browser.shoreline_browser import horizontal_overflow, screenshot, sign_in
from tests.conftest import ADMIN_EMAIL, AGENCY_PASSWORD, STAFF_EMAIL

# (foreground token, background token, minimum ratio). Alpha backgrounds are composited over --bg,
# the page behind every glass surface. 4.5 is AA for body text, 3.0 for large text and UI parts.
CONTRAST_PAIRS = [
    ("--text", "--bg", 4.5), ("--text", "--surface", 4.5), ("--text", "--surface-solid", 4.5),
    ("--text", "--surface-sunken", 4.5), ("--text-muted", "--bg", 4.5), ("--text-muted", "--surface", 4.5),
    ("--text-muted", "--surface-sunken", 4.5), ("--text-subtle", "--bg", 4.5), ("--text-subtle", "--surface", 4.5),
    ("--text-subtle", "--surface-sunken", 4.5), ("--link", "--bg", 4.5), ("--link", "--surface-solid", 4.5),
    ("--on-primary", "--primary", 4.5), ("--success-text", "--success-bg", 4.5),
    ("--warning-text", "--warning-bg", 4.5), ("--danger-text", "--danger-bg", 4.5), ("--info-text", "--info-bg", 4.5),
    ("--neutral-text", "--neutral-bg", 4.5), ("--admin-text", "--admin-bg", 4.5), ("--primary", "--surface-solid", 3.0),
    ("--focus", "--bg", 3.0), ("--focus", "--surface-solid", 3.0), ("--danger-text", "--surface-solid", 4.5),
]

# Resolves each token to an sRGB triple in the browser (the engine parses the CSS), compositing alpha.
RESOLVE = """([theme, pairs]) => {
  const scope = document.createElement('div');
  scope.dataset.theme = theme;
  document.body.append(scope);
  const probe = document.createElement('span');
  scope.append(probe);
  const rgba = (token) => {
    probe.style.color = `var(${token})`;
    const m = getComputedStyle(probe).color.match(/[\\d.]+/g).map(Number);
    return m.length === 4 ? m : [...m, 1];
  };
  const over = (top, under) => top.slice(0, 3).map((c, i) => c * top[3] + under[i] * (1 - top[3]));
  const bg = rgba('--bg');
  const out = pairs.map(([fg, back]) => {
    const b = over(rgba(back), bg);
    return [fg, back, over(rgba(fg), b), b];
  });
  scope.remove();
  return out;
}"""


def _luminance(rgb: list[float]) -> float:
    channels = [c / 255 for c in rgb]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: list[float], b: list[float]) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_text_and_background_tokens_meet_wcag_aa_in_both_themes(site, new_page):
    page = new_page()
    page.goto(site.public("/login/"))
    failures = []
    for theme in ("light", "dark"):
        for fg, bg, fg_rgb, bg_rgb in page.evaluate(RESOLVE, [theme, [[f, b] for f, b, _ in CONTRAST_PAIRS]]):
            minimum = next(m for f, b, m in CONTRAST_PAIRS if (f, b) == (fg, bg))
            if (ratio := contrast(fg_rgb, bg_rgb)) < minimum:
                failures.append(f"{theme}: {fg} on {bg} = {ratio:.2f} < {minimum}")
    assert failures == []


def test_keyboard_focus_is_visible(site, new_page):
    page = new_page()
    page.goto(site.public("/login/"))
    assert page.evaluate("document.activeElement.id") == "id_username"  # autofocus
    page.keyboard.press("Tab")
    field = page.evaluate("""(() => { const s = getComputedStyle(document.activeElement);
        return [document.activeElement.id, s.boxShadow]; })()""")
    assert field[0] == "id_password"
    assert field[1] != "none"
    page.keyboard.press("Tab")
    # The agency login has the optional two-step code next (empty for accounts without a device).
    code = page.evaluate("""(() => { const s = getComputedStyle(document.activeElement);
        return [document.activeElement.id, s.boxShadow]; })()""")
    assert code[0] == "id_otp_code"
    assert code[1] != "none"
    page.keyboard.press("Tab")
    button = page.evaluate("""(() => { const s = getComputedStyle(document.activeElement);
        return [document.activeElement.textContent.trim(), s.outlineStyle, s.outlineWidth]; })()""")
    assert button == ["Sign in", "solid", "2px"]
    # The skip link is the first stop and becomes visible when focused.
    for _ in range(5):  # two-step code, password, email, theme toggle, skip link
        page.keyboard.press("Shift+Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    assert page.locator(".skip-link").bounding_box()["y"] >= 0  # type: ignore[index]


def test_styleguide_shows_every_component_in_both_themes(site, new_page):
    page = new_page()
    sign_in(page, site.public("/login/"), ADMIN_EMAIL, AGENCY_PASSWORD)
    page.goto(site.public("/styleguide/"))
    page.wait_for_selector("[data-chart-ready]")
    for theme in ("light", "dark"):
        panel = page.locator(f"[data-testid=sg-{theme}]")
        assert panel.get_attribute("data-theme") == theme
        labels = panel.locator("section.sg-section").evaluate_all("els => els.map(e => e.getAttribute('aria-label'))")
        assert labels == ["Colors", "Type scale", "Spacing, radius and shadow", "Buttons", "Status", "Stat tiles",
                          "Cards", "Charts", "Table", "Skeletons", "Feedback", "Copy", "Forms"]
        assert panel.locator(".pill").evaluate_all("els => els.map(e => e.textContent.trim())")[:4] == [
            "Active", "Paused", "Over limit", "Needs update"]
        # Every chart draws, and each carries its numbers as a table too.
        assert panel.locator("[data-chart]").count() == 4
        panel.locator("[data-chart][data-chart-ready] svg").first.wait_for()
        assert panel.locator(".chart-frame table").count() == 4
        assert panel.locator(".admin-only").count() >= 2
        # Inline errors are tied to their field for screen readers.
        email = panel.locator(f"#{theme}-invalid-email")
        assert email.get_attribute("aria-invalid") == "true"
        assert email.get_attribute("aria-describedby") == f"{theme}-invalid-email_error"
        assert panel.locator(f"#{theme}-invalid-email_error").inner_text() == "Enter a valid email address."
    # The two panels really differ: dark panel text is light.
    assert page.evaluate("getComputedStyle(document.querySelector('[data-testid=sg-dark] h2')).color") == \
        "rgb(232, 241, 251)"
    # Modal: opens as a dialog, closes with Escape, focus returns to its opener.
    opener = page.locator("[data-testid=sg-light] [data-modal-open]")
    opener.click()
    assert page.locator("#light-modal-pause").evaluate("d => d.open")
    page.keyboard.press("Escape")
    assert not page.locator("#light-modal-pause").evaluate("d => d.open")
    assert page.evaluate("document.activeElement.dataset.modalOpen") == "light-modal-pause"
    # Toast and copy-to-clipboard.
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.locator("[data-testid=sg-light] [data-copy-target]").click()
    assert page.evaluate("navigator.clipboard.readText()").startswith('<script src="https://shoreline.example/')
    assert "Copied to clipboard" in page.locator("[data-toast-region]").inner_text()
    screenshot(page, "styleguide-1440")

    phone = new_page(width=375, height=812, color_scheme="dark")
    sign_in(phone, site.public("/login/"), ADMIN_EMAIL, AGENCY_PASSWORD)
    phone.goto(site.public("/styleguide/"))
    phone.wait_for_selector("[data-chart-ready]")
    assert horizontal_overflow(phone) <= 0
    screenshot(phone, "styleguide-375")


def test_styleguide_is_for_platform_admins_only(site, new_page):
    page = new_page()
    sign_in(page, site.public("/login/"), STAFF_EMAIL, AGENCY_PASSWORD)
    response = page.goto(site.public("/styleguide/"))
    assert response is not None
    assert response.status == 403
    assert page.get_by_role("navigation", name="Portal").get_by_role("link", name="Style guide").count() == 0
