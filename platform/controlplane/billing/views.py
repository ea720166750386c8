"""`/billing/stripe/webhook` on the public host: Stripe's only way in (signature-checked)."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from controlplane.billing.webhooks import BadWebhook, webhook_receive

MAX_WEBHOOK_BYTES = 512 * 1024


@csrf_exempt  # Stripe cannot hold a CSRF token; the signature authenticates the request instead
@require_POST
def stripe_webhook(request: HttpRequest) -> JsonResponse:
    if len(request.body) > MAX_WEBHOOK_BYTES:
        return JsonResponse({"error": "The payload is too large."}, status=413)
    try:
        event, applied = webhook_receive(payload=request.body,
                                         signature=request.headers.get("Stripe-Signature", ""))
    except BadWebhook as error:
        return JsonResponse({"error": str(error)}, status=400)
    return JsonResponse({"received": True, "duplicate": not applied, "id": event.stripe_event_id if event else ""})
