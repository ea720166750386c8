"""Issue 16: no internal feature ID, repository path or raw enum reaches a client, a visitor or the agency UI.

Demo-like data is built through the real services (the demo history generator, then the summary task's
service for each ended conversation), then every GET page of the client dashboard and of the agency portal
is rendered with real ids and scanned, as are the PDFs.
"""

from __future__ import annotations

import io
import re
from html.parser import HTMLParser

import pytest
from django_tenants.utils import schema_context

from tests.integration.test_url_matrix import (
    ADMIN,
    CLIENT,
    PUBLIC_URLCONF,
    TENANT_URLCONF,
    every_route,
    session_for,
)
from tests.unit.test_icons import sprite_ids

pytestmark = pytest.mark.django_db
ICON_REF = re.compile(r"icons\.svg#([a-z0-9-]+)")
SPRITE = sprite_ids()

FEATURE_ID = re.compile(r"\b[A-Z]{2,4}-\d")
REPO_PATH = re.compile(r"\bdocs/")
SNAKE = re.compile(r"\b[a-z][a-z0-9]*_[a-z0-9_]*[a-z0-9]\b|\b[A-Z][a-z]+/[A-Z][A-Za-z]*_[A-Za-z_]+\b")  # or America/New_York
# Elements whose text a reader does not read as prose (code is shown as code on purpose).
SKIP = {"code", "pre", "script", "style", "textarea", "kbd", "samp", "svg", "option"}
READ_ATTRS = ("title", "aria-label", "placeholder", "alt")
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class _Visible(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.texts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if not any(t in SKIP for t in self.stack):
            self.texts += [v for k, v in attrs if k in READ_ATTRS and v]
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if not any(t in SKIP for t in self.stack):
            self.texts += [v for k, v in attrs if k in READ_ATTRS and v]

    def handle_endtag(self, tag: str) -> None:
        if tag in self.stack:
            while self.stack and self.stack.pop() != tag:
                pass

    def handle_data(self, data: str) -> None:
        if data.strip() and not any(t in SKIP for t in self.stack):
            self.texts.append(data)


def readable_texts(html: str) -> list[str]:
    parser = _Visible()
    parser.feed(html)
    return parser.texts


def seams(texts: list[str], *, snake: bool = True) -> list[str]:
    found = []
    for text in texts:
        for pattern in (FEATURE_ID, REPO_PATH, *((SNAKE,) if snake else ())):
            for m in pattern.finditer(text):
                if "@" in text[max(0, m.start() - 40):m.end() + 40] or "://" in text:
                    continue  # an e-mail address or URL the client typed is theirs
                found.append(f"{m.group(0)!r} in {text.strip()[:90]!r}")
    return found


def test_the_scanner_sees_ids_paths_and_raw_enums_but_not_code():
    html = ('<p>Leads (AN-2)</p><p title="see docs/metrics.md">x</p><span class="tag">thumbs_down</span>'
            '<code>lead_phone</code><script>var a_b = 1</script><p>Write to ann_lee@example.com</p>')
    assert seams(readable_texts(html)) == ["'AN-2' in 'Leads (AN-2)'", "'docs/' in 'see docs/metrics.md'",
                                           "'thumbs_down' in 'thumbs_down'"]


@pytest.fixture
def demo(client_alpha, monkeypatch):  # type: ignore[no-untyped-def]
    from tenants.conversations.models import Conversation, ReviewItem
    from tenants.conversations.services import conversation_summarize
    from tenants.demo import history

    monkeypatch.setattr(history, "DAYS", 4)
    history.history_seed_all(clients=[client_alpha], origin="http://localhost:8000")
    with schema_context(client_alpha.schema_name):
        for pk in Conversation.objects.values_list("pk", flat=True):
            conversation_summarize(conversation_id=pk)  # what the worker's summary task does
        conversation = Conversation.objects.exclude(tags=[]).order_by("started_at").first()
        item = ReviewItem.objects.order_by("id").first()
        assert conversation is not None
        assert item is not None
        return {"conversation_id": str(conversation.pk), "item_id": str(item.pk)}


def _pdf_text(body: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)


def _render_all(urlconf: str, role: str, ids: dict[str, str]) -> tuple[list[str], int]:
    from tests.integration import test_url_matrix as matrix

    browser = session_for(role, urlconf)
    problems, pages = [], 0
    for route in every_route(urlconf):
        if route.route.startswith("widget/v1/"):
            continue  # JSON API
        extra = {k: v for k, v in ids.items() if k in route.params}
        path = route.path(matrix.Rule(frozenset(), kwargs=extra))
        response = browser.get(path)
        if response.status_code != 200:
            continue
        pages += 1
        kind = response.get("Content-Type", "")
        if "pdf" in kind:
            problems += [f"{path}: {s}" for s in seams([_pdf_text(response.content)], snake=False)]
        elif "html" in kind:
            html = response.content.decode()
            problems += [f"{path}: {s}" for s in seams(readable_texts(html))]
            problems += [f"{path}: icon {name!r} is not in the sprite" for name in
                         set(ICON_REF.findall(html)) - SPRITE]
    return problems, pages


def test_client_dashboard_pages_show_no_internal_ids_paths_or_raw_labels(demo) -> None:
    problems, pages = _render_all(TENANT_URLCONF, CLIENT, demo)
    assert pages >= 8
    assert problems == [], "\n".join(problems)


def test_portal_pages_show_no_internal_ids_paths_or_raw_labels(demo) -> None:
    problems, pages = _render_all(PUBLIC_URLCONF, ADMIN, demo)
    assert pages >= 15
    assert problems == [], "\n".join(problems)


def test_no_template_prints_a_feature_id_even_in_states_the_demo_does_not_reach() -> None:
    """Notices for paused / over-limit / needs-update bots and the like are not all on screen with demo data."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[3] / "frontend" / "templates"
    found = []
    for path in sorted(root.rglob("*.html")):
        text = re.sub(r"\{#.*?#\}", "", path.read_text(), flags=re.S)
        text = re.sub(r"\{% comment %\}.*?\{% endcomment %\}", "", text, flags=re.S)
        found += [f"{path.relative_to(root)}: {m.group(0)}" for m in FEATURE_ID.finditer(text)]
        found += [f"{path.relative_to(root)}: {m.group(0)}" for m in REPO_PATH.finditer(text)]
    assert found == []
