"""VAL-8: the admin sets a client's average sale value per lead type; complaints never count as revenue."""

from __future__ import annotations

from datetime import date

import pytest
from django_tenants.utils import schema_context

from controlplane.audit.models import AuditLog
from controlplane.clients.models import Client
from controlplane.rollups.models import ClientDailyRollup
from tenants.analytics import metrics
from tenants.analytics.models import DailyRollup, LeadValue
from tests.conftest import ADMIN_EMAIL, AGENCY_PASSWORD, STAFF_EMAIL, login

pytestmark = pytest.mark.django_db
URL = "/portal/clients/{slug}/lead-values/"
DAY = date(2026, 5, 4)


def test_complaints_are_never_revenue_whatever_value_is_stored():
    assert metrics.lead_value_cents({"complaint": 3, "pricing": 2}, {"complaint": 9_999, "pricing": 5_000}, 2_000) \
        == 10_000
    assert metrics.lead_value_cents({"complaint": 4}, {}, 2_000) == 0
    assert metrics.lead_type_value_cents("appointment", {}, 2_000) == 2_000


@pytest.fixture
def alpha_day(client_alpha):  # type: ignore[no-untyped-def]
    with schema_context(client_alpha.schema_name):
        DailyRollup.objects.create(day=DAY, leads=6, leads_by_type={"appointment": 2, "pricing": 1, "complaint": 3})
    yield
    with schema_context(client_alpha.schema_name):
        DailyRollup.objects.filter(day=DAY).delete()
        LeadValue.objects.all().delete()
    Client.objects.filter(pk=client_alpha.pk).update(avg_sale_value_cents=0)


def _form(default: str = "40", **by_type: str) -> dict[str, str]:
    return {"default": default, **{f"type_{k}": v for k, v in by_type.items()}}


def test_admin_sets_values_audited_and_the_portal_rollups_follow(http, client_alpha, client_bravo, alpha_day):
    admin = http(None)
    login(admin, ADMIN_EMAIL, AGENCY_PASSWORD)
    page = admin.get(URL.format(slug="alpha"))
    assert page.status_code == 200
    assert b'name="type_appointment"' in page.content
    assert b'name="type_complaint"' not in page.content  # nothing to set: complaints are never revenue

    response = admin.post(URL.format(slug="alpha"), _form("40", appointment="125.50", pricing=""))
    assert response.status_code == 302
    client_alpha.refresh_from_db()
    assert client_alpha.avg_sale_value_cents == 4_000
    with schema_context(client_alpha.schema_name):
        assert dict(LeadValue.objects.values_list("lead_type", "value_cents")) == {"appointment": 12_550}
    # 2 appointments × 125.50 + 1 pricing × 40 (the default); 3 complaints × 0.
    assert ClientDailyRollup.objects.get(client=client_alpha, day=DAY).lead_value_cents == 29_100
    entry = AuditLog.objects.filter(action="client.lead_values_changed").latest("id")
    assert entry.client_slug == "alpha"
    assert entry.data["default_cents"] == 4_000
    # The other client is untouched.
    with schema_context(client_bravo.schema_name):
        assert not LeadValue.objects.exists()

    # Clearing a type falls back to the default again.
    admin.post(URL.format(slug="alpha"), _form("40", appointment=""))
    with schema_context(client_alpha.schema_name):
        assert not LeadValue.objects.exists()


def test_bad_amounts_are_refused_and_nothing_changes(http, client_alpha, alpha_day):
    admin = http(None)
    login(admin, ADMIN_EMAIL, AGENCY_PASSWORD)
    response = admin.post(URL.format(slug="alpha"), _form("-5", appointment="abc"))
    assert response.status_code == 400
    assert b"Enter a number" in response.content or b"greater than or equal to 0" in response.content
    client_alpha.refresh_from_db()
    assert client_alpha.avg_sale_value_cents == 0
    with schema_context(client_alpha.schema_name):
        assert not LeadValue.objects.exists()


def test_staff_cannot_set_values(http, client_alpha, alpha_day):
    staff = http(None)
    login(staff, STAFF_EMAIL, AGENCY_PASSWORD)
    assert staff.post(URL.format(slug="alpha"), _form("99", appointment="10")).status_code == 403
    client_alpha.refresh_from_db()
    assert client_alpha.avg_sale_value_cents == 0
    assert not AuditLog.objects.filter(action="client.lead_values_changed").exists()


def test_client_users_never_reach_it(http, client_alpha, alpha_day):
    from tests.conftest import CLIENT_PASSWORD

    owner = http("alpha")
    login(owner, "owner@alpha.test", CLIENT_PASSWORD)
    # Not mounted on client hosts at all.
    assert owner.post(URL.format(slug="alpha"), _form("99")).status_code == 404
    client_alpha.refresh_from_db()
    assert client_alpha.avg_sale_value_cents == 0
