"""CX-1: the embed snippet a client pastes into their website — one <script> tag."""

from __future__ import annotations

from django.conf import settings
from django.templatetags.static import static
from django.utils.html import format_html

LOADER_PATH = "widget/loader.js"


def public_origin() -> str:
    """scheme://domain[:port] of the public host, where the loader and the chat iframe are served."""
    port = f":{settings.SHORELINE_PUBLIC_PORT}" if settings.SHORELINE_PUBLIC_PORT else ""
    return f"{settings.SHORELINE_PUBLIC_SCHEME}://{settings.SHORELINE_DOMAIN}{port}"


def loader_url(public_origin: str) -> str:
    path = static(LOADER_PATH)
    # A CDN STATIC_URL is already absolute; otherwise the loader comes from our public host.
    return path if path.startswith(("https://", "http://")) else public_origin.rstrip("/") + path


def embed_snippet(raw_token: str, public_origin: str) -> str:
    """`<script src="…/static/widget/loader.js" data-token="shl_…" async></script>`, attribute values
    escaped. A plain str (not marked safe): templates show it as text; embed it with `|safe`."""
    tag = format_html('<script src="{}" data-token="{}" async></script>', loader_url(public_origin), raw_token)
    return "".join(tag)
