"""Billing fixtures: the local Stripe-compatible server over real HTTP, and signed webhook posts."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from ops.fakes.stripe_server import FakeStripe, sign_payload

WEBHOOK_SECRET = "whsec_local"  # settings.STRIPE_LOCAL_WEBHOOK_SECRET (no STRIPE_SECRET_KEY in tests)


@pytest.fixture
def fake_stripe(settings: Any) -> Iterator[FakeStripe]:
    """The SDK pointed at a fresh local Stripe (events are posted by the tests themselves)."""
    fake = FakeStripe(webhook_secret=WEBHOOK_SECRET)
    with fake.running():
        settings.STRIPE_API_BASE = fake.base_url
        yield fake


def post_event(http_client: Any, event: dict[str, Any], *, secret: str = WEBHOOK_SECRET,
               signature: str | None = None) -> Any:
    payload = json.dumps(event)
    return http_client.post("/billing/stripe/webhook", data=payload, content_type="application/json",
                            HTTP_STRIPE_SIGNATURE=signature if signature is not None else sign_payload(payload, secret))
