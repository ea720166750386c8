"""The one place that builds a Stripe client: real Stripe with STRIPE_SECRET_KEY, else the local server."""

from __future__ import annotations

import stripe
from django.conf import settings

# Stripe's error classes, re-exported so callers catch them without importing the SDK.
StripeError = stripe.StripeError
SignatureVerificationError = stripe.SignatureVerificationError


class BillingUnavailable(Exception):
    """Stripe could not be reached or refused the request; the message is safe to show an admin."""


def stripe_client(*, timeout: float | None = None) -> stripe.StripeClient:
    kwargs: dict[str, object] = {}
    if settings.STRIPE_API_BASE:
        kwargs["base_addresses"] = {"api": settings.STRIPE_API_BASE}
    return stripe.StripeClient(
        settings.STRIPE_SECRET_KEY or settings.STRIPE_LOCAL_SECRET_KEY,
        http_client=stripe.RequestsClient(timeout=timeout or settings.STRIPE_TIMEOUT_SECONDS),
        max_network_retries=0,  # Celery and the admin retry; a request path must not wait on retries
        **kwargs,  # type: ignore[arg-type]
    )


def webhook_secret() -> str:
    """The signing secret: the configured one, or the local server's while no Stripe key is set."""
    if settings.STRIPE_WEBHOOK_SECRET:
        return str(settings.STRIPE_WEBHOOK_SECRET)
    return "" if settings.STRIPE_SECRET_KEY else str(settings.STRIPE_LOCAL_WEBHOOK_SECRET)


def unavailable(error: Exception) -> BillingUnavailable:
    message = getattr(error, "user_message", None) or str(error).split("\n")[0][:200]
    return BillingUnavailable(f"Stripe did not accept the request: {message}")
