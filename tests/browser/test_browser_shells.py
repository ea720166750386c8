"""The three shells: mobile first (UX-1), theme toggle (UX-7), client branding (UX-2), screenshots."""

from __future__ import annotations

import pytest

from tests.browser.shoreline_browser import horizontal_overflow, screenshot, sign_in
from tests.conftest import ADMIN_EMAIL, AGENCY_PASSWORD, CLIENT_PASSWORD

PORTAL_PAGES = ("/portal/", "/portal/clients/alpha/", "/portal/clients/new/", "/portal/staff/", "/portal/audit/",
                "/portal/system/", "/portal/costs/", "/portal/approvals/", "/styleguide/", "/password/change/")
DASHBOARD_PAGES = ("/", "/password/change/")


def _overflowing(page, urls: list[str]) -> dict[str, int]:  # type: ignore[no-untyped-def]
    found = {}
    for url in urls:
        page.goto(url)
        page.wait_for_load_state("networkidle")
        if (excess := horizontal_overflow(page)) > 0:
            found[url] = excess
    return found


@pytest.mark.parametrize("width", [375, 1440])
def test_no_shell_scrolls_sideways(site, new_page, width):
    auth = new_page(width=width)
    assert _overflowing(auth, [site.public("/login/"), site.client("alpha", "/login/")]) == {}

    portal = new_page(width=width)
    sign_in(portal, site.public("/login/"), ADMIN_EMAIL, AGENCY_PASSWORD)
    assert _overflowing(portal, [site.public(p) for p in PORTAL_PAGES]) == {}

    dashboard = new_page(width=width)
    sign_in(dashboard, site.client("alpha", "/login/"), "owner@alpha.test", CLIENT_PASSWORD)
    assert _overflowing(dashboard, [site.client("alpha", p) for p in DASHBOARD_PAGES]) == {}


def test_navigation_collapses_behind_a_menu_button_on_a_phone(site, new_page):
    page = new_page(width=375, height=812)
    sign_in(page, site.public("/login/"), ADMIN_EMAIL, AGENCY_PASSWORD)
    menu = page.get_by_role("button", name="Menu")
    team = page.get_by_role("navigation", name="Portal").get_by_role("link", name="Team")
    assert menu.is_visible()
    assert menu.get_attribute("aria-expanded") == "false"
    assert not team.is_visible()
    menu.click()
    assert menu.get_attribute("aria-expanded") == "true"
    team.wait_for(state="visible")
    page.keyboard.press("Escape")
    assert menu.get_attribute("aria-expanded") == "false"
    menu.click()
    team.click()
    page.wait_for_url(site.public("/portal/staff/"))
    assert page.get_by_role("heading", level=1).inner_text() == "Agency team"

    wide = new_page(width=1440)
    sign_in(wide, site.public("/login/"), ADMIN_EMAIL, AGENCY_PASSWORD)
    assert not wide.get_by_role("button", name="Menu").is_visible()
    assert wide.get_by_role("navigation", name="Portal").get_by_role("link", name="Team").is_visible()


def test_tables_turn_into_cards_on_a_phone(site, new_page):
    page = new_page(width=375, height=812)
    sign_in(page, site.public("/login/"), ADMIN_EMAIL, AGENCY_PASSWORD)
    row = page.locator(".data-table tbody tr").first
    assert page.evaluate("getComputedStyle(document.querySelector('.data-table tbody tr')).display") == "block"
    assert page.locator(".data-table thead").bounding_box()["height"] <= 1  # type: ignore[index]
    assert row.locator("td[data-label=Industry]").is_visible()
    assert page.evaluate(
        "getComputedStyle(document.querySelector('td[data-label=Industry]'), '::before').content") == '"Industry"'


def test_theme_toggle_persists_across_pages_and_wins_over_the_os(site, new_page):
    page = new_page(color_scheme="light")
    sign_in(page, site.public("/login/"), ADMIN_EMAIL, AGENCY_PASSWORD)
    html = page.locator("html")
    assert html.get_attribute("data-theme") == "light"
    toggle = page.locator(".topbar [data-theme-toggle]")
    assert toggle.get_attribute("aria-label") == "Switch to dark theme"
    toggle.click()
    assert html.get_attribute("data-theme") == "dark"
    assert page.evaluate("localStorage.getItem('shoreline-theme')") == "dark"
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    page.goto(site.public("/portal/staff/"))
    assert html.get_attribute("data-theme") == "dark"
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") == background
    assert page.locator(".topbar [data-theme-toggle]").get_attribute("aria-pressed") == "true"
    # The theme is set by a blocking script in <head>, before the stylesheet: no flash on load.
    assert page.evaluate("""(() => { const s = document.head.querySelector('script[src$="theme.js"]');
        return !!s && !s.defer && !s.async && !s.type
          && s.compareDocumentPosition(document.head.querySelector('link[rel=stylesheet]')) === 4; })()""")
    # Back to light, across a reload.
    page.locator(".topbar [data-theme-toggle]").click()
    page.reload()
    assert html.get_attribute("data-theme") == "light"


def test_the_os_preference_is_followed_without_a_choice(site, new_page):
    page = new_page(color_scheme="dark")
    page.goto(site.client("alpha", "/login/"))
    assert page.locator("html").get_attribute("data-theme") == "dark"
    assert page.evaluate("document.documentElement.dataset.themeSource") == "system"


def test_client_brand_is_in_the_top_bar(site, new_page):
    from controlplane.clients.models import Client

    Client.objects.filter(slug="bravo").update(accent_color="#f97316")
    page = new_page()
    sign_in(page, site.client("bravo", "/login/"), "owner@bravo.test", CLIENT_PASSWORD)
    assert page.locator(".topbar .brand__name").inner_text() == "Bravo Co"
    assert page.locator(".topbar .client-mark").inner_text() == "BC"
    assert page.evaluate("getComputedStyle(document.querySelector('.topbar .client-mark')).backgroundColor") == \
        "rgb(249, 115, 22)"
    # The ink on the accent is chosen for contrast (dark text on a light orange).
    assert page.evaluate("getComputedStyle(document.querySelector('.topbar .client-mark')).color") == \
        "rgb(11, 26, 44)"


SHOTS = {
    "portal": lambda site: (site.public("/login/"), ADMIN_EMAIL, AGENCY_PASSWORD, site.public("/portal/")),
    "portal-client": lambda site: (site.public("/login/"), ADMIN_EMAIL, AGENCY_PASSWORD,
                                   site.public("/portal/clients/alpha/")),
    "dashboard": lambda site: (site.client("alpha", "/login/"), "owner@alpha.test", CLIENT_PASSWORD,
                               site.client("alpha", "/")),
}


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_screenshots_of_every_shell(site, new_page, theme):
    """Writes artifacts/screenshots/<shell>-<theme>-<width>.png for review; asserts they rendered."""
    written = []
    for width, height in ((1440, 900), (375, 812)):
        auth = new_page(width=width, height=height, color_scheme=theme)
        auth.goto(site.public("/login/"))
        written.append(screenshot(auth, f"auth-login-public-{theme}-{width}"))
        auth.goto(site.client("alpha", "/login/"))
        written.append(screenshot(auth, f"auth-login-client-{theme}-{width}"))
        for name, target in SHOTS.items():
            page = new_page(width=width, height=height, color_scheme=theme)
            login_url, email, password, url = target(site)
            sign_in(page, login_url, email, password)
            page.goto(url)
            page.wait_for_load_state("networkidle")
            assert page.locator("html").get_attribute("data-theme") == theme
            written.append(screenshot(page, f"{name}-{theme}-{width}"))
            if width == 375 and name == "portal":
                page.get_by_role("button", name="Menu").click()
                page.wait_for_timeout(300)
                written.append(screenshot(page, f"{name}-menu-{theme}-{width}", full_page=False))
    assert all(path.stat().st_size > 10_000 for path in written)
