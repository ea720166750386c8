"""CX-1: the embed snippet a client pastes into their website — one <script> tag."""

from __future__ import annotations

from django.templatetags.static import static
from django.utils.html import format_html

# Re-exported: where the loader and the chat iframe are served.
from controlplane.clients.selectors import public_origin

__all__ = ["LOADER_PATH", "embed_snippet", "loader_url", "public_origin"]

LOADER_PATH = "widget/loader.js"


def loader_url(public_origin: str) -> str:
    path = static(LOADER_PATH)
    # A CDN STATIC_URL is already absolute; otherwise the loader comes from our public host.
    return path if path.startswith(("https://", "http://")) else public_origin.rstrip("/") + path


def embed_snippet(raw_token: str, public_origin: str) -> str:
    """`<script src="…/static/widget/loader.js" data-token="shl_…" async></script>`, attribute values
    escaped. A plain str (not marked safe): templates show it as text; embed it with `|safe`."""
    tag = format_html('<script src="{}" data-token="{}" async></script>', loader_url(public_origin), raw_token)
    return "".join(tag)
