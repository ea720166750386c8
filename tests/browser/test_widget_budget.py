"""CX-1: the size budgets of the widget are enforced by its build (loader ≤ 8 KB, chat app ≤ 40 KB gzipped)."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CLIENT = ROOT / "widget" / "client"
DIST = ROOT / "frontend" / "dist" / "widget"


def _node() -> str:
    import sys

    sys.path.insert(0, str(ROOT))
    from frontend.assets import toolchain_find

    return str(toolchain_find().node)


def check(directory: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([_node(), "build.mjs", "--check-only", f"--dir={directory}"], cwd=CLIENT,  # noqa: S603
                          capture_output=True, text=True, timeout=60, check=False)


def test_built_widget_is_within_budget():
    for name in ("loader.js", "chat.js", "chat.css"):
        assert (DIST / name).is_file(), f"{name} is not built: run `make assets`"
    result = check(DIST)
    assert result.returncode == 0, result.stdout + result.stderr
    loader = len(gzip.compress((DIST / "loader.js").read_bytes(), 9))
    chat = sum(len(gzip.compress((DIST / n).read_bytes(), 9)) for n in ("chat.js", "chat.css"))
    assert loader <= 8 * 1024
    assert chat <= 40 * 1024
    report = json.loads((DIST / "budget.json").read_text())
    assert report["loader"]["ok"]
    assert report["chat app"]["ok"]


def test_an_over_budget_bundle_fails_the_build(tmp_path):
    (tmp_path / "loader.js").write_bytes(os.urandom(9 * 1024))  # random bytes do not compress
    (tmp_path / "chat.js").write_text("ok")
    (tmp_path / "chat.css").write_text("ok")
    result = check(tmp_path)
    assert result.returncode == 1
    assert "OVER loader" in result.stdout
    (tmp_path / "loader.js").write_text("small")
    (tmp_path / "chat.js").write_bytes(os.urandom(41 * 1024))
    result = check(tmp_path)
    assert result.returncode == 1
    assert "OVER chat app" in result.stdout
