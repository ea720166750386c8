"""Sign-in, forced password change (SEC-5) and host separation (SEC-7), in a real browser."""

from __future__ import annotations

import pytest

from tests.browser.shoreline_browser import NEW_PASSWORD, sign_in
from tests.conftest import ADMIN_EMAIL, AGENCY_PASSWORD, CLIENT_PASSWORD


@pytest.fixture
def new_admin(site):  # type: ignore[no-untyped-def]
    from controlplane.accounts.models import Role
    from controlplane.accounts.services import user_create

    return user_create(email="fresh-admin@agency.test", role=Role.PLATFORM_ADMIN)


@pytest.fixture
def new_client_user(site):  # type: ignore[no-untyped-def]
    from controlplane.accounts.models import Role
    from controlplane.accounts.services import user_create
    from controlplane.clients.models import Client

    return user_create(email="fresh@alpha.test", role=Role.CLIENT, client=Client.objects.get(slug="alpha"))


def test_admin_signs_in_on_the_public_host_and_lands_in_the_portal(site, new_page):
    page = new_page()
    sign_in(page, site.public("/login/"), ADMIN_EMAIL, AGENCY_PASSWORD)
    assert page.url == site.public("/portal/")
    assert page.get_by_role("heading", level=1).inner_text() == "Clients"
    assert page.get_by_role("link", name="Alpha Co").is_visible()


def test_wrong_password_shows_an_inline_error_and_keeps_the_email(site, new_page):
    page = new_page()
    sign_in(page, site.public("/login/"), ADMIN_EMAIL, "not the password at all")
    assert page.url == site.public("/login/")
    assert "correct email" in page.get_by_role("alert").inner_text().lower()
    assert page.input_value("#id_username") == ADMIN_EMAIL


def test_forced_password_change_on_the_public_host(site, new_page, new_admin):
    page = new_page()
    sign_in(page, site.public("/login/"), new_admin.user.email, new_admin.one_time_password)
    assert page.url.startswith(site.public("/password/change/"))
    assert page.get_by_role("note").inner_text().startswith("Your account was created with a one-time password")
    # Nothing else is reachable until the password is changed.
    page.goto(site.public("/portal/"))
    assert page.url.startswith(site.public("/password/change/"))
    # A mismatch is reported inline, on the field, with the form kept.
    page.fill("#id_current_password", new_admin.one_time_password)
    page.fill("#id_new_password", NEW_PASSWORD)
    page.fill("#id_new_password_again", NEW_PASSWORD + " typo")
    page.click("button[type=submit]:has-text('Change password')")
    assert page.get_attribute("#id_new_password_again", "aria-invalid") == "true"
    assert page.inner_text("#id_new_password_again_error") == "The two new passwords do not match."
    page.fill("#id_current_password", new_admin.one_time_password)
    page.fill("#id_new_password", NEW_PASSWORD)
    page.fill("#id_new_password_again", NEW_PASSWORD)
    page.click("button[type=submit]:has-text('Change password')")
    page.wait_for_url(site.public("/portal/"))
    assert "Your password has been changed." in page.locator("[data-toast-region]").inner_text()


def test_forced_password_change_on_a_client_host(site, new_page, new_client_user):
    page = new_page(width=375, height=812)
    sign_in(page, site.client("alpha", "/login/"), new_client_user.user.email, new_client_user.one_time_password)
    assert page.url.startswith(site.client("alpha", "/password/change/"))
    page.fill("#id_current_password", new_client_user.one_time_password)
    page.fill("#id_new_password", NEW_PASSWORD)
    page.fill("#id_new_password_again", NEW_PASSWORD)
    page.click("button[type=submit]:has-text('Change password')")
    page.wait_for_url(site.client("alpha", "/"))
    assert page.get_by_role("heading", level=1).inner_text() == "Welcome, Alpha Co"
    # UX-2: the client's name is in the top bar.
    assert page.locator(".topbar .brand__name").inner_text() == "Alpha Co"


def test_client_user_cannot_reach_the_portal(site, new_page):
    page = new_page()
    # Client credentials are refused on the agency host with the same words as a wrong password.
    sign_in(page, site.public("/login/"), "owner@alpha.test", CLIENT_PASSWORD)
    assert page.url == site.public("/login/")
    assert "correct email" in page.get_by_role("alert").inner_text().lower()
    # Signed in on their own host, the portal is still out of reach: not mounted there...
    sign_in(page, site.client("alpha", "/login/"), "owner@alpha.test", CLIENT_PASSWORD)
    assert page.url == site.client("alpha", "/")
    response = page.goto(site.client("alpha", "/portal/"))
    assert response is not None
    assert response.status == 404
    response = page.goto(site.client("alpha", "/styleguide/"))
    assert response is not None
    assert response.status == 404
    # ...and the agency host does not know the session.
    page.goto(site.public("/portal/"))
    assert page.url.startswith(site.public("/login/"))
    # Another client's host refuses the same credentials.
    sign_in(page, site.client("bravo", "/login/"), "owner@alpha.test", CLIENT_PASSWORD)
    assert page.url == site.client("bravo", "/login/")


def test_sign_out_shows_the_signed_out_page(site, new_page):
    page = new_page()
    sign_in(page, site.client("bravo", "/login/"), "owner@bravo.test", CLIENT_PASSWORD)
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(site.client("bravo", "/login/"))  # LOGOUT_REDIRECT_URL
    assert page.get_by_role("heading", level=1).inner_text() == "Welcome back"
    page.goto(site.client("bravo", "/"))
    assert page.url.startswith(site.client("bravo", "/login/"))
