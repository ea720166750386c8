"""Billing fixtures: the local Stripe-compatible server over real HTTP, and signed webhook posts."""

from __future__ import annotations

import json
from typing import Any

from ops.fakes.stripe_server import sign_payload

WEBHOOK_SECRET = "whsec_local"  # settings.STRIPE_LOCAL_WEBHOOK_SECRET (no STRIPE_SECRET_KEY in tests)


# `fake_stripe` (tests/conftest.py): the SDK pointed at a fresh local Stripe; these tests post the
# webhook events themselves, signed like Stripe does.


def post_event(http_client: Any, event: dict[str, Any], *, secret: str = WEBHOOK_SECRET,
               signature: str | None = None) -> Any:
    payload = json.dumps(event)
    return http_client.post("/billing/stripe/webhook", data=payload, content_type="application/json",
                            HTTP_STRIPE_SIGNATURE=signature if signature is not None else sign_payload(payload, secret))
