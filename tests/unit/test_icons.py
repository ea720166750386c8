"""Issue 16: every icon a page names is in the sprite (a missing id leaves a blank gap, no error)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SPRITE_SOURCE = ROOT / "frontend" / "build.mjs"
SPRITE_BUILT = ROOT / "frontend" / "dist" / "shoreline" / "icons.svg"
# How templates and Python name an icon: {% icon "x" %}, icon="x" (components, Tiles, Insights),
# {% nav_link "url" "Label" "x" %}, action_icon="x", icon_name="x" (Python passes icon= by keyword).
PATTERNS = (re.compile(r'\{% icon "([a-z0-9-]+)"'), re.compile(r'\b(?:icon|icon_name|action_icon)="([a-z0-9-]+)"'),
            re.compile(r'nav_link "[^"]+" "[^"]+" "([a-z0-9-]+)"'))
SOURCES = ("frontend/templates", "widget", "tenants", "platform")


def sprite_ids() -> set[str]:
    text = SPRITE_SOURCE.read_text()
    block = text[text.index("const ICONS"):text.index("];", text.index("const ICONS"))]
    return set(re.findall(r'"([a-z0-9-]+)"', block))


def named_icons() -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for base in SOURCES:
        for path in (ROOT / base).rglob("*"):
            if path.suffix not in (".html", ".py") or "node_modules" in path.parts or "dist" in path.parts:
                continue
            text = path.read_text(errors="replace")
            for pattern in PATTERNS:
                for name in pattern.findall(text):
                    found.setdefault(name, set()).add(str(path.relative_to(ROOT)))
    return found


def test_every_named_icon_is_in_the_sprite() -> None:
    ids = sprite_ids()
    named = named_icons()
    assert {"message-square", "check-circle", "layout-dashboard", "sparkles"} <= set(named)  # the scan works
    missing = {name: sorted(where) for name, where in named.items() if name not in ids}
    assert missing == {}, f"add these to ICONS in frontend/build.mjs: {missing}"


def test_the_built_sprite_holds_every_id() -> None:
    if not SPRITE_BUILT.is_file():
        return  # `make assets` not run in this checkout; the source list is checked above
    built = set(re.findall(r'<symbol id="([a-z0-9-]+)"', SPRITE_BUILT.read_text()))
    assert sprite_ids() <= built, "stale icons.svg: run `make assets`"
