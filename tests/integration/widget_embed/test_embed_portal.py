"""SEC-1/SEC-2 administration: tokens and allowed websites per bot, every route × role, cross-tenant."""

from __future__ import annotations

import pytest
from django_tenants.utils import tenant_context

from controlplane.audit.models import AuditLog
from controlplane.widgets.models import AllowedOrigin, WidgetToken
from controlplane.widgets.services import allowed_origin_add, widget_token_issue, widget_token_resolve
from tenants.bots.models import Bot
from tests.integration.bots.support import portal_as

pytestmark = pytest.mark.django_db


def _bot_id(client) -> int:
    with tenant_context(client):
        return Bot.objects.order_by("id").values_list("id", flat=True)[0]


def _state() -> tuple[int, int, int, int]:
    return (WidgetToken.objects.count(), WidgetToken.objects.filter(revoked_at__isnull=False).count(),
            AllowedOrigin.objects.count(), AuditLog.objects.count())


@pytest.fixture
def alpha_setup(client_alpha):
    bot_id = _bot_id(client_alpha)
    issued = widget_token_issue(client=client_alpha, bot_id=bot_id)
    origin = allowed_origin_add(client=client_alpha, bot_id=bot_id, origin="https://alpha.example")
    return {"bot_id": bot_id, "token": issued.token, "raw": issued.raw, "origin": origin}


def _routes(setup) -> list[tuple[str, str, dict[str, str]]]:
    base = "/portal/clients/alpha/embed/"
    return [
        ("post", f"{base}bots/{setup['bot_id']}/tokens/", {}),
        ("post", f"{base}tokens/{setup['token'].pk}/rotate/", {}),
        ("post", f"{base}bots/{setup['bot_id']}/origins/", {"origin": "https://new.example"}),
        ("post", f"{base}origins/{setup['origin'].pk}/remove/", {}),
        ("post", f"{base}tokens/{setup['token'].pk}/revoke/", {}),
    ]


@pytest.mark.parametrize("role", ["anonymous", "client", "staff"])
def test_only_admins_change_tokens_or_allowlists(role, alpha_setup):
    browser = portal_as(role)
    for method, path, data in _routes(alpha_setup):  # each probe checks its own before/after
        before = _state()
        response = getattr(browser, method)(path, data)
        if role in ("anonymous", "client"):  # a client's forged agency session is signed out
            assert response.status_code == 302, path
            assert response["Location"].startswith("/login/"), path
        else:
            assert response.status_code == 403, path
        assert _state() == before, f"{role} changed something via {path}"


@pytest.mark.parametrize(("role", "status"), [("anonymous", 302), ("client", 302), ("staff", 200), ("admin", 200)])
def test_settings_page_access(role, status, alpha_setup):
    response = portal_as(role).get("/portal/clients/alpha/embed/")
    assert response.status_code == status
    if status == 200:
        body = response.content.decode()
        assert f"shl_{alpha_setup['token'].prefix}_" in body
        assert "https://alpha.example" in body
        assert alpha_setup["raw"] not in body  # a stored token is never shown again


def test_admin_issues_a_token_and_sees_the_snippet_once(alpha_setup):
    admin = portal_as("admin")
    response = admin.post(f"/portal/clients/alpha/embed/bots/{alpha_setup['bot_id']}/tokens/")
    assert response.status_code == 200
    newest = WidgetToken.objects.filter(client__slug="alpha").order_by("-id").first()
    body = response.content.decode()
    assert f'data-token="shl_{newest.prefix}_' in body.replace("&quot;", '"')
    assert AuditLog.objects.filter(action="widget.token_issued", client_slug="alpha").count() == 2
    again = admin.get("/portal/clients/alpha/embed/").content.decode()
    assert "data-token" not in again.replace("&quot;", '"')


def test_rotate_revokes_the_old_token_at_once(alpha_setup):
    response = portal_as("admin").post(f"/portal/clients/alpha/embed/tokens/{alpha_setup['token'].pk}/rotate/")
    assert response.status_code == 200
    assert widget_token_resolve(alpha_setup["raw"]) is None
    assert WidgetToken.objects.filter(client__slug="alpha", revoked_at__isnull=True).count() == 1


def test_invalid_origin_is_refused_with_a_sentence(alpha_setup):
    admin = portal_as("admin")
    before = _state()
    response = admin.post(f"/portal/clients/alpha/embed/bots/{alpha_setup['bot_id']}/origins/",
                          {"origin": "ftp://files.example/path"})
    assert response.status_code == 400
    assert "must start with http:// or https://" in response.content.decode()
    assert _state() == before


def test_wildcard_origin_is_stored_normalised(alpha_setup):
    response = portal_as("admin").post(f"/portal/clients/alpha/embed/bots/{alpha_setup['bot_id']}/origins/",
                                       {"origin": "HTTPS://*.Alpha.example:443/"})
    assert response.status_code == 302
    assert AllowedOrigin.objects.filter(client__slug="alpha", origin="https://*.alpha.example").exists()


def test_another_clients_ids_under_alphas_url_are_404(alpha_setup, client_bravo):
    bravo_bot = _bot_id(client_bravo)
    bravo_token = widget_token_issue(client=client_bravo, bot_id=bravo_bot).token
    bravo_origin = allowed_origin_add(client=client_bravo, bot_id=bravo_bot, origin="https://bravo.example")
    admin = portal_as("admin")
    before = _state()
    for path in (f"/portal/clients/alpha/embed/tokens/{bravo_token.pk}/revoke/",
                 f"/portal/clients/alpha/embed/tokens/{bravo_token.pk}/rotate/",
                 f"/portal/clients/alpha/embed/origins/{bravo_origin.pk}/remove/"):
        assert admin.post(path).status_code == 404, path
    assert _state() == before
    bravo_token.refresh_from_db()
    assert bravo_token.revoked_at is None


def test_unknown_bot_id_is_404(alpha_setup):
    response = portal_as("admin").post("/portal/clients/alpha/embed/bots/987654/tokens/")
    assert response.status_code == 404


def test_agency_notes_are_private_and_validated(client_alpha, http):
    staff = portal_as("staff")
    assert staff.post("/portal/clients/alpha/notes/", {"body": "Owner prefers texts after 5pm."}).status_code == 302
    assert list(client_alpha.admin_notes.values_list("body", flat=True)) == ["Owner prefers texts after 5pm."]
    assert staff.post("/portal/clients/alpha/notes/", {"body": "   "}).status_code == 302
    assert client_alpha.admin_notes.count() == 1
    assert "Owner prefers texts" in staff.get("/portal/clients/alpha/").content.decode()
    assert portal_as("client").post("/portal/clients/alpha/notes/", {"body": "x"}).status_code == 302  # signed out
    assert client_alpha.admin_notes.count() == 1


def test_portal_home_lists_usage_and_open_reviews(client_alpha):
    from controlplane.billing.metering import usage_record_reply

    for _ in range(3):
        usage_record_reply(client_id=client_alpha.pk)
    body = portal_as("staff").get("/portal/").content.decode()
    assert "3 / 5000" in body
    assert "http://alpha.shoreline.localhost:8000/" in body
