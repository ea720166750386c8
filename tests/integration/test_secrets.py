"""SEC-8: secrets live only in server-side settings; no page, API response or header carries one.

Known fake values are set for every secret setting, then every GET route of both URL confs (the
widget API included) is rendered as every role, plus the pages a seeded system shows beyond the
route list (impersonation, form errors, 403/404/405 pages). None may contain any secret.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from config.env import ShorelineEnv
from tests.conftest import ADMIN_EMAIL, AGENCY_PASSWORD, login
from tests.integration.test_url_matrix import (
    PUBLIC_URLCONF,
    ROLES,
    TENANT_URLCONF,
    all_routes,
    every_route,
    session_for,
)

pytestmark = pytest.mark.django_db

FAKE_SECRETS = {
    "SECRET_KEY": "fake-django-secret-key-3b9f0c1e7a5d4e2f8a6b1c0d9e8f7a6b5c4d3e2f1a0b",
    "OPENAI_API_KEY": "sk-fake-openai-8d1c4b7e2a9f",
    "STRIPE_SECRET_KEY": "sk_test_fake_stripe_5e7a1c9d3b",
    "STRIPE_WEBHOOK_SECRET": "whsec_fake_webhook_2f6b8d0a4c",
    "TWILIO_AUTH_TOKEN": "fake-twilio-auth-token-7c3e9a1f",
    "SENDGRID_API_KEY": "SG.fake-sendgrid.4a8c2e6b0d",
    "AUDIT_HMAC_KEY": "fake-audit-hmac-key-91d3c5e7a2b4",
    "SHORELINE_METRICS_TOKEN": "fake-metrics-token-1d5f9b3a7c",
    "S3_SECRET_ACCESS_KEY": "fake-s3-secret-6e2a8c4f0b",
    "DATABASE_APP_PASSWORD": "fake-db-app-password-8b2d6f0a4e",
}
# Fields of config.env.ShorelineEnv that look secret by name but are not (identifiers, models, URLs).
NOT_SECRET_FIELDS = {"twilio_account_sid", "s3_access_key_id"}


@pytest.fixture
def secrets(settings):
    for name, value in FAKE_SECRETS.items():
        setattr(settings, name, value)
    # Whatever the process environment configured counts too (the default SECRET_KEY here).
    return sorted(set(FAKE_SECRETS.values()) | set(settings.ENV.secret_values()))


def test_env_secret_values_cover_every_secret_setting():
    """What production reads from the environment is exactly what the rendering test guards."""
    env = ShorelineEnv.model_validate(FAKE_SECRETS)
    assert sorted(env.secret_values()) == sorted(FAKE_SECRETS.values())
    looks_secret = {name for name in ShorelineEnv.model_fields
                    if any(word in name for word in ("key", "secret", "token", "password", "sid"))}
    covered = {name for name, f in ShorelineEnv.model_fields.items() if f.alias in FAKE_SECRETS}
    assert looks_secret - NOT_SECRET_FIELDS == covered, (
        "A new secret-looking setting in config.env: add it to ShorelineEnv.secret_values() and FAKE_SECRETS."
    )


def test_settings_take_secrets_from_the_environment_only(settings):
    """Each secret setting is the env value: no literal fallback somewhere in settings."""
    for name in FAKE_SECRETS:
        field = next(n for n, f in ShorelineEnv.model_fields.items() if f.alias == name)
        assert getattr(settings, name) == getattr(settings.ENV, field)


def test_the_leak_detector_sees_body_headers_and_cookies():
    from django.http import HttpResponse

    secret = FAKE_SECRETS["STRIPE_SECRET_KEY"]
    clean = HttpResponse("nothing here")
    assert _leaks("clean", clean, [secret]) == []
    in_body, in_header, in_cookie = HttpResponse(f"<p>{secret}</p>"), HttpResponse("x"), HttpResponse("x")
    in_header["X-Debug"] = secret
    in_cookie.set_cookie("c", secret)
    for response in (in_body, in_header, in_cookie):
        assert _leaks("leaky", response, [secret]) == ["leaky (200) contains sk_test_fake…"]


def _leaks(label: str, response, secrets: list[str]) -> list[str]:
    found = []
    texts = [response.content.decode(errors="replace") if not response.streaming else ""]
    texts += [f"{k}: {v}" for k, v in response.items()]
    texts += [morsel.OutputString() for morsel in response.cookies.values()]
    for secret in secrets:
        if any(secret in text for text in texts):
            found.append(f"{label} ({response.status_code}) contains {secret[:12]}…")
    return found


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("urlconf", [PUBLIC_URLCONF, TENANT_URLCONF], ids=["public-host", "client-host"])
def test_no_secret_in_any_page(secrets, urlconf, role, client_alpha, staff_user, admin_user):
    leaks, rendered = [], 0
    routes = every_route(urlconf)  # the widget API included
    assert len(routes) >= len(all_routes(urlconf))
    browser = session_for(role, urlconf)
    for route in routes:
        path = route.path()
        response = browser.get(path)
        rendered += 1
        leaks += _leaks(f"GET {path} as {role}", response, secrets)
    for path in ("/no-such-page/", "/static/../settings.py"):
        leaks += _leaks(f"GET {path} as {role}", browser.get(path), secrets)
    assert rendered == len(routes)
    assert leaks == [], "\n".join(leaks)


def test_no_secret_in_impersonation_form_errors_or_lockout(secrets, http, admin_user, client_alpha):
    leaks = []
    portal = http(None)
    login(portal, ADMIN_EMAIL, AGENCY_PASSWORD)
    issued = portal.post("/portal/clients/alpha/impersonate/")
    leaks += _leaks("impersonate (issue)", issued, secrets)
    [ticket] = parse_qs(urlsplit(issued["Location"]).query)["ticket"]
    alpha = http("alpha")
    leaks += _leaks("impersonate (redeem)", alpha.get(f"/impersonate/?ticket={ticket}"), secrets)
    leaks += _leaks("impersonated dashboard", alpha.get("/"), secrets)
    leaks += _leaks("impersonation write refused", alpha.post("/"), secrets)
    leaks += _leaks("reused ticket", http("alpha").get(f"/impersonate/?ticket={ticket}"), secrets)
    leaks += _leaks("client form errors", portal.post("/portal/clients/new/", {"slug": "admin"}), secrets)
    leaks += _leaks("staff form errors", portal.post("/portal/staff/", {"email": "nope"}), secrets)
    leaks += _leaks("password form errors", portal.post("/password/change/", {"new_password": "x"}), secrets)
    leaks += _leaks("plan change", portal.post("/portal/clients/alpha/plan/", {"plan": "pro"}, follow=True), secrets)
    leaks += _leaks("audit log page", portal.get("/portal/audit/"), secrets)
    created = portal.post("/portal/clients/new/", {"name": "Secret Test", "slug": "secret-test",
                                                    "industry": "gym", "plan": "starter",
                                                    "owner_email": "owner@secret-test.test"})
    assert created.status_code == 200
    leaks += _leaks("client created page", created, secrets)
    stranger = http(None)
    for attempt in range(6):
        leaks += _leaks(f"failed login {attempt}", login(stranger, ADMIN_EMAIL, f"wrong {attempt}"), secrets)
    assert leaks == [], "\n".join(leaks)
