"""Issue 16: portal times are in the client's zone on pages about one client (the zone named in words)
and in UTC, labelled "UTC", on cross-client pages; never a raw zone key."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from controlplane.errorlog.models import ErrorGroup
from controlplane.notifications.models import Delivery, EventKind, OutboxEvent
from tests.integration.bots.support import portal_as

pytestmark = pytest.mark.django_db
AT = datetime(2026, 6, 8, 15, 30, tzinfo=UTC)  # 11:30 in New York (EDT)


@pytest.fixture
def alpha_in_new_york(client_alpha):  # type: ignore[no-untyped-def]
    client_alpha.timezone = "America/New_York"
    client_alpha.save(update_fields=["timezone"])
    return client_alpha


def test_a_client_page_shows_the_clients_zone_and_names_it(alpha_in_new_york) -> None:
    event = OutboxEvent.objects.create(client=alpha_in_new_york, kind=EventKind.LEAD_HOT, dedupe_key="t:times")
    delivery = Delivery.objects.create(event=event, client=alpha_in_new_york, channel="email",
                                       recipient="owner@alpha.test", idempotency_key="k", status="sent")
    Delivery.objects.filter(pk=delivery.pk).update(created_at=AT)
    body = portal_as("admin").get("/portal/clients/alpha/notifications/log/").content.decode()
    assert "Jun 8, 11:30" in body
    assert "Jun 8, 15:30" not in body
    assert "(New York time)" in body
    assert "America/New_York" not in body


def test_a_cross_client_page_shows_utc_and_says_so(alpha_in_new_york) -> None:
    ErrorGroup.objects.create(kind="server", client_slug="alpha", fingerprint="f" * 64, title="Boom in a view",
                              count=1, first_seen=AT, last_seen=AT)
    body = portal_as("admin").get("/portal/errors/").content.decode()
    assert "Jun 8, 15:30 UTC" in body
    assert "11:30" not in body
