"""ADM-10: crawl one website for knowledge. Same site only, robots.txt respected, depth and page
limits, readable text by trafilatura. Pure I/O + parsing: no database here."""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urldefrag, urljoin, urlsplit
from urllib.robotparser import RobotFileParser

import httpx
import trafilatura
from defusedxml import ElementTree

from controlplane.core.outbound import AddressRefused, OutboundRefused, outbound_get

USER_AGENT = "ShorelineBot/1.0 (+knowledge refresh)"
MAX_PAGE_BYTES = 2 * 1024 * 1024
MAX_SITEMAP_URLS = 5000
_HREF = re.compile(r"""<a\s[^>]*?href\s*=\s*["']([^"'#][^"']*)["']""", re.I)
_SKIP_EXTENSIONS = (".pdf", ".jpg", ".jpeg", ".png", ".gif", ".svg", ".webp", ".zip", ".mp4", ".mp3", ".css",
                    ".js", ".ico", ".xml", ".docx", ".xlsx")


@dataclass(frozen=True)
class ScrapedPage:
    url: str
    title: str
    text: str


@dataclass
class CrawlResult:
    pages: list[ScrapedPage] = field(default_factory=list)
    skipped: list[dict[str, str]] = field(default_factory=list)  # {"url", "reason"}
    robots_found: bool = False


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme.lower(), parts.netloc.lower()


def _normalise(url: str) -> str:
    url, _ = urldefrag(url)
    parts = urlsplit(url)
    path = parts.path or "/"
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}{path}" + (f"?{parts.query}" if parts.query else "")


def _links(html: str, base: str) -> list[str]:
    return [_normalise(urljoin(base, href.strip())) for href in _HREF.findall(html)]


def _sitemap_urls(xml: bytes, fetch: Callable[[str], httpx.Response], depth: int = 0) -> list[str]:
    try:
        root = ElementTree.fromstring(xml)
    except ElementTree.ParseError:
        return []
    urls: list[str] = []
    for element in root.iter():
        if element.tag.endswith("}loc") or element.tag == "loc":
            loc = (element.text or "").strip()
            if root.tag.endswith("sitemapindex") and depth < 2:
                try:
                    response = fetch(loc)
                except (httpx.HTTPError, ValueError):
                    continue
                if response.status_code == 200:
                    urls.extend(_sitemap_urls(response.content, fetch, depth + 1))
            elif loc:
                urls.append(_normalise(loc))
        if len(urls) >= MAX_SITEMAP_URLS:
            break
    return urls


def _extract(html: str, url: str) -> tuple[str, str]:
    text = trafilatura.extract(html, url=url, include_comments=False, include_tables=True, favor_recall=True) or ""
    metadata = trafilatura.extract_metadata(html, default_url=url)
    title = (metadata.title if metadata and metadata.title else "") or urlsplit(url).path.strip("/") or url
    return title.strip()[:300], text.strip()


def website_crawl(*, start_url: str, max_depth: int = 2, max_pages: int = 50, timeout_s: float = 10.0,
                  client: httpx.Client | None = None) -> CrawlResult:
    """Breadth-first from `start_url` (a page or a sitemap .xml), staying on its scheme+host."""
    start_url = _normalise(start_url)
    site = _origin(start_url)
    own_client = client is None
    # Every fetch goes through the outbound guard: public addresses only, each redirect checked
    # (and refused when it leaves the site) before it is followed.
    http = client or httpx.Client(timeout=timeout_s)
    result = CrawlResult()

    def fetch(url: str) -> httpx.Response:
        if _origin(url) != site:
            raise OutboundRefused("That page is on another site.")
        return outbound_get(url, client=http, timeout_s=timeout_s, max_bytes=MAX_PAGE_BYTES,
                            headers={"User-Agent": USER_AGENT},
                            redirect_allowed=lambda target: _origin(target) == site)

    try:
        robots = RobotFileParser()
        robots_url = f"{site[0]}://{site[1]}/robots.txt"
        try:
            response = fetch(robots_url)
            robots.parse(response.text.splitlines() if response.status_code == 200 else [])
            result.robots_found = response.status_code == 200
        except AddressRefused:
            raise  # the site itself is refused (internal address, bad scheme, unknown host): fetch nothing
        except OutboundRefused:
            robots.parse([])
        except httpx.HTTPError:
            robots.parse([])
        queue: deque[tuple[str, int]] = deque()
        seen: set[str] = set()
        sitemaps = [start_url] if urlsplit(start_url).path.endswith(".xml") else []
        sitemaps += [s for s in (robots.site_maps() or []) if _origin(s) == site and s not in sitemaps]
        if not sitemaps or sitemaps[0] != start_url:
            queue.append((start_url, 0))
            seen.add(start_url)
        for sitemap in sitemaps:
            try:
                response = fetch(sitemap)
            except (httpx.HTTPError, OutboundRefused):
                continue
            if response.status_code == 200:
                for url in _sitemap_urls(response.content, fetch):
                    if url not in seen and _origin(url) == site:
                        seen.add(url)
                        queue.append((url, 1 if sitemap != start_url else 0))
        while queue and len(result.pages) < max_pages:
            url, depth = queue.popleft()
            if not robots.can_fetch(USER_AGENT, url):
                result.skipped.append({"url": url, "reason": "disallowed by robots.txt"})
                continue
            try:
                response = fetch(url)
            except OutboundRefused as refused:
                result.skipped.append({"url": url, "reason": str(refused)})
                continue
            except httpx.HTTPError as error:
                result.skipped.append({"url": url, "reason": f"fetch failed: {type(error).__name__}"})
                continue
            final = _normalise(str(response.url))
            if _origin(final) != site:
                result.skipped.append({"url": url, "reason": "redirects to another site"})
                continue
            if response.status_code != 200:
                result.skipped.append({"url": url, "reason": f"HTTP {response.status_code}"})
                continue
            if "html" not in response.headers.get("content-type", "text/html"):
                result.skipped.append({"url": url, "reason": "not an HTML page"})
                continue
            if len(response.content) > MAX_PAGE_BYTES:
                result.skipped.append({"url": url, "reason": "page larger than 2 MB"})
                continue
            html = response.text
            title, text = _extract(html, final)
            if text:
                result.pages.append(ScrapedPage(url=final, title=title, text=text))
            if depth < max_depth:
                for link in _links(html, final):
                    if link in seen or _origin(link) != site or link.lower().endswith(_SKIP_EXTENSIONS):
                        continue
                    seen.add(link)
                    queue.append((link, depth + 1))
    finally:
        if own_client:
            http.close()
    return result
