"""Issue 7: the client overview with demo data, at 375 px and 1440 px, light and dark (screenshots)."""

from __future__ import annotations

import pytest
from django_tenants.utils import schema_context

from tests.browser.shoreline_browser import horizontal_overflow, screenshot, sign_in
from tests.conftest import CLIENT_PASSWORD


@pytest.fixture
def demo_alpha(site, monkeypatch):  # type: ignore[no-untyped-def]
    """Three weeks of demo history for alpha, through the real services (all ORM work before the browser)."""
    from controlplane.clients.models import Client
    from tenants.demo import history

    monkeypatch.setattr(history, "DAYS", 21)
    alpha = Client.objects.get(slug="alpha")
    made = history.history_seed_all(clients=[alpha], origin="http://localhost:8000")
    assert made["alpha"] > 0
    with schema_context(alpha.schema_name):
        from tenants.analytics.models import DailyRollup

        assert DailyRollup.objects.exists()
    return site


def test_overview_renders_with_demo_data(demo_alpha, new_page) -> None:
    """One test for all four shots: the demo history is generated once (browser tests flush the DB after each)."""
    for width in (375, 1440):
        for theme in ("light", "dark"):
            page = new_page(width=width, height=900, color_scheme=theme)
            sign_in(page, demo_alpha.client("alpha", "/login/"), "owner@alpha.test", CLIENT_PASSWORD)
            page.goto(demo_alpha.client("alpha", "/?range=30"))
            page.wait_for_function("document.querySelectorAll('.chart-frame').length >= 9 && "
                                   "document.querySelectorAll('.chart-frame:not(.is-ready)').length === 0")
            page.wait_for_selector(".question-list, .empty-state", state="attached")
            assert page.locator(".stat").count() == 10
            page.wait_for_function("document.querySelectorAll('[aria-busy=true]').length === 0")
            assert page.locator("h1").inner_text().startswith("Welcome")
            assert horizontal_overflow(page) == 0, (width, theme)
            screenshot(page, f"dashboard-overview-{width}-{theme}")
            page.context.close()
