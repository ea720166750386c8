"""Helpers shared by the browser tests (imported as `shoreline_browser`)."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
NEW_PASSWORD = "Tidal harbor lantern 2049 swell"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]


def chromium_executable() -> str:
    return os.environ.get("CHROMIUM", "/usr/bin/chromium")


def sign_in(page, url: str, email: str, password: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(url)
    page.fill("#id_username", email)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")


def screenshot(page, name: str, *, full_page: bool = True) -> Path:  # type: ignore[no-untyped-def]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.wait_for_timeout(350)  # let charts and the font settle
    page.screenshot(path=str(path), full_page=full_page)
    return path


def horizontal_overflow(page) -> int:  # type: ignore[no-untyped-def]
    """How many CSS pixels the page scrolls sideways (0 is the goal)."""
    return int(page.evaluate("document.scrollingElement.scrollWidth - window.innerWidth"))
