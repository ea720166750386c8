"""Sign-in per host, session hardening (SEC-3), password rules (SEC-4), forced change (SEC-5),
lockout, host-bound sessions and impersonation (AX-9)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session

from controlplane.accounts.models import Role, User
from controlplane.accounts.services import user_create
from controlplane.audit.models import AuditLog
from tests.conftest import ADMIN_EMAIL, AGENCY_PASSWORD, CLIENT_PASSWORD, STAFF_EMAIL, login

pytestmark = pytest.mark.django_db

REPO_ROOT = Path(__file__).resolve().parents[2]
INVALID_LOGIN = (
    "Please enter a correct email and password. Note that both fields may be case-sensitive."
)


def signed_in_user_id(browser) -> str | None:
    return browser.session.get("_auth_user_id")


def login_errors(response) -> list[str]:
    return list(response.context["form"].non_field_errors())


# --- who signs in where -------------------------------------------------------------------------


@pytest.mark.parametrize("email", [ADMIN_EMAIL, STAFF_EMAIL])
def test_agency_signs_in_on_the_public_host(http, email):
    browser = http(None)
    response = login(browser, email, AGENCY_PASSWORD)
    assert (response.status_code, response["Location"]) == (302, "/")
    assert signed_in_user_id(browser) == str(User.objects.get(email=email).pk)
    assert browser.session["shoreline_host_schema"] == "public"
    home = browser.get("/", follow=True)
    assert home.redirect_chain == [("/portal/", 302)]
    assert home.status_code == 200


def test_wrong_password_message(http):
    response = login(http(None), ADMIN_EMAIL, "not the right password at all")
    assert response.status_code == 200
    assert login_errors(response) == [INVALID_LOGIN]


@pytest.mark.parametrize("host", [None, "bravo"], ids=["public-host", "other-client-host"])
def test_client_user_cannot_sign_in_off_its_own_host(http, host):
    browser = http(host)
    refused = login(browser, "owner@alpha.test", CLIENT_PASSWORD)
    assert refused.status_code == 200
    # the same words as a wrong password: the response does not reveal that the account exists
    assert login_errors(refused) == [INVALID_LOGIN]
    assert INVALID_LOGIN in refused.content.decode()
    assert signed_in_user_id(browser) is None
    assert not AuditLog.objects.filter(action="auth.login", actor_email="owner@alpha.test").exists()


def test_agency_cannot_sign_in_on_a_client_host(http):
    browser = http("alpha")
    refused = login(browser, ADMIN_EMAIL, AGENCY_PASSWORD)
    assert login_errors(refused) == [INVALID_LOGIN]
    assert signed_in_user_id(browser) is None


def test_client_user_signs_in_on_its_own_host(http, client_alpha):
    browser = http("alpha")
    response = login(browser, "owner@alpha.test", CLIENT_PASSWORD)
    assert (response.status_code, response["Location"]) == (302, "/")
    assert signed_in_user_id(browser) == str(User.objects.get(email="owner@alpha.test").pk)
    assert browser.session["shoreline_host_schema"] == "c_alpha"
    dashboard = browser.get("/")
    assert dashboard.status_code == 200
    assert "Alpha Co" in dashboard.content.decode()


# --- SEC-3: session and cookies -------------------------------------------------------------------


def test_session_key_rotates_at_login(http):
    browser = http(None)
    before = browser.session  # an anonymous session that already exists before signing in
    before["probe"] = "anonymous"
    before.save()
    browser.cookies[settings.SESSION_COOKIE_NAME] = before.session_key
    response = login(browser, ADMIN_EMAIL, AGENCY_PASSWORD)
    after_key = response.cookies[settings.SESSION_COOKIE_NAME].value
    assert after_key
    assert after_key != before.session_key
    assert not Session.objects.filter(session_key=before.session_key).exists()
    assert Session.objects.filter(session_key=after_key).exists()


def test_session_cookie_flags(http):
    response = login(http("alpha"), "owner@alpha.test", CLIENT_PASSWORD)
    cookie = response.cookies["shoreline_session"]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert cookie["domain"] == ""  # host-only: never shared with other client subdomains
    assert cookie["secure"] == ""  # test settings run over http; production sets Secure (below)


def test_production_cookies_are_secure():
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "PYTHONPATH"}}
    env.update({
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "PYTHONPATH": os.pathsep.join(["platform", "."]),
        "SECRET_KEY": "s" * 64,
        "DATABASE_URL": "postgres://u:p@127.0.0.1:1/x",
        "REDIS_URL": "redis://127.0.0.1:1/0",
        "ALLOWED_HOSTS": "shoreline.example.com",
        # Production also requires https links on a public domain and object storage (issue 18).
        "SHORELINE_DOMAIN": "shoreline.example.com", "SHORELINE_SCHEME": "https", "SHORELINE_PORT": "",
        "S3_BUCKET": "shoreline-media",
        # SEC-9: web runs as the restricted role.
        "DATABASE_APP_USER": "shoreline_app", "DATABASE_APP_PASSWORD": "app-pw",
    })
    probe = ("import json; from django.conf import settings as s; print(json.dumps([s.SESSION_COOKIE_SECURE, "
             "s.SESSION_COOKIE_HTTPONLY, s.SESSION_COOKIE_SAMESITE, s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_NAME]))")
    result = subprocess.run([sys.executable, "-c", probe], cwd=REPO_ROOT, env=env, capture_output=True, text=True,
                            timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [True, True, "Lax", True, "shoreline_session"]


def test_login_form_is_csrf_protected(http, client_alpha):
    from django.test import Client as DjangoClient

    browser = DjangoClient(enforce_csrf_checks=True, HTTP_HOST="alpha.shoreline.localhost")
    response = login(browser, "owner@alpha.test", CLIENT_PASSWORD)
    assert response.status_code == 403
    assert signed_in_user_id(browser) is None


# --- SEC-4: password rules ------------------------------------------------------------------------


def _change(browser, current: str, new: str):
    return browser.post("/password/change/", {
        "current_password": current, "new_password": new, "new_password_again": new})


def _new_errors(response) -> list[str]:
    return list(response.context["form"].errors.get("new_password", []))


@pytest.fixture
def staff_browser(http, staff_user):
    browser = http(None)
    assert login(browser, STAFF_EMAIL, AGENCY_PASSWORD).status_code == 302
    return browser


@pytest.fixture
def client_browser(http, client_alpha):
    browser = http("alpha")
    assert login(browser, "owner@alpha.test", CLIENT_PASSWORD).status_code == 302
    return browser


def test_staff_password_needs_15_characters(staff_browser, staff_user):
    refused = _change(staff_browser, AGENCY_PASSWORD, "Tq8#vLm2$wZr4!")  # 14 characters
    assert refused.status_code == 400
    assert _new_errors(refused) == ["This password is too short. It must contain at least 15 characters."]
    staff_user.refresh_from_db()
    assert staff_user.check_password(AGENCY_PASSWORD)
    accepted = _change(staff_browser, AGENCY_PASSWORD, "Tq8#vLm2$wZr4!x")
    assert (accepted.status_code, accepted["Location"]) == (302, "/")
    staff_user.refresh_from_db()
    assert staff_user.check_password("Tq8#vLm2$wZr4!x")


def test_client_password_needs_12_characters(client_browser):
    owner = User.objects.get(email="owner@alpha.test")
    accepted = _change(client_browser, CLIENT_PASSWORD, "Tq8#vLm2$wZr")  # 12 characters: enough for a client
    assert accepted.status_code == 302
    owner.refresh_from_db()
    assert owner.check_password("Tq8#vLm2$wZr")
    refused = _change(client_browser, "Tq8#vLm2$wZr", "Tq8#vLm2$wZ")  # 11 characters
    assert refused.status_code == 400
    assert _new_errors(refused) == ["This password is too short. It must contain at least 12 characters."]
    owner.refresh_from_db()
    assert owner.check_password("Tq8#vLm2$wZr")


@pytest.mark.parametrize(
    ("browser_fixture", "current", "common"),
    [("staff_browser", AGENCY_PASSWORD, "qwerty123456789"), ("client_browser", CLIENT_PASSWORD, "qwerty123456")],
)
def test_common_passwords_are_refused(request, browser_fixture, current, common):
    browser = request.getfixturevalue(browser_fixture)
    refused = _change(browser, current, common)
    assert refused.status_code == 400
    assert "This password is too common." in _new_errors(refused)


def test_password_like_the_email_is_refused(staff_browser):
    refused = _change(staff_browser, AGENCY_PASSWORD, "staff@agency.test1")
    assert refused.status_code == 400
    assert "The password is too similar to the email." in _new_errors(refused)


def test_current_password_cannot_be_kept(staff_browser):
    refused = _change(staff_browser, AGENCY_PASSWORD, AGENCY_PASSWORD)
    assert refused.status_code == 400
    assert _new_errors(refused) == [
        "Choose a new password: it cannot be the one you were given or are using now."]


# --- SEC-5: forced change of a generated password -----------------------------------------------


def _every_route_but_the_change_page(urlconf: str) -> list[tuple[str, str]]:
    from tests.integration.test_url_matrix import classified_routes

    return [(rule.method, route.path(rule)) for route, rule in classified_routes(urlconf)
            if route.name not in ("password_change", "logout", "impersonation_end")]


def test_generated_password_reaches_only_the_change_page(http, admin_user):
    created = user_create(email="fresh.staff@agency.test", role=Role.STAFF, actor=admin_user)
    assert created.user.must_change_password is True
    browser = http(None)
    assert login(browser, "fresh.staff@agency.test", created.one_time_password).status_code == 302
    audit_before = AuditLog.objects.count()
    routes = _every_route_but_the_change_page("config.urls_public")
    assert len(routes) >= 10
    for method, path in routes:
        response = getattr(browser, method)(path)
        assert (method, path, response.status_code, response.get("Location")) == (
            method, path, 302, "/password/change/")
    assert AuditLog.objects.count() == audit_before  # e.g. no impersonation ticket was issued
    page = browser.get("/password/change/")
    assert page.status_code == 200
    assert page.context["forced"] is True
    # the generated password cannot be kept
    kept = _change(browser, created.one_time_password, created.one_time_password)
    assert _new_errors(kept) == ["Choose a new password: it cannot be the one you were given or are using now."]
    created.user.refresh_from_db()
    assert created.user.must_change_password is True
    changed = _change(browser, created.one_time_password, "a brand new staff passphrase")
    assert (changed.status_code, changed["Location"]) == (302, "/")
    created.user.refresh_from_db()
    assert created.user.must_change_password is False
    assert browser.get("/portal/").status_code == 200  # still signed in (session hash updated)
    assert AuditLog.objects.filter(action="user.password_changed", actor_email="fresh.staff@agency.test").count() == 1


def test_client_owner_with_generated_password_changes_it_first(http, client_alpha):
    owner = User.objects.get(email="owner@alpha.test")
    owner.set_password("generated one time pw 1")
    owner.must_change_password = True
    owner.save()
    browser = http("alpha")
    assert login(browser, "owner@alpha.test", "generated one time pw 1").status_code == 302
    for method, path in _every_route_but_the_change_page("config.urls_tenant"):
        assert (method, path, getattr(browser, method)(path).get("Location")) == (method, path, "/password/change/")
    changed = _change(browser, "generated one time pw 1", "my own client passphrase")
    assert changed["Location"] == "/"
    assert browser.get("/").status_code == 200


# --- lockout --------------------------------------------------------------------------------------


def test_five_failures_lock_the_account(http, staff_user):
    browser = http(None)
    for attempt in range(4):
        assert login(browser, STAFF_EMAIL, f"wrong password {attempt}").status_code == 200
    locked = login(browser, STAFF_EMAIL, "wrong password 4")
    assert locked.status_code == 429
    assert "Too many sign-in attempts" in locked.content.decode()
    still_locked = login(browser, STAFF_EMAIL, AGENCY_PASSWORD)
    assert still_locked.status_code == 429
    assert signed_in_user_id(browser) is None
    assert AuditLog.objects.filter(action="auth.lockout", actor_email=STAFF_EMAIL).count() == 2
    # another account from the same address is not locked (lockout is per username + IP)
    assert login(http(None), ADMIN_EMAIL, AGENCY_PASSWORD).status_code == 302


# --- host-bound sessions --------------------------------------------------------------------------


def test_session_cookie_copied_to_another_client_host_is_not_signed_in(http, client_alpha, client_bravo):
    alpha = http("alpha")
    login(alpha, "owner@alpha.test", CLIENT_PASSWORD)
    stolen = alpha.cookies[settings.SESSION_COOKIE_NAME].value
    bravo = http("bravo")
    bravo.cookies[settings.SESSION_COOKIE_NAME] = stolen
    response = bravo.get("/")
    assert (response.status_code, response["Location"]) == (302, "/login/?next=/")
    # the copied session was ended, not just ignored
    assert not Session.objects.filter(session_key=stolen).exists()
    assert signed_in_user_id(bravo) is None


def test_agency_session_copied_to_a_client_host_is_not_signed_in(http):
    portal = http(None)
    login(portal, ADMIN_EMAIL, AGENCY_PASSWORD)
    alpha = http("alpha")
    alpha.cookies[settings.SESSION_COOKIE_NAME] = portal.cookies[settings.SESSION_COOKIE_NAME].value
    assert alpha.get("/")["Location"] == "/login/?next=/"


def test_client_session_copied_to_the_public_host_is_not_signed_in(http):
    alpha = http("alpha")
    login(alpha, "owner@alpha.test", CLIENT_PASSWORD)
    portal = http(None)
    portal.cookies[settings.SESSION_COOKIE_NAME] = alpha.cookies[settings.SESSION_COOKIE_NAME].value
    assert portal.get("/portal/")["Location"] == "/login/?next=/portal/"


def test_revoked_membership_ends_the_session(http):
    from controlplane.accounts.models import Membership

    alpha = http("alpha")
    login(alpha, "owner@alpha.test", CLIENT_PASSWORD)
    assert alpha.get("/").status_code == 200
    Membership.objects.filter(user__email="owner@alpha.test").delete()
    assert alpha.get("/")["Location"] == "/login/?next=/"


# --- impersonation (AX-9) -------------------------------------------------------------------------


@pytest.fixture
def admin_portal(http, admin_user):
    browser = http(None)
    assert login(browser, ADMIN_EMAIL, AGENCY_PASSWORD).status_code == 302
    return browser


def _ticket_url(admin_portal, slug: str = "alpha") -> str:
    response = admin_portal.post(f"/portal/clients/{slug}/impersonate/")
    assert response.status_code == 302
    return response["Location"]


def test_impersonation_opens_a_bannered_read_only_view(http, admin_portal, admin_user):
    url = urlsplit(_ticket_url(admin_portal))
    assert (url.scheme, url.hostname, url.port, url.path) == ("http", "alpha.shoreline.localhost", 8000,
                                                               "/impersonate/")
    [ticket] = parse_qs(url.query)["ticket"]
    alpha = http("alpha")
    redeemed = alpha.get(f"/impersonate/?ticket={ticket}")
    assert (redeemed.status_code, redeemed["Location"]) == (302, "/")
    assert signed_in_user_id(alpha) == str(admin_user.pk)
    assert alpha.session["shoreline_impersonation"] == {"schema": "c_alpha", "admin": ADMIN_EMAIL}
    dashboard = alpha.get("/")
    body = dashboard.content.decode()
    assert dashboard.status_code == 200
    assert "Viewing" in body
    assert "Alpha Co" in body
    assert ADMIN_EMAIL in body
    # single use: the same ticket does not open a second session
    again = http("alpha").get(f"/impersonate/?ticket={ticket}")
    assert again.status_code == 403
    assert "This impersonation link has already been used." in again.content.decode()


def test_ticket_for_one_client_does_not_open_another(http, admin_portal):
    [ticket] = parse_qs(urlsplit(_ticket_url(admin_portal, "alpha")).query)["ticket"]
    bravo = http("bravo")
    response = bravo.get(f"/impersonate/?ticket={ticket}")
    assert response.status_code == 403
    assert "This impersonation link is for another client." in response.content.decode()
    assert signed_in_user_id(bravo) is None


def test_forged_ticket_is_refused(http):
    alpha = http("alpha")
    response = alpha.get("/impersonate/?ticket=eyJhZG1pbiI6MX0:forged:signature")
    assert response.status_code == 403
    assert signed_in_user_id(alpha) is None


def test_staff_cannot_impersonate(http, staff_user):
    browser = http(None)
    login(browser, STAFF_EMAIL, AGENCY_PASSWORD)
    before = AuditLog.objects.filter(action="impersonation.started").count()
    response = browser.post("/portal/clients/alpha/impersonate/")
    assert response.status_code == 403
    assert AuditLog.objects.filter(action="impersonation.started").count() == before


@pytest.fixture
def impersonating(http, admin_portal):
    [ticket] = parse_qs(urlsplit(_ticket_url(admin_portal)).query)["ticket"]
    alpha = http("alpha")
    assert alpha.get(f"/impersonate/?ticket={ticket}").status_code == 302
    return alpha


@pytest.mark.parametrize("path", ["/", "/login/", "/logout/", "/password/change/", "/impersonate/"])
@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_impersonation_is_read_only(impersonating, admin_user, path, method):
    password_before = User.objects.get(pk=admin_user.pk).password
    response = getattr(impersonating, method)(path, {"current_password": AGENCY_PASSWORD,
                                                     "new_password": "x" * 20, "new_password_again": "x" * 20})
    assert response.status_code == 403
    assert response.json() == {"detail": "Impersonation is read-only."}
    # nothing happened: still impersonating, the admin's password untouched
    assert impersonating.session["shoreline_impersonation"]["schema"] == "c_alpha"
    assert User.objects.get(pk=admin_user.pk).password == password_before


def test_impersonation_end_is_the_one_write_allowed(impersonating):
    ended = impersonating.post("/impersonate/end/")
    assert ended.status_code == 200
    assert "Impersonation ended" in ended.content.decode()
    assert signed_in_user_id(impersonating) is None
    assert AuditLog.objects.filter(action="impersonation.ended", actor_email=ADMIN_EMAIL,
                                   client_slug="alpha").count() == 1
    assert impersonating.get("/")["Location"] == "/login/?next=/"


# --- generated passwords: cheap to store, full strength from the first login --------------------


def test_generated_password_hash_is_upgraded_at_first_login(http, settings, admin_user):
    from django.contrib.auth.hashers import PBKDF2PasswordHasher, identify_hasher, verify_password

    from controlplane.accounts.passwords import GENERATED_PASSWORD_ITERATIONS

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    full = PBKDF2PasswordHasher.iterations
    created = user_create(email="upgrade.me@agency.test", role=Role.STAFF, actor=admin_user)
    stored = User.objects.get(pk=created.user.pk).password
    algorithm, iterations, _salt, _digest = stored.split("$")
    assert (algorithm, int(iterations)) == ("pbkdf2_sha256", GENERATED_PASSWORD_ITERATIONS)
    assert GENERATED_PASSWORD_ITERATIONS < full
    # Same algorithm as the preferred hasher and flagged for update: Django hardens the runtime of
    # a wrong guess to the full work factor, so timing does not reveal a never-used account.
    assert identify_hasher(stored).algorithm == "pbkdf2_sha256"
    assert verify_password("a wrong guess entirely", stored) == (False, True)
    browser = http(None)
    assert login(browser, "upgrade.me@agency.test", created.one_time_password).status_code == 302
    upgraded = User.objects.get(pk=created.user.pk).password
    assert upgraded.split("$")[:2] == ["pbkdf2_sha256", str(full)]
    assert User.objects.get(pk=created.user.pk).must_change_password is True  # an upgrade is not a change


@pytest.mark.parametrize(("weak", "message"), [
    ("passwordpassword", "This password appears in lists of passwords leaked in data breaches"),
    ("qwertyuiopasdfgh", "This password is too easy to guess"),
    ("P4ssw0rd12345678", "This password appears in lists of passwords leaked in data breaches"),
    ("aaaaaaaaaaaaaaaa", "This password is too easy to guess"),
    ("summersummer2024", "This password is too easy to guess"),
])
def test_weak_and_breached_agency_passwords_are_refused_clearly(staff_browser, staff_user, weak, message):
    refused = _change(staff_browser, AGENCY_PASSWORD, weak)
    assert refused.status_code == 400
    errors = _new_errors(refused)
    assert any(e.startswith(message) for e in errors), errors
    staff_user.refresh_from_db()
    assert staff_user.check_password(AGENCY_PASSWORD)


def test_strong_passphrase_is_accepted_for_staff(staff_browser, staff_user):
    accepted = _change(staff_browser, AGENCY_PASSWORD, "lantern orbit cactus mellow")
    assert accepted.status_code == 302
    staff_user.refresh_from_db()
    assert staff_user.check_password("lantern orbit cactus mellow")
