"""ADM-10/BEY-7: crawl a local multi-page site (robots.txt, sitemap, off-site links) and record changes."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tenants.knowledge.models import Chunk, KnowledgeSource
from tenants.knowledge.scraper import website_crawl
from tenants.knowledge.website import website_refresh, website_source_add
from tests.integration.bots.support import in_client, primary_bot

pytestmark = pytest.mark.django_db


def _page(title: str, body: str, links: list[str]) -> str:
    anchors = " ".join(f'<a href="{href}">{href}</a>' for href in links)
    return (f"<html><head><title>{title}</title></head><body><nav>{anchors}</nav><article><h1>{title}</h1>"
            f"<p>{body}</p><p>{body} We are proud of it and happy to explain more at the front desk.</p>"
            f"</article></body></html>")


class Site:
    def __init__(self) -> None:
        self.pages: dict[str, str] = {}
        self.hits: list[str] = []
        handler = self._handler()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.reset()

    def reset(self) -> None:
        self.pages = {
            "/robots.txt": "User-agent: *\nDisallow: /private/\nSitemap: {base}/sitemap.xml\n",
            "/": _page("Home", "Welcome to Harbor Gym, open every day from six in the morning.",
                       ["/classes", "/prices", "/private/staff", "https://elsewhere.example/offsite", "/deep/1"]),
            "/classes": _page("Classes", "Spin classes run Monday to Friday at seven and at noon.", ["/", "/prices"]),
            "/prices": _page("Prices", "A monthly membership costs forty-nine dollars with no joining fee.", ["/"]),
            "/private/staff": _page("Staff only", "Secret staff rota that must never be indexed.", []),
            "/deep/1": _page("Deep one", "The first deep page talks about towels and lockers.", ["/deep/2"]),
            "/deep/2": _page("Deep two", "The second deep page talks about the sauna schedule.", ["/deep/3"]),
            "/deep/3": _page("Deep three", "The third deep page is beyond the depth limit.", []),
            "/orphan": _page("Orphan", "Only the sitemap links to this page about parking spaces.", []),
            "/sitemap.xml": ('<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                             "<url><loc>{base}/orphan</loc></url><url><loc>https://elsewhere.example/x</loc></url>"
                             "</urlset>"),
        }

    def _handler(self):
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                site.hits.append(self.path)
                body = site.pages.get(self.path)
                if body is None:
                    self.send_response(404)
                    self.end_headers()
                    return
                data = body.replace("{base}", site.base).encode()
                kind = "text/plain" if self.path == "/robots.txt" else (
                    "application/xml" if self.path.endswith(".xml") else "text/html; charset=utf-8")
                self.send_response(200)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args) -> None:
                pass

        return Handler

    def __enter__(self) -> Site:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def site(settings):
    with Site() as running:
        # The outbound guard refuses loopback; this test server is allowed by name and port only.
        settings.OUTBOUND_ALLOW = {f"127.0.0.1:{running.server.server_address[1]}"}
        yield running


def test_crawl_stays_on_site_respects_robots_depth_and_sitemap(site):
    result = website_crawl(start_url=site.base + "/", max_depth=2, max_pages=50)
    urls = {p.url.removeprefix(site.base) for p in result.pages}
    assert urls == {"/", "/classes", "/prices", "/deep/1", "/deep/2", "/orphan"}
    assert "/private/staff" not in site.hits  # robots.txt: never even fetched
    assert {"url": f"{site.base}/private/staff", "reason": "disallowed by robots.txt"} in result.skipped
    assert result.robots_found
    prices = next(p for p in result.pages if p.url.endswith("/prices"))
    assert prices.title == "Prices"
    assert "forty-nine dollars" in prices.text
    assert "<nav>" not in prices.text


def test_page_limit(site):
    assert len(website_crawl(start_url=site.base + "/", max_depth=5, max_pages=3).pages) == 3


def test_sitemap_as_start_url(site):
    result = website_crawl(start_url=site.base + "/sitemap.xml", max_depth=0, max_pages=10)
    assert [p.url for p in result.pages] == [f"{site.base}/orphan"]


def test_refresh_records_added_changed_removed_and_is_idempotent(site, client_alpha):
    with in_client(client_alpha):
        bot = primary_bot()
        source = website_source_add(bot_id=bot.pk, start_url=site.base + "/", max_depth=1, max_pages=20)
        first = website_refresh(site=source)
        assert first.state == "done"
        assert len(first.added) == 5
        assert not first.changed
        assert not first.removed
        pages = KnowledgeSource.objects.filter(website=source, kind="page")
        assert pages.count() == 5
        chunks = sorted(Chunk.objects.filter(source__website=source).values_list("id", flat=True))

        again = website_refresh(site=source, trigger="weekly")
        assert (again.added, again.changed, again.removed, again.unchanged) == ([], [], [], 5)
        assert sorted(Chunk.objects.filter(source__website=source).values_list("id", flat=True)) == chunks

        site.pages["/prices"] = _page("Prices", "A monthly membership now costs fifty-nine dollars.", ["/"])
        del site.pages["/classes"]
        site.pages["/"] = site.pages["/"].replace('<a href="/classes">/classes</a>', "")
        third = website_refresh(site=source, publish=True)  # an admin's crawl: live at once
        assert not third.held
        assert third.removed == [f"{site.base}/classes"]
        assert third.added == []
        assert [c["url"] for c in third.changed] == [f"{site.base}/prices"]
        diff = third.changed[0]["diff"]
        assert "fifty-nine" in diff
        assert "forty-nine" in diff
        assert diff.startswith("+")
        assert not KnowledgeSource.objects.filter(url=f"{site.base}/classes").exists()
        assert Chunk.objects.filter(source__url=f"{site.base}/prices", text__contains="fifty-nine").exists()


def test_unreachable_site_keeps_existing_pages(site, client_alpha):
    with in_client(client_alpha):
        bot = primary_bot()
        source = website_source_add(bot_id=bot.pk, start_url=site.base + "/", max_depth=0, max_pages=5)
        assert website_refresh(site=source).state == "done"
        site.pages = {}
        failed = website_refresh(site=source)
        assert failed.state == "failed"
        assert "kept" in failed.error
        assert KnowledgeSource.objects.filter(website=source).count() == 2  # home + the sitemap page


def test_weekly_refresh_is_scheduled_and_fans_out_per_client(settings, client_alpha, monkeypatch):
    from tenants.knowledge import tasks

    assert settings.CELERY_BEAT_SCHEDULE["knowledge-weekly-refresh"]["task"] == "tenants.knowledge.weekly_refresh"
    sent = []
    monkeypatch.setattr(tasks.website_refresh_task, "apply_async",
                        lambda args, headers: sent.append((args, headers["_schema_name"])))
    with in_client(client_alpha):
        site = website_source_add(bot_id=primary_bot().pk, start_url="https://alpha.example/")
    assert tasks.knowledge_weekly_refresh() >= 1
    assert ([site.pk, "weekly"], client_alpha.schema_name) in sent
