"""Every dashboard route × {anonymous, this client's user, another client's user, staff, admin},
and no dashboard route accepts a write."""

from __future__ import annotations

import uuid

import pytest
from django.urls import reverse
from django_tenants.utils import schema_context

from controlplane.audit.models import AuditLog
from tests.conftest import ADMIN_EMAIL, CLIENT_PASSWORD, STAFF_EMAIL, login
from tests.integration.analytics import builders as b
from tests.integration.dashboard.conftest import claimed_session

pytestmark = pytest.mark.django_db
URLCONF = "config.urls_tenant"
DASHBOARD_ROUTES = ["home", "dashboard_questions", "dashboard_setup", "dashboard_leads", "dashboard_leads_export",
                    "dashboard_conversations", "dashboard_conversations_export", "dashboard_conversation",
                    "dashboard_conversation_pdf", "dashboard_report_pdf", "dashboard_billing"]


@pytest.fixture
def alpha_conversation(client_alpha):  # type: ignore[no-untyped-def]
    from django.utils import timezone

    with schema_context(client_alpha.schema_name):
        return b.conversation(timezone.now(), turns=2, lead="hot", texts=["Secret alpha question?", "more?"])


def _path(name: str, conversation_id: uuid.UUID) -> str:
    kwargs = {"conversation_id": conversation_id} if "conversation" in name and "conversations" not in name else {}
    return reverse(name, kwargs=kwargs, urlconf=URLCONF)


def _browser(role: str, http, client_alpha, client_bravo):  # type: ignore[no-untyped-def]
    if role == "anonymous":
        return http("alpha")
    if role == "member":
        browser = http("alpha")
        assert login(browser, "owner@alpha.test", CLIENT_PASSWORD).status_code == 302
        return browser
    if role == "other_client":
        browser = http("bravo")  # signed in on bravo, then walks over to alpha with the same cookies
        assert login(browser, "owner@bravo.test", CLIENT_PASSWORD).status_code == 302
        browser.defaults["HTTP_HOST"] = "alpha.shoreline.localhost"
        return browser
    if role == "other_client_claimed":
        return claimed_session("owner@bravo.test", "alpha", client_alpha.schema_name)
    email = STAFF_EMAIL if role == "staff" else ADMIN_EMAIL
    return claimed_session(email, "alpha", client_alpha.schema_name)


@pytest.mark.parametrize("role", ["anonymous", "member", "other_client", "other_client_claimed", "staff", "admin"])
@pytest.mark.parametrize("name", DASHBOARD_ROUTES)
def test_route_access(name, role, http, client_alpha, client_bravo, alpha_conversation) -> None:
    browser = _browser(role, http, client_alpha, client_bravo)
    path = _path(name, alpha_conversation.pk)
    audit_before = AuditLog.objects.filter(action__startswith="export.").count()
    response = browser.get(path)
    if role == "member":
        assert response.status_code == 200, (name, response.status_code)
        return
    # Nobody else gets anything: signed out to the login page, or refused.
    assert response.status_code in (302, 403), (name, role, response.status_code)
    if response.status_code == 302:
        assert response["Location"].startswith("/login/")
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert b"Secret alpha question" not in body
    assert AuditLog.objects.filter(action__startswith="export.").count() == audit_before


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
@pytest.mark.parametrize("name", DASHBOARD_ROUTES)
def test_no_dashboard_route_writes(name, method, alpha_owner, alpha_conversation) -> None:
    response = getattr(alpha_owner, method)(_path(name, alpha_conversation.pk))
    assert response.status_code == 405


def test_other_clients_conversation_is_not_found(alpha_owner, client_bravo) -> None:
    from django.utils import timezone

    with schema_context(client_bravo.schema_name):
        bravo_conv = b.conversation(timezone.now(), turns=1, texts=["Bravo private question?"])
    for name in ("dashboard_conversation", "dashboard_conversation_pdf"):
        assert alpha_owner.get(_path(name, bravo_conv.pk)).status_code == 404


def test_alpha_pages_never_show_bravo_data(alpha_owner, client_alpha, client_bravo) -> None:
    from django.utils import timezone

    from tenants.analytics.services import analytics_rollups_update

    with schema_context(client_bravo.schema_name):
        for _ in range(3):
            b.conversation(timezone.now(), turns=3, lead="hot", tags=["bravo-only-tag"],
                           texts=["Bravo private question?"])
        analytics_rollups_update(client=client_bravo, full=True)
    with schema_context(client_alpha.schema_name):
        analytics_rollups_update(client=client_alpha, full=True)
    for path in ("/", "/leads/", "/conversations/", "/conversations/export.csv", "/leads/export.csv",
                 "/?range=90", "/setup/"):
        response = alpha_owner.get(path)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert b"bravo-only-tag" not in body, path
        assert b"Bravo" not in body, path
    overview = alpha_owner.get("/").context["overview"]
    assert overview.current.totals.messages == 0
