"""Browser tests: Debian's Chromium driven by Playwright against pytest-django's live server.

Why the fixtures look like this:
- The live server needs `transactional_db`, which FLUSHES every public table after each test. That
  wipes what tests/conftest.py seeded once per session (plans, the public tenant and its domain, the
  agency users, clients alpha and bravo) while their schemas stay behind. So every browser test
  re-seeds that state first (`seeded`), dropping orphaned client schemas before provisioning again,
  and when the package is done the same state is put back for whatever runs next. Browser tests are
  also collected last, so the rest of the suite never sees a flushed database.
- Playwright's sync API runs an event loop; Django refuses ORM calls while one runs. All ORM work
  happens in fixtures before `page` opens Playwright, and `page` closes it before the flush.
- Chromium missing or assets not built is a failure with a fix in the message, never a skip.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest

# The session seed of tests/conftest.py: the browser suite restores exactly that state.
from tests.browser.shoreline_browser import CHROMIUM_ARGS, chromium_executable  # noqa: E402
from tests.conftest import (  # noqa: E402
    PUBLIC_HOST,
    seed_state,
)

ROOT = Path(__file__).resolve().parents[2]
DIST = ROOT / "frontend" / "dist" / "shoreline"


def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list[pytest.Item]) -> None:
    """Run browser tests after everything else (stable sort keeps their own order)."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.browser)
    items.sort(key=lambda item: here in Path(str(item.path)).parents)


@pytest.fixture(scope="session")
def browser_prerequisites() -> None:
    path = chromium_executable()
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        pytest.fail(f"Chromium not found at {path}: run `make chromium` (apt-get install chromium) "
                    "or set CHROMIUM=/path/to/chromium. Browser tests fail rather than skip.", pytrace=False)
    missing = [name for name in ("app.css", "app.js", "theme.js", "icons.svg") if not (DIST / name).is_file()]
    if missing:
        pytest.fail(f"Front-end assets are not built ({', '.join(missing)} missing in {DIST}): run `make assets`.",
                    pytrace=False)
    from django.conf import settings

    if DIST.parent not in [Path(p) for p in settings.STATICFILES_DIRS]:
        pytest.fail("frontend/dist was built after Django loaded its settings: run `make assets` before pytest.",
                    pytrace=False)


@pytest.fixture(scope="package", autouse=True)
def _restore_seed_after_browser_tests(django_db_setup, django_db_blocker) -> Iterator[None]:  # type: ignore[no-untyped-def]
    yield
    with django_db_blocker.unblock():
        seed_state()


@dataclass
class Site:
    """URLs of the live server under the product's host names (Chromium resolves *.localhost)."""

    port: int

    def public(self, path: str = "/") -> str:
        return f"http://{PUBLIC_HOST}:{self.port}{path}"

    def client(self, slug: str, path: str = "/") -> str:
        return f"http://{slug}.{PUBLIC_HOST}:{self.port}{path}"


@pytest.fixture
def site(browser_prerequisites, live_server, settings) -> Site:  # type: ignore[no-untyped-def]
    settings.STATIC_URL = "/static/"
    port = urlsplit(live_server.url).port
    assert port is not None
    settings.SHORELINE_PUBLIC_PORT = port
    seed_state()
    return Site(port=port)


@pytest.fixture
def new_page(site):  # type: ignore[no-untyped-def]
    """A factory of pages: new_page(width=375, color_scheme="dark").

    Playwright starts at the first call, i.e. in the test body, after every fixture has done its ORM
    work, and stops at teardown, before the live server's flush.
    """
    from playwright.sync_api import sync_playwright

    state: dict[str, object] = {}

    def make(width: int = 1440, height: int = 900, color_scheme: str = "light"):  # type: ignore[no-untyped-def]
        if "browser" not in state:
            state["playwright"] = sync_playwright().start()
            state["browser"] = state["playwright"].chromium.launch(  # type: ignore[attr-defined]
                executable_path=chromium_executable(), args=CHROMIUM_ARGS)
        context = state["browser"].new_context(  # type: ignore[attr-defined]
            viewport={"width": width, "height": height}, color_scheme=color_scheme, device_scale_factor=1)
        page = context.new_page()
        page.set_default_timeout(15_000)
        return page

    yield make
    if "browser" in state:
        state["browser"].close()  # type: ignore[attr-defined]
        state["playwright"].stop()  # type: ignore[attr-defined]
