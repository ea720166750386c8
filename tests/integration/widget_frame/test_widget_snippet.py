"""CX-1: the embed snippet is exactly one <script> tag with the token, loading the loader async."""

from __future__ import annotations

import re
from typing import Any

from widget.snippet import embed_snippet, loader_url, public_origin


def test_snippet_is_one_async_script_tag() -> None:
    snippet = embed_snippet("shl_abc123_XYZ-_", "https://app.shoreline.example")
    assert snippet == ('<script src="https://app.shoreline.example/static/widget/loader.js" '
                       'data-token="shl_abc123_XYZ-_" async></script>')
    assert len(re.findall(r"<script", snippet)) == 1
    assert type(snippet) is str  # not marked safe: a template shows it as text unless told otherwise


def test_snippet_escapes_its_inputs() -> None:
    snippet = embed_snippet('shl_"><img src=x onerror=alert(1)>', "https://app.example/")
    assert "<img" not in snippet
    assert 'data-token="shl_&quot;&gt;&lt;img' in snippet


def test_loader_comes_from_a_cdn_static_url_when_configured(settings: Any) -> None:
    settings.STATIC_URL = "https://cdn.example/s/"
    assert loader_url("https://app.example") == "https://cdn.example/s/widget/loader.js"


def test_public_origin_follows_settings(settings: Any) -> None:
    settings.SHORELINE_PUBLIC_SCHEME, settings.SHORELINE_DOMAIN = "https", "app.example"
    settings.SHORELINE_PUBLIC_PORT = None
    assert public_origin() == "https://app.example"
    settings.SHORELINE_PUBLIC_PORT = 8443
    assert public_origin() == "https://app.example:8443"
