"""Under the Content-Security-Policy every page still works: no violation on any shell page."""

from __future__ import annotations

from tests.browser.shoreline_browser import sign_in
from tests.browser.test_browser_shells import DASHBOARD_PAGES, PORTAL_PAGES
from tests.conftest import ADMIN_EMAIL, AGENCY_PASSWORD, CLIENT_PASSWORD


def _violations(page, urls: list[str]) -> list[str]:  # type: ignore[no-untyped-def]
    found: list[str] = []
    page.on("console", lambda message: found.append(f"{page.url}: {message.text}")
            if "Content Security Policy" in message.text else None)
    for url in urls:
        page.goto(url)
        page.wait_for_load_state("networkidle")
        # Also ask the page itself: every violation fires a securitypolicyviolation event.
        count = page.evaluate("""() => new Promise(resolve => {
            let n = 0; document.addEventListener('securitypolicyviolation', () => n++);
            setTimeout(() => resolve(n), 150);
        })""")
        if count:
            found.append(f"{url}: {count} violation events")
    return found


def test_no_csp_violation_on_any_page(site, new_page):
    auth = new_page()
    assert _violations(auth, [site.public("/login/"), site.client("alpha", "/login/")]) == []
    portal = new_page()
    sign_in(portal, site.public("/login/"), ADMIN_EMAIL, AGENCY_PASSWORD)
    assert _violations(portal, [site.public(p) for p in PORTAL_PAGES]) == []
    dashboard = new_page()
    sign_in(dashboard, site.client("alpha", "/login/"), "owner@alpha.test", CLIENT_PASSWORD)
    assert _violations(dashboard, [site.client("alpha", p) for p in DASHBOARD_PAGES]) == []
