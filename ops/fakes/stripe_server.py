"""A small local Stripe-compatible HTTP server for the demo and the tests (loopback only).

Why not `localstripe` (PyPI): with our locked stripe SDK (16.x) it answers customers and products,
but 404s on `/v1/prices`, `/v1/billing_portal/sessions` and `/v1/billing/meter_events`, three of
the endpoints billing needs (see docs/decisions/0018-billing-with-stripe.md).

It speaks the real wire format for exactly what controlplane.billing uses: form-encoded requests
with bracketed keys (`items[0][price]=...`), JSON objects carrying `object` and Stripe-style ids
(cus_, prod_, price_, sub_, si_, in_, bps_, mtr_, evt_), list envelopes, `Idempotency-Key` replay,
errors as `{"error": {...}}`. Subscription creates and changes issue a paid invoice (a change
prorates the price difference) and, when a webhook URL is set, deliver signed events
(`Stripe-Signature: t=...,v1=HMAC_SHA256(secret, "t.payload")`) so the whole loop runs offline.

    with FakeStripe(webhook_url=..., webhook_secret=...).running() as fake:
        fake.base_url  # http://127.0.0.1:PORT

    python -m ops.fakes.stripe_server --port 8420 --webhook-url http://127.0.0.1:8000/billing/stripe/webhook \
        --webhook-host shoreline.localhost:8000 --webhook-secret whsec_local
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

_KEY_PART = re.compile(r"\[([^\]]*)\]")


def decode_form(body: str) -> dict[str, Any]:
    """Stripe's form encoding (`a[b][0][c]=v`) back into nested dicts and lists."""
    root: dict[str, Any] = {}
    for raw_key, value in parse_qsl(body, keep_blank_values=True):
        head = raw_key.split("[", 1)[0]
        parts = [head, *_KEY_PART.findall(raw_key[len(head):])]
        node: Any = root
        for index, part in enumerate(parts):
            last = index == len(parts) - 1
            nxt = None if last else parts[index + 1]
            key: Any = int(part) if isinstance(node, list) else part
            if isinstance(node, list):
                while len(node) <= key:
                    node.append(None)
            if last:
                node[key] = value
                break
            child = node[key] if (isinstance(node, list) or key in node) else None
            if child is None:
                child = [] if nxt is not None and nxt.isdigit() else {}
                node[key] = child
            node = child
    return root


def sign_payload(payload: str, secret: str, timestamp: int | None = None) -> str:
    """The `Stripe-Signature` header Stripe sends with a webhook."""
    t = int(time.time()) if timestamp is None else timestamp
    signature = hmac.new(secret.encode(), f"{t}.{payload}".encode(), hashlib.sha256).hexdigest()
    return f"t={t},v1={signature}"


class StripeError(Exception):
    def __init__(self, status: int, message: str, code: str = "resource_missing",
                 kind: str = "invalid_request_error") -> None:
        super().__init__(message)
        self.status, self.message, self.code, self.kind = status, message, code, kind


def _id(prefix: str) -> str:
    return f"{prefix}_{secrets.token_hex(7)}"


def _int(value: Any, default: int = 0) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


@dataclass
class FakeStripe:
    webhook_url: str = ""
    webhook_host: str = ""
    webhook_secret: str = "whsec_local"  # noqa: S105 — the offline server's own test secret
    # The demo keeps its objects across restarts (our database remembers their ids).
    state_file: str = ""
    base_url: str = ""
    objects: dict[str, dict[str, Any]] = field(default_factory=dict)
    meter_events: list[dict[str, Any]] = field(default_factory=list)
    requests: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)
    delivered: list[dict[str, Any]] = field(default_factory=list)
    _idempotent: dict[str, tuple[int, dict[str, Any]]] = field(default_factory=dict)
    _lock: threading.RLock = field(default_factory=threading.RLock, repr=False)
    _invoice_number: int = 0

    # --- objects ---------------------------------------------------------------------------------

    def _store(self, obj: dict[str, Any]) -> dict[str, Any]:
        self.objects[obj["id"]] = obj
        return obj

    def _get(self, object_id: str, kind: str) -> dict[str, Any]:
        obj = self.objects.get(object_id)
        if obj is None or obj["object"] != kind or obj.get("deleted"):
            raise StripeError(404, f"No such {kind}: '{object_id}'")
        return obj

    def _list(self, kind: str, **filters: Any) -> dict[str, Any]:
        rows = [o for o in self.objects.values() if o["object"] == kind and not o.get("deleted")
                and all(o.get(k) == v for k, v in filters.items() if v is not None)]
        rows.sort(key=lambda o: o.get("created", 0), reverse=True)
        return {"object": "list", "data": rows, "has_more": False, "url": f"/v1/{kind}s"}

    def _invoice(self, sub: dict[str, Any], amount: int, reason: str, *, paid: bool = True) -> dict[str, Any]:
        self._invoice_number += 1
        now = int(time.time())
        invoice_id = _id("in")
        invoice = self._store({
            "id": invoice_id, "object": "invoice", "customer": sub["customer"], "subscription": sub["id"],
            "number": f"LOCAL-{self._invoice_number:04d}", "currency": "usd", "amount_due": amount,
            "amount_paid": amount if paid else 0, "amount_remaining": 0 if paid else amount,
            "status": "paid" if paid else "open", "billing_reason": reason, "created": now,
            "period_start": sub["current_period_start"], "period_end": sub["current_period_end"],
            "hosted_invoice_url": f"{self.base_url}/invoices/{invoice_id}",
            "invoice_pdf": f"{self.base_url}/invoices/{invoice_id}/pdf", "livemode": False,
            "lines": {"object": "list", "data": [], "has_more": False},
        })
        self.emit("invoice.paid" if paid else "invoice.payment_failed", invoice)
        return invoice

    def _price_amount(self, items: list[dict[str, Any]]) -> int:
        total = 0
        for item in items:
            price = self.objects.get(item["price"]["id"], {})
            if price.get("recurring", {}).get("usage_type") != "metered":
                total += _int(price.get("unit_amount")) * _int(item.get("quantity"), 1)
        return total

    def _items(self, sub_id: str, raw: list[dict[str, Any]] | None, old: list[dict[str, Any]]) -> list[dict[str, Any]]:
        items = {i["id"]: i for i in old}
        for entry in raw or []:
            if entry is None:
                continue
            if entry.get("id") and entry["id"] in items:
                if entry.get("deleted") == "true":
                    items.pop(entry["id"])
                    continue
                if entry.get("price"):
                    items[entry["id"]]["price"] = self._get(entry["price"], "price")
                continue
            price = self._get(entry["price"], "price")
            metered = price.get("recurring", {}).get("usage_type") == "metered"
            item = {"id": _id("si"), "object": "subscription_item", "subscription": sub_id, "price": price,
                    "quantity": None if metered else _int(entry.get("quantity"), 1)}
            items[item["id"]] = item
        return list(items.values())

    # --- routes ----------------------------------------------------------------------------------

    def handle(self, method: str, path: str, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        parts = [p for p in path.split("/") if p][1:]  # drop "v1"
        now = int(time.time())
        with self._lock:
            match (method, parts):
                case ("POST", ["customers"]):
                    return 200, self._store({"id": _id("cus"), "object": "customer", "created": now,
                                             "email": params.get("email"), "name": params.get("name"),
                                             "metadata": params.get("metadata", {}), "livemode": False})
                case ("GET", ["customers", cid]):
                    return 200, self._get(cid, "customer")
                case ("DELETE", ["customers", cid]):
                    customer = self._get(cid, "customer")
                    customer["deleted"] = True
                    self.emit("customer.deleted", {**customer, "deleted": True})
                    return 200, {"id": cid, "object": "customer", "deleted": True}
                case ("POST", ["products"]):
                    return 200, self._store({"id": params.get("id") or _id("prod"), "object": "product",
                                             "name": params.get("name"), "active": True, "created": now,
                                             "metadata": params.get("metadata", {})})
                case ("POST", ["products", pid]):
                    product = self._get(pid, "product")
                    product.update({k: v for k, v in params.items() if k in ("name", "metadata")})
                    if "active" in params:
                        product["active"] = params["active"] == "true"
                    return 200, product
                case ("GET", ["products", pid]):
                    return 200, self._get(pid, "product")
                case ("POST", ["prices"]):
                    recurring = dict(params.get("recurring") or {})
                    return 200, self._store({
                        "id": _id("price"), "object": "price", "product": params["product"], "active": True,
                        "currency": params.get("currency", "usd"), "unit_amount": _int(params.get("unit_amount")),
                        "recurring": {"interval": recurring.get("interval", "month"),
                                      "usage_type": recurring.get("usage_type", "licensed"),
                                      "meter": recurring.get("meter")},
                        "lookup_key": params.get("lookup_key"), "metadata": params.get("metadata", {}),
                        "created": now})
                case ("POST", ["prices", pid]):
                    price = self._get(pid, "price")
                    if "active" in params:
                        price["active"] = params["active"] == "true"
                    return 200, price
                case ("GET", ["prices", pid]):
                    return 200, self._get(pid, "price")
                case ("GET", ["billing", "meters"]):
                    return 200, self._list("billing.meter")
                case ("POST", ["billing", "meters"]):
                    return 200, self._store({"id": _id("mtr"), "object": "billing.meter", "created": now,
                                             "event_name": params["event_name"],
                                             "display_name": params.get("display_name"), "status": "active"})
                case ("POST", ["billing", "meter_events"]):
                    identifier = params.get("identifier") or _id("mev")
                    if any(e["identifier"] == identifier for e in self.meter_events):
                        raise StripeError(400, f"An event already exists with identifier {identifier}.",
                                          code="duplicate_meter_event")
                    event = {"object": "billing.meter_event", "event_name": params["event_name"],
                             "identifier": identifier, "payload": params.get("payload", {}),
                             "timestamp": _int(params.get("timestamp"), now), "created": now, "livemode": False}
                    self.meter_events.append(event)
                    return 200, event
                case ("POST", ["subscriptions"]):
                    customer = self._get(params["customer"], "customer")
                    sub_id = _id("sub")
                    sub = {"id": sub_id, "object": "subscription", "customer": customer["id"], "status": "active",
                           "created": now, "current_period_start": now, "current_period_end": now + 30 * 86400,
                           "metadata": params.get("metadata", {}), "cancel_at_period_end": False}
                    sub["items"] = {"object": "list", "data": self._items(sub_id, params.get("items"), []),
                                    "has_more": False}
                    self._store(sub)
                    self.emit("customer.subscription.created", sub)
                    sub["latest_invoice"] = self._invoice(sub, self._price_amount(sub["items"]["data"]),
                                                          "subscription_create")["id"]
                    return 200, sub
                case ("GET", ["subscriptions", sid]):
                    return 200, self._get(sid, "subscription")
                case ("POST", ["subscriptions", sid]):
                    sub = self._get(sid, "subscription")
                    before = self._price_amount(sub["items"]["data"])
                    sub["items"]["data"] = self._items(sid, params.get("items"), sub["items"]["data"])
                    sub["metadata"].update(params.get("metadata", {}))
                    self.emit("customer.subscription.updated", sub)
                    difference = self._price_amount(sub["items"]["data"]) - before
                    if params.get("proration_behavior", "create_prorations") != "none" and difference:
                        share = max(0.0, (sub["current_period_end"] - now) / (30 * 86400))
                        sub["latest_invoice"] = self._invoice(sub, max(0, round(difference * share)),
                                                              "subscription_update")["id"]
                    return 200, sub
                case ("DELETE", ["subscriptions", sid]):
                    sub = self._get(sid, "subscription")
                    sub["status"] = "canceled"
                    self.emit("customer.subscription.deleted", sub)
                    return 200, sub
                case ("GET", ["invoices"]):
                    return 200, self._list("invoice", customer=params.get("customer"))
                case ("GET", ["invoices", iid]):
                    return 200, self._get(iid, "invoice")
                case ("POST", ["billing_portal", "sessions"]):
                    customer = self._get(params["customer"], "customer")
                    session_id = _id("bps")
                    return 200, self._store({"id": session_id, "object": "billing_portal.session",
                                             "customer": customer["id"], "return_url": params.get("return_url"),
                                             "created": now, "expires_at": now + 300, "livemode": False,
                                             "url": f"{self.base_url}/p/session/{session_id}"})
        raise StripeError(404, f"Unrecognized request URL ({method}: {path}).", code="")

    # --- webhooks --------------------------------------------------------------------------------

    def event(self, kind: str, obj: dict[str, Any]) -> dict[str, Any]:
        return {"id": _id("evt"), "object": "event", "type": kind, "api_version": "2025-10-29.clover",
                "created": int(time.time()), "livemode": False, "data": {"object": json.loads(json.dumps(obj))}}

    def emit(self, kind: str, obj: dict[str, Any]) -> dict[str, Any]:
        """Deliver one signed event to the webhook URL (in the background, as Stripe does)."""
        event = self.event(kind, obj)
        if self.webhook_url:
            threading.Thread(target=self.deliver, args=(event,), daemon=True).start()
        return event

    def deliver(self, event: dict[str, Any]) -> int:
        payload = json.dumps(event)
        request = urllib.request.Request(self.webhook_url, data=payload.encode(), method="POST", headers={  # noqa: S310
            "Content-Type": "application/json", "Stripe-Signature": sign_payload(payload, self.webhook_secret),
            **({"Host": self.webhook_host} if self.webhook_host else {})})
        try:
            with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 — our loopback URL
                status = response.status
        except urllib.error.HTTPError as error:
            status = error.code
        except OSError:
            status = 0
        with self._lock:
            self.delivered.append({"type": event["type"], "id": event["id"], "status": status})
        return status

    # --- HTTP ------------------------------------------------------------------------------------

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        state = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 — stdlib signature
                return

            def _answer(self, status: int, payload: dict[str, Any] | str, content_type: str = "application/json") -> None:
                data = (payload if isinstance(payload, str) else json.dumps(payload)).encode()
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                self.send_header("Request-Id", _id("req"))
                self.end_headers()
                self.wfile.write(data)

            def _serve(self, method: str) -> None:
                url = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode() if length else ""
                params = decode_form(body if method == "POST" else url.query)
                if not url.path.startswith("/v1/"):
                    # What a person opening a hosted invoice or portal link sees offline.
                    self._answer(200, f"<!doctype html><title>Local Stripe</title><h1>Local Stripe</h1>"
                                      f"<p>{url.path}</p>", "text/html; charset=utf-8")
                    return
                if not (self.headers.get("Authorization") or "").startswith("Bearer sk_"):
                    self._answer(401, {"error": {"type": "invalid_request_error",
                                                 "message": "You did not provide an API key."}})
                    return
                key = self.headers.get("Idempotency-Key")
                with state._lock:
                    state.requests.append((method, url.path, params))
                    if key and method == "POST" and key in state._idempotent:
                        self._answer(*state._idempotent[key])
                        return
                    try:
                        status, payload = state.handle(method, url.path, params)
                    except StripeError as error:
                        status, payload = error.status, {"error": {
                            "type": error.kind, "code": error.code, "message": error.message}}
                    except (KeyError, TypeError) as error:
                        status, payload = 400, {"error": {"type": "invalid_request_error", "code": "parameter_missing",
                                                          "message": f"Missing required param: {error}."}}
                    if key and method == "POST":
                        state._idempotent[key] = (status, payload)
                    if method != "GET":
                        state.save()
                self._answer(status, payload)

            def do_GET(self) -> None:
                self._serve("GET")

            def do_POST(self) -> None:
                self._serve("POST")

            def do_DELETE(self) -> None:
                self._serve("DELETE")

        return Handler

    def save(self) -> None:
        if self.state_file:
            with open(self.state_file, "w") as out:
                json.dump({"objects": self.objects, "meter_events": self.meter_events,
                           "invoice_number": self._invoice_number}, out)

    def load(self) -> None:
        try:
            with open(self.state_file) as source:
                data = json.load(source)
        except (OSError, ValueError):
            return
        self.objects, self.meter_events = data["objects"], data["meter_events"]
        self._invoice_number = data["invoice_number"]

    @contextmanager
    def running(self, port: int = 0) -> Iterator[FakeStripe]:
        if self.state_file:
            self.load()
        server = ThreadingHTTPServer(("127.0.0.1", port), self._handler())
        server.daemon_threads = True
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        self.base_url = f"http://127.0.0.1:{server.server_address[1]}"
        try:
            yield self
        finally:
            server.shutdown()
            server.server_close()


def main() -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m ops.fakes.stripe_server")
    parser.add_argument("--port", type=int, default=8420)
    parser.add_argument("--webhook-url", default="")
    parser.add_argument("--webhook-host", default="")
    parser.add_argument("--webhook-secret", default="whsec_local")
    parser.add_argument("--state-file", default="", help="keep objects across restarts in this JSON file")
    args = parser.parse_args()
    fake = FakeStripe(webhook_url=args.webhook_url, webhook_host=args.webhook_host,
                      webhook_secret=args.webhook_secret, state_file=args.state_file)
    with fake.running(args.port):
        print(f"local Stripe on {fake.base_url}", flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            return 0


if __name__ == "__main__":
    raise SystemExit(main())
