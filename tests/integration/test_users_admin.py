"""Offboarding: the admin deactivates, reactivates and deletes staff and client users (audited), sees last sign-in."""

from __future__ import annotations

import pytest

from controlplane.accounts.models import Role, User
from controlplane.accounts.services import UserChangeRefused, user_create, user_deactivate, user_delete
from controlplane.audit.models import AuditLog
from tests.conftest import ADMIN_EMAIL, AGENCY_PASSWORD, STAFF_EMAIL, login

pytestmark = pytest.mark.django_db
PASSWORD = "a perfectly long staff passphrase 42"


@pytest.fixture
def colleague(admin_user):  # type: ignore[no-untyped-def]
    user = user_create(email="leaving@agency.test", role=Role.STAFF, actor=admin_user).user
    user.set_password(PASSWORD)
    user.must_change_password = False
    user.save()
    return user


def _admin(http):  # type: ignore[no-untyped-def]
    admin = http(None)
    login(admin, ADMIN_EMAIL, AGENCY_PASSWORD)
    return admin


def test_user_list_shows_last_sign_in_and_clients(http, colleague):
    signed_in = http(None)
    login(signed_in, colleague.email, PASSWORD)
    colleague.refresh_from_db()
    assert colleague.last_login is not None
    page = _admin(http).get("/portal/users/")
    assert page.status_code == 200
    html = page.content.decode()
    row = html[html.index('data-user="leaving@agency.test"'):]
    row = row[:row.index("</tr>")]
    assert ">Never<" not in row
    assert "Agency staff" in row
    owner_row = html[html.index('data-user="owner@alpha.test"'):]
    assert "Alpha Co" in owner_row[:owner_row.index("</tr>")]
    assert 'data-user="owner@bravo.test"' not in _admin(http).get("/portal/users/?role=staff").content.decode()


def test_deactivation_ends_sessions_at_once_and_is_audited(http, colleague):
    session = http(None)
    login(session, colleague.email, PASSWORD)
    assert session.get("/portal/").status_code == 200
    response = _admin(http).post(f"/portal/users/{colleague.pk}/deactivate/")
    assert response.status_code == 302
    colleague.refresh_from_db()
    assert colleague.is_active is False
    assert session.get("/portal/").status_code == 302  # signed out: back to the login page
    assert login(http(None), colleague.email, PASSWORD).status_code == 200  # the form again: refused
    assert AuditLog.objects.filter(action="user.deactivated", target_id=str(colleague.pk)).count() == 1

    _admin(http).post(f"/portal/users/{colleague.pk}/reactivate/")
    colleague.refresh_from_db()
    assert colleague.is_active is True
    assert AuditLog.objects.filter(action="user.reactivated", target_id=str(colleague.pk)).count() == 1


def test_delete_removes_the_account_and_keeps_the_audit_trail(http, colleague):
    pk = colleague.pk
    assert _admin(http).post(f"/portal/users/{pk}/delete/").status_code == 302
    assert not User.objects.filter(pk=pk).exists()
    entry = AuditLog.objects.get(action="user.deleted", target_id=str(pk))
    assert entry.data["email"] == "leaving@agency.test"


def test_staff_cannot_offboard_anyone(http, colleague):
    staff = http(None)
    login(staff, STAFF_EMAIL, AGENCY_PASSWORD)
    assert staff.get("/portal/users/").status_code == 403
    for action in ("deactivate", "delete"):
        assert staff.post(f"/portal/users/{colleague.pk}/{action}/").status_code == 403
    colleague.refresh_from_db()
    assert colleague.is_active is True
    assert not AuditLog.objects.filter(action__in=["user.deactivated", "user.deleted"]).exists()


def test_the_agency_cannot_lock_itself_out(http, admin_user):
    admin = _admin(http)
    response = admin.post(f"/portal/users/{admin_user.pk}/delete/", follow=True)
    assert "your own account" in response.content.decode()
    assert User.objects.filter(pk=admin_user.pk, is_active=True).exists()
    with pytest.raises(UserChangeRefused, match="last active platform admin"):
        user_deactivate(user=admin_user, actor=None)
    with pytest.raises(UserChangeRefused):
        user_delete(user=admin_user, actor=None)


def test_unknown_user_or_action_is_404(http, colleague):
    admin = _admin(http)
    assert admin.post("/portal/users/987654/deactivate/").status_code == 404
    assert admin.post(f"/portal/users/{colleague.pk}/promote/").status_code == 404
    colleague.refresh_from_db()
    assert colleague.is_active is True
