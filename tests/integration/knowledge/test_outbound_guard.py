"""SSRF guard: a staff-entered URL can never make our worker fetch an internal address.

Real local HTTP servers stand in for "internal services"; only the ones a test names in
OUTBOUND_ALLOW (host:port) are reachable, exactly as a public site would be in production.
"""

from __future__ import annotations

import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
from django.core.exceptions import ValidationError

from controlplane.core.outbound import (
    AddressRefused,
    OutboundRefused,
    address_is_public,
    outbound_get,
    resolve,
)
from tenants.knowledge.models import KnowledgeSource, WebsiteSource
from tenants.knowledge.scraper import website_crawl
from tenants.knowledge.website import website_refresh, website_source_add
from tests.integration.bots.support import in_client, primary_bot

pytestmark = pytest.mark.django_db

SECRET = "INTERNAL-ADMIN-PANEL database password is hunter2 and the backup key is in vault seven."


class Server:
    """A tiny HTTP server: path -> (status, headers, body)."""

    def __init__(self, routes: dict[str, tuple[int, dict[str, str], bytes]]) -> None:
        self.routes = routes
        self.hits: list[tuple[str, str]] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                owner.hits.append((self.path, self.headers.get("Host", "")))
                status, headers, body = owner.routes.get(self.path, (404, {}, b"missing"))
                self.send_response(status)
                for key, value in {"Content-Type": "text/html", **headers}.items():
                    self.send_header(key, value.replace("{port}", str(owner.port)))
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.base = f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> Server:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


def _html(text: str) -> bytes:
    return (f"<html><head><title>Admin</title></head><body><article><h1>Admin</h1><p>{text}</p>"
            f"<p>{text}</p></article></body></html>").encode()


@pytest.fixture
def internal():
    with Server({"/": (200, {}, _html(SECRET)), "/robots.txt": (200, {"Content-Type": "text/plain"}, b"")}) as s:
        yield s


@pytest.mark.parametrize("address", [
    "127.0.0.1", "127.8.9.10", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "0.0.0.0",  # noqa: S104
    "100.64.0.1", "224.0.0.1", "240.0.0.1", "255.255.255.255", "192.0.2.1", "198.18.0.1",
    "::1", "::", "fe80::1", "fc00::1", "fd12::1", "ff02::1", "2001:db8::1",
    "::ffff:127.0.0.1", "::ffff:10.0.0.1", "::127.0.0.1", "64:ff9b::7f00:1", "2002:7f00:1::", "2002:a00:1::",
    "2001:0:4136:e378:8000:63bf:80ff:fffe",  # Teredo wrapping 127.0.0.1
])
def test_internal_addresses_are_not_public(address):
    assert not address_is_public(address)


@pytest.mark.parametrize("address", ["93.184.216.34", "8.8.8.8", "2606:4700:4700::1111"])
def test_public_addresses_are_public(address):
    assert address_is_public(address)


@pytest.mark.parametrize("url", [
    "http://127.0.0.1/", "http://localhost/", "http://2130706433/", "http://0177.0.0.1/", "http://0x7f.0.0.1/",
    "http://0x7f.1/", "http://127.1/", "http://0/", "http://[::1]/", "http://[::ffff:127.0.0.1]/",
    "http://[::ffff:7f00:1]/", "http://169.254.169.254/latest/meta-data/", "http://10.0.0.1/",
    "http://[fe80::1%25eth0]/", "https://192.168.0.1:8443/", "ftp://example.com/", "file:///etc/passwd",
    "gopher://127.0.0.1:6379/_FLUSHALL", "http://user:pw@example.com/", "http://shoreline.localhost/",
    "http://alpha.shoreline.localhost/", "http:///nohost",
])
def test_resolve_refuses(url):
    with pytest.raises(AddressRefused):
        resolve(url)


def test_internal_server_is_never_contacted(internal):
    with pytest.raises(AddressRefused):
        outbound_get(internal.base + "/")
    with pytest.raises(AddressRefused):
        website_crawl(start_url=internal.base + "/")
    decimal = f"http://2130706433:{internal.port}/"
    with pytest.raises(AddressRefused):
        outbound_get(decimal)
    assert internal.hits == []


def test_every_redirect_hop_is_checked(internal, settings):
    with Server({"/go": (302, {"Location": f"http://127.0.0.1:{internal.port}/"}, b""),
                 "/mapped": (301, {"Location": f"http://[::ffff:127.0.0.1]:{internal.port}/"}, b""),
                 "/loop": (302, {"Location": "/loop"}, b""),
                 "/ok": (302, {"Location": "/final"}, b""),
                 "/final": (200, {}, b"public text")}) as public:
        settings.OUTBOUND_ALLOW = {f"127.0.0.1:{public.port}"}
        with pytest.raises(AddressRefused):
            outbound_get(public.base + "/go")
        with pytest.raises(AddressRefused):
            outbound_get(public.base + "/mapped")
        with pytest.raises(OutboundRefused, match="too many"):
            outbound_get(public.base + "/loop")
        final = outbound_get(public.base + "/ok")
        assert (final.status_code, final.content, str(final.url)) == (200, b"public text", public.base + "/final")
        # The crawler refuses a redirect off the site before following it (not after).
        result = website_crawl(start_url=public.base + "/go", max_depth=0)
        assert result.pages == []
    assert internal.hits == []


def test_size_and_time_limits(settings):
    big = b"x" * (3 * 1024 * 1024)
    with Server({"/big": (200, {}, big)}) as public:
        settings.OUTBOUND_ALLOW = {f"127.0.0.1:{public.port}"}
        with pytest.raises(OutboundRefused, match="larger than 2 MB"):
            outbound_get(public.base + "/big")
        assert len(outbound_get(public.base + "/big", max_bytes=4 * 1024 * 1024).content) == len(big)
    # A server that accepts but never answers: the deadline ends the fetch.
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(1)
    port = silent.getsockname()[1]
    settings.OUTBOUND_ALLOW = {f"127.0.0.1:{port}"}
    try:
        with pytest.raises(httpx.TimeoutException):
            outbound_get(f"http://127.0.0.1:{port}/", timeout_s=0.5)
    finally:
        silent.close()


def test_connection_is_pinned_to_the_checked_address(settings, monkeypatch):
    """DNS rebinding: the name resolves once; a second, different answer is never used."""
    real = socket.getaddrinfo
    lookups: list[str] = []

    def fake_dns(host, port, *args, **kwargs):  # the outside world (DNS), faked
        if host == "rebind.example":
            lookups.append(host)
            address = "127.0.0.1" if len(lookups) == 1 else "10.255.255.1"
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", fake_dns)
    with Server({"/": (200, {}, b"hello")}) as public:
        settings.OUTBOUND_ALLOW = {f"rebind.example:{public.port}"}
        response = outbound_get(f"http://rebind.example:{public.port}/", timeout_s=2)
    assert response.content == b"hello"
    assert lookups == ["rebind.example"]
    assert public.hits == [("/", f"rebind.example:{public.port}")]  # the name still travels in Host


def test_staff_cannot_add_an_internal_site_and_the_bot_never_learns_it(internal, client_alpha):
    with in_client(client_alpha):
        bot = primary_bot()
        for url in (internal.base + "/", f"http://0x7f.0.0.1:{internal.port}/", "http://[::1]/"):
            with pytest.raises(ValidationError, match="private or internal|own addresses"):
                website_source_add(bot_id=bot.pk, start_url=url)
        # A row saved before the guard existed (or by a DNS change later) is refused at crawl time.
        legacy = WebsiteSource.objects.create(bot_id=bot.pk, start_url=internal.base + "/", max_depth=1, max_pages=5)
        crawl = website_refresh(site=legacy)
        assert crawl.state == "failed"
        assert "private or internal" in crawl.error or "own addresses" in crawl.error
        assert not KnowledgeSource.objects.filter(body__contains="hunter2").exists()
    assert internal.hits == []
