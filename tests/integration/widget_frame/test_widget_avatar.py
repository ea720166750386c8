"""WID-4: the admin uploads a bot avatar; it is validated, resized, stored and put into a draft."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client as DjangoClient
from PIL import Image

from tests.conftest import ADMIN_EMAIL, AGENCY_PASSWORD, STAFF_EMAIL, login
from tests.integration.widget.support import PUBLIC_HOST, WidgetSetup

pytestmark = pytest.mark.django_db
URL = "/portal/clients/alpha/widget/"


def png(width: int = 600, height: int = 400, fmt: str = "PNG") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (14, 165, 183)).save(out, format=fmt)
    return out.getvalue()


def signed_in(email: str) -> DjangoClient:
    browser = DjangoClient(HTTP_HOST=PUBLIC_HOST)
    assert login(browser, email, AGENCY_PASSWORD).status_code == 302
    return browser


def versions(setup: WidgetSetup) -> list[tuple[int, str, str]]:
    from tenants.bots.models import BotConfigVersion

    with setup.schema():
        return [(v.number, v.status, v.config["widget"]["avatar_url"])
                for v in BotConfigVersion.objects.filter(bot_id=setup.bot_id).order_by("number")]


def test_admin_upload_makes_a_draft_with_a_256px_png(alpha: WidgetSetup, media: Any) -> None:
    before = versions(alpha)
    browser = signed_in(ADMIN_EMAIL)
    assert browser.get(URL).status_code == 200
    response = browser.post(URL, {"bot": alpha.bot_id, "avatar": SimpleUploadedFile("me.jpg", png(fmt="JPEG"))})
    assert response.status_code == 302
    after = versions(alpha)
    assert after[:-1] == before
    number, status, url = after[-1]
    assert (number, status) == (before[-1][0] + 1, "draft")
    assert url.startswith("/widget/avatars/alpha/")
    assert url.endswith(".png")
    # The published config is untouched until an admin approves the draft (BOT-4).
    assert before[-1][2] == ""
    served = DjangoClient(HTTP_HOST=PUBLIC_HOST).get(url)
    assert served.status_code == 200
    assert served["Content-Type"] == "image/png"
    assert "immutable" in served["Cache-Control"]
    with Image.open(io.BytesIO(b"".join(served.streaming_content))) as image:
        assert (image.format, image.size) == ("PNG", (256, 256))
    stored = list((media / alpha.client.schema_name / "widget" / "avatars").iterdir())
    assert [p.name for p in stored] == [url.rsplit("/", 1)[1]]


@pytest.mark.parametrize(("name", "content"), [
    ("logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
    ("logo.png", b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>'),
    ("notes.png", b"this is not an image at all"),
    ("doc.pdf", b"%PDF-1.4 fake"),
])
def test_svg_and_non_images_are_refused_and_nothing_is_drafted(alpha: WidgetSetup, media: Any, name: str,
                                                                 content: bytes) -> None:
    before = versions(alpha)
    response = signed_in(ADMIN_EMAIL).post(URL, {"bot": alpha.bot_id, "avatar": SimpleUploadedFile(name, content)})
    assert response.status_code == 400
    assert versions(alpha) == before
    assert not media.exists() or not any(media.rglob("*.png"))


def test_staff_cannot_upload(alpha: WidgetSetup, media: Any) -> None:
    before = versions(alpha)
    browser = signed_in(STAFF_EMAIL)
    assert browser.get(URL).status_code == 403
    response = browser.post(URL, {"bot": alpha.bot_id, "avatar": SimpleUploadedFile("a.png", png())})
    assert response.status_code == 403
    assert versions(alpha) == before


def test_avatar_urls_do_not_reach_other_paths(alpha: WidgetSetup, media: Any) -> None:
    http = DjangoClient(HTTP_HOST=PUBLIC_HOST)
    assert http.get("/widget/avatars/alpha/..%2Fsecret.png").status_code == 404
    assert http.get("/widget/avatars/public/0123456789abcdef0123.png").status_code == 404
    assert http.get("/widget/avatars/alpha/0123456789abcdef0123.png").status_code == 404
