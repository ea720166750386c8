"""BEY-2: signed outgoing webhooks, checked with an independent implementation of the scheme."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import timedelta

import pytest
from django.utils import timezone

from controlplane.notifications.models import Delivery, DeliveryStatus, EventKind, WebhookEndpoint
from controlplane.notifications.outbox import delivery_send, outbox_event_plan
from controlplane.notifications.services import notification_emit, webhook_endpoint_create
from controlplane.notifications.webhooks import UnsafeWebhookUrl, outbound_url_check
from tests.conftest import ADMIN_EMAIL, AGENCY_PASSWORD, login

pytestmark = pytest.mark.django_db


def reference_verify(header: str, body: bytes, secret: str, tolerance_s: int = 300) -> bool:
    """How a receiver checks our signature, written from the documented scheme only."""
    parts = dict(item.split("=", 1) for item in header.split(","))
    timestamp = int(parts["t"])
    if abs(timezone.now().timestamp() - timestamp) > tolerance_s:
        return False
    expected = hmac.new(secret.encode(), f"{timestamp}.{body.decode()}".encode(), hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, parts["v1"])


def _emit(client, key, kind=EventKind.LEAD_CREATED):
    event = notification_emit(client_id=client.pk, kind=kind, dedupe_key=f"webhook-test:{key}",
                              payload={"lead": {"id": 5, "name": "Dana", "email": "dana@example.com"}})
    return event, [delivery_send(delivery_id=d) for d in outbox_event_plan(event_id=event.pk)]


def test_delivery_is_signed_and_verifies_with_a_reference_implementation(client_alpha, receiver):
    created = webhook_endpoint_create(client=client_alpha, url=f"{receiver.base_url}/crm",
                                      kinds=["lead.created", "handoff.requested"])
    event, sent = _emit(client_alpha, "signed")
    assert sent == ["sent"]
    [hit] = receiver.snapshot()
    body = hit["body"].encode()
    assert reference_verify(hit["signature"], body, created.secret)
    assert not reference_verify(hit["signature"], body, created.secret + "x")
    assert not reference_verify(hit["signature"], body.replace(b"Dana", b"Eve"), created.secret)
    payload = json.loads(body)
    assert payload == {"id": f"evt_{event.pk}", "type": "lead.created", "created": int(event.created_at.timestamp()),
                       "client": "alpha", "data": {"lead": {"id": 5, "name": "Dana", "email": "dana@example.com"}}}
    assert hit["event_type"] == "lead.created"
    # Not subscribed to crisis: nothing goes to this endpoint.
    _, sent = _emit(client_alpha, "crisis", kind=EventKind.CRISIS)
    assert sent == []


def test_failed_webhook_retries_with_backoff_and_replay_resends_the_same_event(http, client_alpha, receiver,
                                                                               django_capture_on_commit_callbacks):
    webhook_endpoint_create(client=client_alpha, url=f"{receiver.base_url}/crm", kinds=["lead.created"])
    receiver.fail_next = [500, 500]
    event, sent = _emit(client_alpha, "retry")
    assert sent == ["retrying"]
    delivery = Delivery.objects.get(event=event)
    assert timedelta(seconds=55) < delivery.next_attempt_at - timezone.now() <= timedelta(seconds=60)
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
    assert delivery_send(delivery_id=delivery.pk) == "retrying"
    delivery.refresh_from_db()
    assert timedelta(seconds=115) < delivery.next_attempt_at - timezone.now() <= timedelta(seconds=120)  # doubled
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
    assert delivery_send(delivery_id=delivery.pk) == "sent"
    # Replay from the log (admin): the same event id and body, a fresh signature.
    admin = http(None)
    login(admin, ADMIN_EMAIL, AGENCY_PASSWORD)
    with django_capture_on_commit_callbacks(execute=False):
        assert admin.post(f"/portal/clients/alpha/notifications/log/{delivery.pk}/replay/").status_code == 302
    assert delivery_send(delivery_id=delivery.pk) == "sent"
    bodies = [h["body"] for h in receiver.snapshot() if "body" in h and f'"id":"evt_{event.pk}"' in h["body"]]
    assert len(bodies) == 2
    assert bodies[0] == bodies[1]


def test_retries_stop_after_a_day(client_alpha, receiver):
    webhook_endpoint_create(client=client_alpha, url=f"{receiver.base_url}/crm", kinds=["lead.created"])
    receiver.fail_next = [503]
    event = notification_emit(client_id=client_alpha.pk, kind=EventKind.LEAD_CREATED, dedupe_key="wh:old",
                              payload={})
    type(event).objects.filter(pk=event.pk).update(created_at=timezone.now() - timedelta(hours=23, minutes=59))
    [delivery_id] = outbox_event_plan(event_id=event.pk)
    assert delivery_send(delivery_id=delivery_id) == "failed"
    assert Delivery.objects.get(pk=delivery_id).status == DeliveryStatus.FAILED


@pytest.mark.parametrize("url", ["http://127.0.0.1/x", "http://localhost:8000/", "http://10.1.2.3/hook",
                                 "http://169.254.169.254/latest/meta-data/", "ftp://example.com/",
                                 "http://[::1]/", "https://user:pw@example.com/"])
def test_private_or_odd_urls_are_refused(url):
    with pytest.raises(UnsafeWebhookUrl):
        outbound_url_check(url)


def test_admin_form_refuses_a_private_url_and_shows_the_secret_once(http, client_alpha, receiver, settings):
    admin = http(None)
    login(admin, ADMIN_EMAIL, AGENCY_PASSWORD)
    refused = admin.post("/portal/clients/alpha/notifications/webhooks/",
                         {"url": "http://169.254.169.254/latest/", "kinds": ["lead.created"]})
    assert refused.status_code == 400
    assert "points to a private or internal network" in refused.content.decode()
    assert not WebhookEndpoint.objects.filter(client=client_alpha).exists()
    added = admin.post("/portal/clients/alpha/notifications/webhooks/",
                       {"url": f"{receiver.base_url}/crm", "kinds": ["lead.created"]})
    assert added.status_code == 200
    endpoint = WebhookEndpoint.objects.get(client=client_alpha)
    assert endpoint.secret in added.content.decode()
    assert endpoint.secret not in admin.get("/portal/clients/alpha/notifications/").content.decode()
