"""Fixtures of the widget page tests: alpha's bot with a token and one allowed website."""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.widget.support import _fresh_cors_cache, alpha  # noqa: F401 (shared fixtures)


@pytest.fixture
def media(settings: Any, tmp_path: Any) -> Any:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT
