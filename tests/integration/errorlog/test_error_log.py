"""AX-6: server errors, failed model calls (with the provider's status) and failed crawls reach the
agency's error log, grouped, searchable and per client. The failed-task case runs a real Celery
worker: tests/integration/test_celery_worker.py."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client as DjangoClient
from django.test import override_settings

from controlplane.errorlog.models import ErrorEvent, ErrorGroup
from controlplane.errorlog.services import error_record
from ops.fake_openai import FakeOpenAI
from tests.conftest import ADMIN_EMAIL, AGENCY_PASSWORD, CLIENT_PASSWORD, STAFF_EMAIL, host_for, login
from tests.integration.widget.support import WidgetSetup, openai_fake_configured

pytestmark = pytest.mark.django_db


@override_settings(PUBLIC_SCHEMA_URLCONF="tests.errorlog_urls")
def test_an_exception_in_a_view_is_grouped_with_its_trace():
    browser = DjangoClient(HTTP_HOST=host_for(None), raise_request_exception=False)
    for _ in range(2):
        assert browser.get("/explode/").status_code == 500
    group = ErrorGroup.objects.get(kind="server")
    assert group.count == 2
    assert group.client_slug == ""
    assert group.title == "RuntimeError in explode: the flux capacitor is out of flux"
    event = group.events.first()
    assert "the flux capacitor is out of flux" in event.detail
    assert "errorlog_urls.py" in event.detail  # the trace points at the line
    assert event.context == {"path": "/explode/", "method": "GET"}


@pytest.fixture
def refusing_openai(settings: Any) -> Iterator[FakeOpenAI]:
    with openai_fake_configured(settings, FakeOpenAI(fail_status=401), api_key="sk-revoked-not-a-secret") as fake:
        yield fake


@pytest.fixture
def patio(alpha: WidgetSetup) -> None:
    from tenants.knowledge.services import knowledge_source_upsert

    with alpha.schema():
        knowledge_source_upsert(bot_id=alpha.bot_id, kind="article", title="Patio",
                                body="Our patio seats 40 guests and is heated from October to April.")


def test_a_401_from_the_model_is_an_alert_not_a_silent_fallback(alpha: WidgetSetup, patio: None,
                                                                refusing_openai: FakeOpenAI, http):
    response = alpha.send("Is your patio heated in winter?")
    assert response.status_code == 200
    assert response.json()["is_fallback"] is True  # the visitor still gets an answer
    assert len(refusing_openai.chat_requests()) == 2  # one retry, then give up
    group = ErrorGroup.objects.get(kind="model")
    assert (group.status_code, group.client_slug, group.count) == (401, "alpha", 1)
    assert group.title == "The AI model gpt-4o-mini failed: HTTP 401"
    assert "sk-revoked" not in group.events.get().detail  # never the key

    for email in (ADMIN_EMAIL, STAFF_EMAIL):
        portal = http(None)
        login(portal, email, AGENCY_PASSWORD)
        home = portal.get("/portal/").content.decode()
        assert "data-provider-alert" in home
        assert "The AI model gpt-4o-mini failed: HTTP 401" in home


def test_no_banner_without_a_provider_refusal(http):
    error_record(kind="model", where="gpt-4o-mini", client_slug="alpha", status_code=None,
                 title="The AI model gpt-4o-mini failed: no answer (timeout or network)")
    portal = http(None)
    login(portal, ADMIN_EMAIL, AGENCY_PASSWORD)
    assert "data-provider-alert" not in portal.get("/portal/").content.decode()


def test_a_failed_crawl_is_logged_for_its_client(client_alpha):
    import httpx
    from django_tenants.utils import tenant_context

    from tenants.bots.models import Bot
    from tenants.knowledge.models import WebsiteSource
    from tenants.knowledge.website import website_refresh

    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    with tenant_context(client_alpha):
        site = WebsiteSource.objects.create(bot_id=Bot.objects.order_by("pk").first().pk, start_url="https://alpha.example/")
        crawl = website_refresh(site=site, client=httpx.Client(transport=httpx.MockTransport(refuse)))
    assert crawl.state == "failed"
    group = ErrorGroup.objects.get(kind="crawl")
    assert (group.client_slug, group.title) == ("alpha", "Website crawl of https://alpha.example/ failed")
    # The outbound guard resolves the host first; the reason reaches the log.
    assert "alpha.example" in group.events.get().detail


def test_the_log_filters_searches_and_counts_per_day(http):
    error_record(kind="task", where="a", client_slug="alpha", title="KeyError in tenants.rollups: 'day'")
    error_record(kind="task", where="a", client_slug="alpha", title="KeyError in tenants.rollups: 'day'",
                 detail="Traceback … rollups.py line 40")
    error_record(kind="crawl", where="b", client_slug="bravo", title="Website crawl of https://bravo.example/ failed")
    portal = http(None)
    login(portal, STAFF_EMAIL, AGENCY_PASSWORD)
    html = portal.get("/portal/errors/").content.decode()
    assert html.count("data-error-group=") == 2
    alpha_only = portal.get("/portal/errors/?client=alpha").content.decode()
    assert "KeyError in tenants.rollups" in alpha_only
    assert "bravo.example" not in alpha_only
    found = portal.get("/portal/errors/?q=line+40").content.decode()  # searches the trace too
    assert found.count("data-error-group=") == 1
    assert portal.get("/portal/errors/?kind=crawl").content.decode().count("data-error-group=") == 1
    # Today's two occurrences are the last number of the 14-day trend.
    group = ErrorGroup.objects.get(kind="task")
    row = html[html.index(f'data-error-group="{group.pk}"'):]
    trend = row[row.index("data-trend>") + len("data-trend>"):row.index("</td>", row.index("data-trend>"))]
    assert trend.split() == ["0"] * 13 + ["2"]
    detail = portal.get(f"/portal/errors/{group.pk}/").content.decode()
    assert detail.count("data-error-event") == 2


def test_clients_never_see_the_error_log(http, client_alpha):
    error_record(kind="task", where="x", client_slug="alpha", title="Something broke")
    owner = http("alpha")
    login(owner, "owner@alpha.test", CLIENT_PASSWORD)
    assert owner.get("/portal/errors/").status_code == 404
    assert ErrorEvent.objects.count() == 1


def test_recording_never_raises_and_prunes_old_events():
    from controlplane.errorlog import services

    for _ in range(services.EVENTS_KEPT_PER_GROUP + 1):
        error_record(kind="task", where="p", title="Flaky")
    group = ErrorGroup.objects.get(kind="task")
    assert group.count == services.EVENTS_KEPT_PER_GROUP + 1
    assert group.events.count() <= services.EVENTS_KEPT_PER_GROUP + 1
    with pytest.raises(ValueError, match="Unknown error kind"):
        error_record(kind="nope", where="p", title="x")
