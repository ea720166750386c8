"""Issue 16: the main client pages, branded, at 390×844 and 1440×900, light and dark, against stored references.

Data-dependent regions (charts, number tables, times) are masked, so a reference holds layout, copy and
branding, not today's figures. References live in tests/browser/references/; to update them
deliberately after a visual change: `SHORELINE_UPDATE_REFERENCES=1 pytest tests/browser/test_client_visual.py`
and look at every changed PNG before committing it. Screenshots of the run: artifacts/screenshots/.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from django_tenants.utils import schema_context
from PIL import Image, ImageChops

from tests.browser.shoreline_browser import horizontal_overflow, screenshot, sign_in
from tests.conftest import CLIENT_PASSWORD

REFERENCES = Path(__file__).parent / "references"
# A pixel differs when a channel moves by more than PIXEL_DELTA; a page passes under MAX_CHANGED of them
# (font hinting and anti-aliasing move a few pixels between Chromium builds).
PIXEL_DELTA = 40
MAX_CHANGED = 0.01
SIZES = ((390, 844), (1440, 900))
MASK = (".chart-frame__canvas, .chart-frame__data, .stat__value, .stat__foot, .insight p, td.num, th.num, "
        "[data-label=Started], [data-label=Captured], .range-picker__label, .transcript, .definition-list, "
        ".breadcrumbs, .page-head__title h1, .question-list, .forecast__value, .data-table tbody, .sentiment-bar, "
        "code, .copy-field, .usage__figure, .meter, .definition-list dd")


def changed_share(a: Image.Image, b: Image.Image) -> float:
    if a.size != b.size:
        return 1.0
    diff = ImageChops.difference(a.convert("RGB"), b.convert("RGB")).point(lambda v: 255 if v > PIXEL_DELTA else 0)
    changed = sum(diff.convert("L").histogram()[1:])
    return changed / (a.size[0] * a.size[1])


def test_the_comparison_tolerates_antialiasing_but_not_a_layout_change() -> None:
    base = Image.new("RGB", (100, 100), "white")
    noisy = base.copy()
    noisy.putpixel((5, 5), (230, 230, 230))
    moved = base.copy()
    for x in range(100):
        for y in range(20):
            moved.putpixel((x, y), (20, 20, 20))
    assert changed_share(base, noisy) == 0
    assert changed_share(base, moved) > MAX_CHANGED


@pytest.fixture
def branded_demo(site, monkeypatch, tmp_path, settings):  # type: ignore[no-untyped-def]
    """Two weeks of demo history for alpha (tagged by the summary service), the agency's name and
    alpha's logo and colour, all through the real services before the browser starts."""
    from controlplane.accounts.models import User
    from controlplane.clients.branding import agency_brand_update, client_branding_update
    from controlplane.clients.models import Client
    from tenants.conversations.models import Conversation
    from tenants.demo import history

    settings.MEDIA_ROOT = tmp_path
    monkeypatch.setattr(history, "DAYS", 14)
    alpha = Client.objects.get(slug="alpha")
    history.history_seed_all(clients=[alpha], origin="http://localhost:8000")  # summarized and tagged as seeded
    with schema_context(alpha.schema_name):
        conversation = Conversation.objects.exclude(tags=[]).order_by("started_at").first()
    admin = User.objects.filter(role="platform_admin").first()
    agency_brand_update(actor=admin, name="Bright Harbor Digital", support_email="help@brightharbor.test")
    logo = Image.new("RGB", (480, 140), "white")
    for x in range(10, 130):
        for y in range(10, 130):
            logo.putpixel((x, y), (200, 40, 60))
    out = io.BytesIO()
    logo.save(out, format="PNG")
    client_branding_update(client=alpha, actor=admin, logo=out.getvalue(), accent_color="#c8283c")
    return site, conversation.pk


def test_main_client_pages_match_their_references(branded_demo, new_page) -> None:
    site, conversation_id = branded_demo
    update = os.environ.get("SHORELINE_UPDATE_REFERENCES") == "1"
    pages = {"login": "/login/", "overview": "/?range=30", "conversations": "/conversations/?range=30",
             "conversation": f"/conversations/{conversation_id}/", "setup": "/setup/"}
    failures, written = [], []
    for width, height in SIZES:
        for theme in ("light", "dark"):
            page = new_page(width=width, height=height, color_scheme=theme)
            for name, path in pages.items():
                if name == "login":
                    page.goto(site.client("alpha", path))
                else:
                    if name == "overview":
                        sign_in(page, site.client("alpha", "/login/"), "owner@alpha.test", CLIENT_PASSWORD)
                    page.goto(site.client("alpha", path))
                page.wait_for_load_state("networkidle")
                page.wait_for_function("document.querySelectorAll('.chart-frame:not(.is-ready)').length === 0")
                page.wait_for_function("document.querySelectorAll('[aria-busy=true]').length === 0")
                assert page.locator(".toast").count() == 0, name  # no toast spam
                assert horizontal_overflow(page) == 0, (name, width, theme)
                shot = screenshot(page, f"client-{name}-{width}-{theme}", full_page=False)
                # Masked text still has a data-dependent height (a long conversation summary wraps to
                # more lines and pushes the page down): hold masked headings to one line for the comparison.
                page.add_style_tag(content=".page-head__title h1, .breadcrumbs { white-space: nowrap; "
                                           "overflow: hidden; text-overflow: clip; } "
                                           ".transcript, .definition-list { min-height: 2000px; }")
                masked = page.screenshot(full_page=False, mask=[page.locator(MASK)], mask_color="#888888",
                                         animations="disabled")
                reference = REFERENCES / f"{name}-{width}-{theme}.png"
                current = Image.open(io.BytesIO(masked))
                if update or not reference.exists():
                    current.save(reference, optimize=True)
                    written.append(reference.name)
                    continue
                share = changed_share(Image.open(reference), current)
                if share > MAX_CHANGED:
                    failures.append(f"{reference.name}: {share:.2%} of pixels changed (see {shot})")
            page.context.close()
    assert failures == [], "\n".join(failures)
    if written and not update:
        pytest.fail(f"no reference yet for {written}: written now, look at them and commit them")
