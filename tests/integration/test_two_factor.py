"""SEC-4: TOTP two-step sign-in (django-otp) for agency accounts; required for the platform admin
when OTP_REQUIRED_FOR_PLATFORM_ADMIN is on (production settings)."""

from __future__ import annotations

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from controlplane.audit.models import AuditLog
from tests.conftest import ADMIN_EMAIL, AGENCY_PASSWORD, STAFF_EMAIL, host_for

pytestmark = pytest.mark.django_db


def _code(device: TOTPDevice, drift: int = 0) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=drift):06d}"


def _reset_throttle(device: TOTPDevice) -> None:
    device.refresh_from_db()
    device.throttling_failure_count = 0
    device.throttling_failure_timestamp = None
    device.save()


def _sign_in(http, email: str, code: str = ""):  # type: ignore[no-untyped-def]
    browser = http(None)
    response = browser.post("/login/", {"username": email, "password": AGENCY_PASSWORD, "otp_code": code})
    return browser, response


def _enable(browser, user) -> TOTPDevice:  # type: ignore[no-untyped-def]
    page = browser.get("/account/two-factor/")
    assert page.status_code == 200
    assert b"data:image/svg+xml" in page.content
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    wrong = browser.post("/account/two-factor/", {"code": "000000" if _code(device) != "000000" else "111111"},
                         follow=True)
    assert "That code is not right" in wrong.content.decode()
    _reset_throttle(device)  # django-otp slows down guessing after a failure; the test does not wait
    assert browser.post("/account/two-factor/", {"code": _code(device)}).status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    return device


def test_staff_turns_on_two_step_and_then_needs_a_code(http, staff_user):
    browser, response = _sign_in(http, STAFF_EMAIL)
    assert response.status_code == 302
    device = _enable(browser, staff_user)
    assert AuditLog.objects.filter(action="user.two_factor_enabled", actor_email=STAFF_EMAIL).exists()

    _, missing = _sign_in(http, STAFF_EMAIL)
    assert missing.status_code == 200
    assert "Enter the 6-digit code from your authenticator app." in missing.content.decode()
    _, wrong = _sign_in(http, STAFF_EMAIL, "123456" if _code(device) != "123456" else "654321")
    assert "That authentication code is not right" in wrong.content.decode()
    _reset_throttle(device)
    browser, ok = _sign_in(http, STAFF_EMAIL, _code(device, drift=1))
    assert ok.status_code == 302
    assert browser.get("/portal/").status_code == 200


def test_admin_is_sent_to_setup_when_two_step_is_required(http, settings, admin_user):
    settings.OTP_REQUIRED_FOR_PLATFORM_ADMIN = True
    browser, response = _sign_in(http, ADMIN_EMAIL)
    assert response.status_code == 302
    blocked = browser.get("/portal/")
    assert (blocked.status_code, blocked["Location"]) == (302, "/account/two-factor/")
    _enable(browser, admin_user)
    assert browser.get("/portal/").status_code == 200  # verified in this session now
    # and it cannot be turned off while required
    device = TOTPDevice.objects.get(user=admin_user)
    off = browser.post("/account/two-factor/", {"action": "disable", "code": _code(device)}, follow=True)
    assert "required for the platform admin" in off.content.decode()
    assert TOTPDevice.objects.filter(user=admin_user, confirmed=True).exists()


def test_production_settings_require_two_step_for_the_admin():
    from pathlib import Path

    source = (Path(__file__).resolve().parents[2] / "platform/config/settings/production.py").read_text()
    assert "OTP_REQUIRED_FOR_PLATFORM_ADMIN = True" in source


def test_client_host_login_has_no_code_field(http, client_alpha):
    browser = http("alpha")
    page = browser.get("/login/")
    assert page.status_code == 200
    assert b'name="otp_code"' not in page.content
    assert host_for("alpha") in browser.defaults.get("HTTP_HOST", host_for("alpha"))
