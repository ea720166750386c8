"""Five deliveries of one Stripe event at the same moment, over real HTTP to a live server with its
own database connections, change state once (unique event id + one transaction per event).

The test's own transaction is invisible to the server's threads, so the rows it needs are
committed from a helper thread (its own autocommit connection) and removed again afterwards.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest
import requests

from controlplane.notifications.models import OutboxEvent
from ops.fakes.stripe_server import FakeStripe, sign_payload
from tests.conftest import PUBLIC_HOST
from tests.integration.billing.conftest import WEBHOOK_SECRET

pytestmark = pytest.mark.django_db


def committed(fn):  # type: ignore[no-untyped-def]
    """Run fn on another thread's connection (autocommit), outside this test's transaction."""
    from django.db import connections

    box: dict[str, object] = {}

    def run() -> None:
        try:
            box["value"] = fn()
        except BaseException as error:  # noqa: BLE001 — re-raised on the test's thread
            box["error"] = error
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=60)
    if "error" in box:
        raise box["error"]  # type: ignore[misc]
    return box.get("value")


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 — stdlib signature
        return


@pytest.fixture
def live_public_host() -> Iterator[str]:
    from django.core.handlers.wsgi import WSGIHandler
    from django.db import connections

    handler = WSGIHandler()

    def app(environ, start_response):  # type: ignore[no-untyped-def]
        try:
            return list(handler(environ, start_response))
        finally:
            connections.close_all()  # each request thread's own connection, so the test DB can be dropped

    server = make_server("127.0.0.1", 0, app, server_class=_ThreadingServer, handler_class=_Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_five_concurrent_deliveries_change_state_once(live_public_host):
    from controlplane.audit.models import AuditLog
    from controlplane.billing.models import BillingAccount, Invoice, WebhookEvent
    from controlplane.clients.models import Client

    customer_id = f"cus_concurrent{uuid.uuid4().hex[:10]}"
    invoice_number = f"CONC-{uuid.uuid4().hex[:6]}"
    def prepare():  # type: ignore[no-untyped-def]
        alpha = Client.objects.get(slug="alpha")
        saved = BillingAccount.objects.filter(client=alpha).values().first()
        BillingAccount.objects.update_or_create(client=alpha, defaults={
            "stripe_customer_id": customer_id, "payment_failed_at": None, "paused_for_payment": False})
        return alpha, saved

    alpha, saved = committed(prepare)
    event = FakeStripe().event("invoice.payment_failed", {
        "id": f"in_{uuid.uuid4().hex[:12]}", "object": "invoice", "customer": customer_id, "number": invoice_number,
        "status": "open", "currency": "usd", "amount_due": 4900, "amount_paid": 0, "created": 1_790_000_000,
        "period_start": 1_790_000_000, "period_end": 1_792_592_000, "hosted_invoice_url": "", "invoice_pdf": ""})
    import json

    payload = json.dumps(event)
    barrier = threading.Barrier(5)
    results: list[tuple[int, dict]] = []
    lock = threading.Lock()

    def deliver() -> None:
        barrier.wait()
        response = requests.post(f"{live_public_host}/billing/stripe/webhook", data=payload, timeout=30, headers={
            "Host": PUBLIC_HOST, "Content-Type": "application/json",
            "Stripe-Signature": sign_payload(payload, WEBHOOK_SECRET)})
        with lock:
            results.append((response.status_code, response.json()))

    threads = [threading.Thread(target=deliver) for _ in range(5)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert sorted(status for status, _ in results) == [200] * 5
        assert sorted(body["duplicate"] for _, body in results) == [False, True, True, True, True]
        counts = committed(lambda: (
            WebhookEvent.objects.filter(stripe_event_id=event["id"]).count(),
            Invoice.objects.filter(number=invoice_number).count(),
            AuditLog.objects.filter(action="billing.payment_failed", data__invoice=invoice_number).count(),
            BillingAccount.objects.get(client=alpha).payment_failed_at is not None))
        assert counts == (1, 1, 1, True)
    finally:
        def restore() -> None:
            # The failed payment's agency alert was committed too: later tests count alpha's outbox.
            OutboxEvent.objects.filter(client=alpha, kind__startswith="billing.").delete()
            WebhookEvent.objects.filter(stripe_event_id=event["id"]).delete()
            Invoice.objects.filter(number=invoice_number).delete()
            BillingAccount.objects.filter(client=alpha).delete()
            if saved:
                BillingAccount.objects.create(**saved)

        committed(restore)


def test_offline_loop_plan_change_subscription_invoice_webhook_history(live_public_host):
    """The `make demo` loop: the admin's plan change creates the subscription in the local Stripe,
    which issues an invoice and delivers signed webhooks to the live server; the owner's Billing
    page then lists the invoice."""
    import time

    from django.conf import settings

    from controlplane.accounts.models import User
    from controlplane.billing.models import BillingAccount, Invoice, Plan, WebhookEvent
    from controlplane.clients.models import Client
    from controlplane.clients.services import client_change_plan
    from tests.integration.bots.support import client_host_as_owner

    fake = FakeStripe(webhook_url=f"{live_public_host}/billing/stripe/webhook", webhook_host=PUBLIC_HOST,
                      webhook_secret=WEBHOOK_SECRET)
    with fake.running():
        original_base = settings.STRIPE_API_BASE
        settings.STRIPE_API_BASE = fake.base_url

        def prepare():  # type: ignore[no-untyped-def]
            alpha = Client.objects.select_related("plan").get(slug="alpha")
            saved = BillingAccount.objects.filter(client=alpha).values().first()
            BillingAccount.objects.filter(client=alpha).delete()
            client_change_plan(client=alpha, plan_key="pro", actor=User.objects.get(email="admin@agency.test"))
            return alpha, saved

        saved = committed(lambda: BillingAccount.objects.filter(client__slug="alpha").values().first())
        try:
            alpha, _ = committed(prepare)
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline and not committed(
                    lambda: Invoice.objects.filter(client__slug="alpha", status="paid").exists()):
                time.sleep(0.2)
            invoice = committed(lambda: Invoice.objects.filter(client__slug="alpha").first())
            assert invoice is not None, fake.delivered
            assert invoice.number.startswith("LOCAL-")
            assert invoice.amount_due_cents == 39900
            assert {d["status"] for d in fake.delivered} == {200}
            page = client_host_as_owner("alpha").get("/billing/").content.decode()
            assert invoice.number in page
            assert invoice.hosted_invoice_url in page
        finally:
            settings.STRIPE_API_BASE = original_base

            def restore() -> None:
                alpha = Client.objects.get(slug="alpha")
                OutboxEvent.objects.filter(client=alpha, kind__startswith="billing.").delete()
                Invoice.objects.filter(client=alpha).delete()
                WebhookEvent.objects.filter(payload__data__object__customer__startswith="cus_").filter(
                    type__in=[d["type"] for d in fake.delivered]).delete()
                Client.objects.filter(pk=alpha.pk).update(plan=Plan.objects.get(key="growth"))
                # The plans now point at this test's local Stripe, which is gone.
                Plan.objects.update(stripe_product_id="", stripe_price_id="", stripe_overage_price_id="",
                                    stripe_synced_price_cents=None, stripe_synced_overage_cents=None)
                BillingAccount.objects.filter(client=alpha).delete()
                if saved:
                    BillingAccount.objects.create(**saved)

            committed(restore)
