"""Every page sends a Content-Security-Policy: no inline script without the request's nonce, no
framing outside the widget iframe (which keeps its own frame-ancestors from the bot's allowlist)."""

from __future__ import annotations

import re

import pytest
from django.template import engines
from django.test import RequestFactory

from tests.conftest import ADMIN_EMAIL, AGENCY_PASSWORD, CLIENT_PASSWORD, login

pytestmark = pytest.mark.django_db


def _policy(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    return {part.strip().split(" ", 1)[0]: part.strip().partition(" ")[2] for part in header.split(";") if part.strip()}


def _assert_strict(response) -> None:
    policy = _policy(response)
    assert policy["frame-ancestors"] == "'none'"
    assert "'unsafe-inline'" not in policy["script-src"]
    assert "'unsafe-eval'" not in policy["script-src"]
    assert policy["object-src"] == "'none'"
    assert response["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize("path", ["/login/", "/portal/", "/portal/clients/alpha/", "/portal/staff/",
                                  "/portal/audit/", "/password/change/", "/nonexistent/"])
def test_portal_pages_send_a_strict_policy(http, path):
    browser = http(None)
    if path != "/login/":
        assert login(browser, ADMIN_EMAIL, AGENCY_PASSWORD).status_code == 302
    _assert_strict(browser.get(path))


@pytest.mark.parametrize("path", ["/login/", "/", "/password/change/"])
def test_dashboard_pages_send_a_strict_policy(http, client_alpha, path):
    browser = http("alpha")
    if path != "/login/":
        assert login(browser, "owner@alpha.test", CLIENT_PASSWORD).status_code == 302
    _assert_strict(browser.get(path))


def test_an_inline_script_runs_only_with_the_nonce_of_its_own_response():
    from django.http import HttpResponse
    from django.middleware.csp import ContentSecurityPolicyMiddleware

    template = engines["django"].from_string('<script nonce="{{ csp_nonce }}">1</script>')
    middleware = ContentSecurityPolicyMiddleware(lambda r: None)
    nonces = []
    for _ in range(2):
        request = RequestFactory().get("/")
        middleware.process_request(request)
        from django.template.context_processors import csp

        html = template.render(csp(request), request)
        nonce = re.fullmatch(r'<script nonce="([A-Za-z0-9_\-+/=]{16,})">1</script>', html).group(1)
        response = middleware.process_response(request, HttpResponse(html))
        assert f"'nonce-{nonce}'" in _policy(response)["script-src"]
        nonces.append(nonce)
    assert nonces[0] != nonces[1]
