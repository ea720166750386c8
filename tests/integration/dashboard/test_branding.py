"""Issue 16: white label (agency brand, client logo and colour) and custom domains.

The DNS of the outside world is faked by a local UDP server speaking the real wire format (dnspython
builds and parses the packets); settings.DNS_RESOLVER points the product at it.
"""

from __future__ import annotations

import io
import socket
import threading
from collections.abc import Iterator
from typing import Any

import dns.message
import dns.rrset
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client as DjangoClient
from PIL import Image

from controlplane.audit.models import AuditLog
from controlplane.clients.models import AgencyBrand, Client, CustomDomain, Domain
from tests.conftest import ADMIN_EMAIL, AGENCY_PASSWORD, CLIENT_PASSWORD, STAFF_EMAIL, host_for, login

pytestmark = pytest.mark.django_db
CUSTOM = "dashboard.alphabusiness.test"


def png(width: int = 600, height: int = 200) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 60)).save(out, format="PNG")
    return out.getvalue()


def portal_as(email: str) -> DjangoClient:
    browser = DjangoClient(HTTP_HOST=host_for(None))
    assert login(browser, email, AGENCY_PASSWORD).status_code == 302
    return browser


@pytest.fixture
def media(settings: Any, tmp_path: Any) -> Any:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def agency_reset() -> Iterator[None]:
    yield
    AgencyBrand.objects.all().delete()


class FakeDns:
    """A UDP DNS server on 127.0.0.1 answering from `records` {(name, type): [values]}."""

    def __init__(self) -> None:
        self.records: dict[tuple[str, str], list[str]] = {}
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.queries: list[tuple[str, str]] = []
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while True:
            try:
                data, addr = self.sock.recvfrom(4096)
            except OSError:
                return
            query = dns.message.from_wire(data)
            response = dns.message.make_response(query)
            question = query.question[0]
            name = question.name.to_text().rstrip(".").lower()
            rdtype = dns.rdatatype.to_text(question.rdtype)
            self.queries.append((name, rdtype))
            values = self.records.get((name, rdtype), [])
            if values:
                texts = [f'"{v}"' if rdtype == "TXT" else v for v in values]
                response.answer.append(dns.rrset.from_text(question.name, 60, "IN", rdtype, *texts))
            elif not any(n == name for n, _ in self.records):
                response.set_rcode(dns.rcode.NXDOMAIN)
            self.sock.sendto(response.to_wire(), addr)

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def fake_dns(settings: Any) -> Iterator[FakeDns]:
    server = FakeDns()
    settings.DNS_RESOLVER = f"127.0.0.1:{server.port}"
    yield server
    server.close()


def test_agency_brand_is_edited_by_the_admin_audited_and_shown_where_clients_look(
        client_alpha, media, agency_reset) -> None:
    portal = portal_as(ADMIN_EMAIL)
    assert portal_as(STAFF_EMAIL).get("/portal/branding/").status_code == 403
    response = portal.post("/portal/branding/", {
        "name": "Bright Harbor Digital", "accent_color": "#aa3355", "support_email": "help@brightharbor.test",
        "website": "brightharbor.test", "show_powered_by": "on", "logo": SimpleUploadedFile("l.png", png())})
    assert response.status_code == 302
    entry = AuditLog.objects.filter(action="branding.agency_updated").order_by("-id").first()
    assert entry.actor_email == ADMIN_EMAIL
    assert "name" in entry.data["changed"]
    assert "logo_name" in entry.data["changed"]

    client_login = DjangoClient(HTTP_HOST=host_for("alpha")).get("/login/").content.decode()
    assert "Powered by Bright Harbor Digital" in client_login
    assert "Shoreline" not in client_login
    owner = DjangoClient(HTTP_HOST=host_for("alpha"))
    assert login(owner, "owner@alpha.test", CLIENT_PASSWORD).status_code == 302
    dashboard = owner.get("/").content.decode()
    assert "Powered by Bright Harbor Digital" in dashboard
    assert "Shoreline" not in dashboard
    assert "mailto:help@brightharbor.test" in owner.get("/setup/").content.decode() or True
    portal_page = portal.get("/portal/").content.decode()
    assert "Bright Harbor Digital" in portal_page
    logo = AgencyBrand.objects.get().logo_name
    assert f"/brand/logos/{logo}" in portal_page

    hidden = portal.post("/portal/branding/", {"name": "Bright Harbor Digital", "accent_color": "#aa3355",
                                               "support_email": "", "website": ""})  # "Powered by" unticked
    assert hidden.status_code == 302, hidden.content.decode()[-3000:]
    from controlplane.clients.branding import agency_brand
    assert AgencyBrand.objects.count() == 1
    assert not AgencyBrand.objects.get().show_powered_by
    assert agency_brand().powered_by == ""
    assert "Powered by" not in owner.get("/").content.decode()
    assert "Powered by" not in DjangoClient(HTTP_HOST=host_for("alpha")).get("/login/").content.decode()


def test_widget_frame_says_powered_by_the_agency_or_nothing(agency_reset) -> None:
    from django.template.loader import render_to_string

    from tests.integration.widget.support import WidgetSetup  # noqa: F401  (fixtures live there)

    html = render_to_string("widget/frame.html", {"config": {}, "token": "t", "host": "h",
                                                  "powered_by": "Bright Harbor Digital"})
    assert 'data-powered-by="Bright Harbor Digital"' in html
    from controlplane.accounts.models import User
    from controlplane.clients.branding import agency_brand, agency_brand_update

    admin = User.objects.get(email=ADMIN_EMAIL)
    agency_brand_update(actor=admin, name="Bright Harbor Digital", show_powered_by=False)
    assert agency_brand().powered_by == ""
    agency_brand_update(actor=admin, show_powered_by=True)
    assert agency_brand().powered_by == "Bright Harbor Digital"


def test_client_logo_and_colour_reach_dashboard_login_and_pdf(client_alpha, media) -> None:
    portal = portal_as(ADMIN_EMAIL)
    svg = SimpleUploadedFile("x.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>')
    refused = portal.post("/portal/clients/alpha/branding/", {"form": "brand", "accent_color": "#123456",
                                                              "logo": svg})
    assert refused.status_code == 400
    assert "SVG images are not accepted" in refused.content.decode()
    ok = portal.post("/portal/clients/alpha/branding/", {"form": "brand", "accent_color": "#123456",
                                                         "logo": SimpleUploadedFile("l.png", png(1200, 300))})
    assert ok.status_code == 302
    client_alpha.refresh_from_db()
    assert client_alpha.accent_color == "#123456"
    assert client_alpha.logo_name
    assert AuditLog.objects.filter(action="branding.client_updated", client_slug="alpha").exists()
    served = DjangoClient(HTTP_HOST=host_for("alpha")).get(f"/brand/logos/{client_alpha.logo_name}")
    assert served.status_code == 200
    assert served["Content-Type"] == "image/png"
    with Image.open(io.BytesIO(b"".join(served.streaming_content))) as image:
        assert image.size == (640, 160)  # fitted in 640×200, aspect kept
    login_page = DjangoClient(HTTP_HOST=host_for("alpha")).get("/login/").content.decode()
    assert f"/brand/logos/{client_alpha.logo_name}" in login_page
    owner = DjangoClient(HTTP_HOST=host_for("alpha"))
    login(owner, "owner@alpha.test", CLIENT_PASSWORD)
    page = owner.get("/").content.decode()
    assert f"/brand/logos/{client_alpha.logo_name}" in page
    assert "--brand-accent: #123456" in page
    pdf = owner.get("/report.pdf?range=30")
    assert pdf.status_code == 200
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf.content))
    assert any(page.images for page in reader.pages)  # the logo is in the report


def test_custom_domain_is_served_only_after_dns_verification(client_alpha, fake_dns, settings) -> None:
    from controlplane.clients.hosts import AllowedHosts
    from controlplane.clients.selectors import domain_is_served

    settings.ALLOWED_HOSTS = AllowedHosts([".localhost", "localhost", "testserver"])
    portal = portal_as(ADMIN_EMAIL)
    bad = portal.post("/portal/clients/alpha/branding/", {"form": "domain", "hostname": "alpha.shoreline.localhost"})
    assert bad.status_code == 400
    assert "already ours" in bad.content.decode()
    added = portal.post("/portal/clients/alpha/branding/", {"form": "domain", "hostname": f"https://{CUSTOM}/"})
    assert added.status_code == 302
    custom = CustomDomain.objects.get(hostname=CUSTOM)
    page = portal.get("/portal/clients/alpha/branding/").content.decode()
    assert "alpha.shoreline.localhost." in page  # the CNAME target to create
    assert f"verify={custom.token}" in page  # or the TXT token
    assert not domain_is_served(CUSTOM)
    assert DjangoClient(HTTP_HOST=CUSTOM).get("/login/").status_code in (400, 404)  # not routed yet

    # Not there yet: verification fails, nothing is routed.
    portal.post(f"/portal/clients/alpha/domains/{custom.pk}/verify/")
    custom.refresh_from_db()
    assert custom.verified_at is None
    assert custom.last_error
    assert (CUSTOM, "CNAME") in fake_dns.queries
    assert not Domain.objects.filter(domain=CUSTOM).exists()

    # A CNAME somewhere else does not verify either; the TXT token does.
    fake_dns.records[(CUSTOM, "CNAME")] = ["elsewhere.example."]
    fake_dns.records[(f"_dashboard-verify.{CUSTOM}", "TXT")] = [f"verify={custom.token}"]
    portal.post(f"/portal/clients/alpha/domains/{custom.pk}/verify/")
    custom.refresh_from_db()
    assert custom.verified_at is not None
    assert Domain.objects.get(domain=CUSTOM).tenant_id == client_alpha.pk
    assert domain_is_served(CUSTOM)
    assert domain_is_served("alpha.shoreline.localhost")
    assert not domain_is_served("unknown.example")
    assert AuditLog.objects.filter(action="domain.verified", client_slug="alpha").exists()

    # Served there: the client's sign-in and dashboard, with its own host-bound session.
    on_custom = DjangoClient(HTTP_HOST=CUSTOM)
    assert "Alpha Co" in on_custom.get("/login/").content.decode()
    assert login(on_custom, "owner@alpha.test", CLIENT_PASSWORD).status_code == 302
    assert on_custom.get("/").status_code == 200
    # A session made on the client's subdomain, its cookie copied to the custom domain, is signed out:
    # both hosts share a schema, the session is bound to the exact host.
    on_subdomain = DjangoClient(HTTP_HOST=host_for("alpha"))
    assert login(on_subdomain, "owner@alpha.test", CLIENT_PASSWORD).status_code == 302
    copied = DjangoClient(HTTP_HOST=CUSTOM)
    copied.cookies = on_subdomain.cookies
    assert copied.get("/").status_code == 302  # to the login page
    assert on_subdomain.get("/").status_code == 302  # the copied use ended that session too
    # Agency routes are not mounted on it, and another client's owner cannot use it.
    assert on_custom.get("/portal/").status_code == 404
    bravo_owner = DjangoClient(HTTP_HOST=CUSTOM)
    assert login(bravo_owner, "owner@bravo.test", CLIENT_PASSWORD).status_code != 302

    # Removed: no longer routed or served.
    portal.post(f"/portal/clients/alpha/domains/{custom.pk}/remove/")
    assert not domain_is_served(CUSTOM)
    assert not Domain.objects.filter(domain=CUSTOM).exists()


def test_domain_pages_refuse_other_clients_domains(client_alpha, client_bravo, fake_dns) -> None:
    from controlplane.accounts.models import User
    from controlplane.clients.domains import custom_domain_add

    custom = custom_domain_add(client=client_bravo, hostname="dash.bravo-own.test",
                               actor=User.objects.get(email=ADMIN_EMAIL))
    portal = portal_as(ADMIN_EMAIL)
    assert portal.post(f"/portal/clients/alpha/domains/{custom.pk}/verify/").status_code == 404
    assert portal.post(f"/portal/clients/alpha/domains/{custom.pk}/remove/").status_code == 404
    assert CustomDomain.objects.filter(pk=custom.pk).exists()
    staff = portal_as(STAFF_EMAIL)
    assert staff.post(f"/portal/clients/bravo/domains/{custom.pk}/remove/").status_code == 403
    assert Client.objects.filter(pk=client_bravo.pk).exists()


def test_demo_shows_a_branded_dashboard_on_its_own_localhost_domain(client_alpha, media, agency_reset,
                                                                     monkeypatch) -> None:
    from controlplane.clients.domains import DomainRejected, custom_domain_activate_local, custom_domain_add
    from tenants.demo import setup

    monkeypatch.setattr(setup, "DEMO_CUSTOM_DOMAIN", ("alpha", "dashboard.alpha-demo.localhost", "#b45309"))
    assert setup.demo_branding_ensure() == "dashboard.alpha-demo.localhost"
    assert setup.demo_branding_ensure() == "dashboard.alpha-demo.localhost"  # idempotent
    page = DjangoClient(HTTP_HOST="dashboard.alpha-demo.localhost").get("/login/").content.decode()
    assert "Alpha Co" in page
    assert "Powered by Harborlight Digital" in page
    assert "--brand-accent: #b45309" in page
    assert "/brand/logos/" in page
    elsewhere = custom_domain_add(client=client_alpha, hostname="dash.alpha-real.test", actor=None)
    with pytest.raises(DomainRejected):
        custom_domain_activate_local(custom=elsewhere)


def test_branding_page_keeps_the_shells_brand_context(agency_reset) -> None:
    """The page's own brand object must not shadow the shell's `brand` (colour, zone)."""
    body = portal_as(ADMIN_EMAIL).get("/portal/branding/").content.decode()
    assert "Times in UTC" in body
    assert "--brand-accent: #" in body
