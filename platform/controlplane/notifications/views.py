"""Agency pages of the notification layer (public host) and Twilio's inbound SMS webhook.

Admins change who gets what; agency staff may read the delivery log. Every page names its client in
the URL and reads only that client's rows (a delivery id of another client answers 404).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST
from twilio.request_validator import RequestValidator

from controlplane.accounts.decorators import admin_required, agency_required
from controlplane.clients.models import Client
from controlplane.clients.selectors import client_get, public_url
from controlplane.notifications import selectors, services
from controlplane.notifications.forms import QuietHoursForm, RecipientForm, WebhookForm
from controlplane.notifications.webhooks import UnsafeWebhookUrl


def _client_or_404(slug: str) -> Client:
    client = client_get(slug=slug)
    if client is None:
        raise Http404("No such client.")
    return client


def _settings_page(request: HttpRequest, client: Client, *, status: int = 200, **forms: Any) -> HttpResponse:
    current = selectors.notification_settings_for(client=client)
    context = {
        "client": client, "settings": current,
        "recipients": selectors.recipient_list(client=client),
        "endpoints": selectors.webhook_endpoint_list(client=client),
        "recipient_form": forms.get("recipient_form") or RecipientForm(),
        "quiet_form": forms.get("quiet_form") or QuietHoursForm(
            initial={"quiet_start": current.quiet_start, "quiet_end": current.quiet_end}),
        "webhook_form": forms.get("webhook_form") or WebhookForm(),
        "new_secret": forms.get("new_secret"),
    }
    return render(request, "notifications/portal_settings.html", context, status=status)


@require_GET
@admin_required
def notification_settings(request: HttpRequest, slug: str) -> HttpResponse:
    return _settings_page(request, _client_or_404(slug))


@require_POST
@admin_required
def recipient_add(request: HttpRequest, slug: str) -> HttpResponse:
    client = _client_or_404(slug)
    form = RecipientForm(request.POST)
    if not form.is_valid():
        return _settings_page(request, client, status=400, recipient_form=form)
    services.recipient_create(client=client, actor=request.user, request=request, **form.cleaned_data)
    messages.success(request, f"{form.cleaned_data['name']} will get these alerts.")
    return redirect("notifications:settings", slug=client.slug)


@require_POST
@admin_required
def recipient_remove(request: HttpRequest, slug: str, recipient_id: int) -> HttpResponse:
    client = _client_or_404(slug)
    if not services.recipient_delete(client=client, recipient_id=recipient_id, actor=request.user, request=request):
        raise Http404("No such recipient.")
    messages.success(request, "Recipient removed.")
    return redirect("notifications:settings", slug=client.slug)


@require_POST
@admin_required
def quiet_hours_save(request: HttpRequest, slug: str) -> HttpResponse:
    client = _client_or_404(slug)
    form = QuietHoursForm(request.POST)
    if not form.is_valid():
        return _settings_page(request, client, status=400, quiet_form=form)
    services.notification_settings_update(client=client, actor=request.user, request=request, **form.cleaned_data)
    messages.success(request, "Quiet hours saved.")
    return redirect("notifications:settings", slug=client.slug)


@require_POST
@admin_required
def webhook_add(request: HttpRequest, slug: str) -> HttpResponse:
    client = _client_or_404(slug)
    form = WebhookForm(request.POST)
    if form.is_valid():
        try:
            created = services.webhook_endpoint_create(client=client, url=form.cleaned_data["url"],
                                                       kinds=form.cleaned_data["kinds"], actor=request.user,
                                                       request=request)
        except UnsafeWebhookUrl as error:
            form.add_error("url", str(error))
        else:
            # The secret is shown on this response only; it is never displayed again.
            return _settings_page(request, client, new_secret=created)
    return _settings_page(request, client, status=400, webhook_form=form)


@require_POST
@admin_required
def webhook_remove(request: HttpRequest, slug: str, endpoint_id: int) -> HttpResponse:
    client = _client_or_404(slug)
    if not services.webhook_endpoint_delete(client=client, endpoint_id=endpoint_id, actor=request.user,
                                            request=request):
        raise Http404("No such webhook endpoint.")
    messages.success(request, "Webhook endpoint turned off.")
    return redirect("notifications:settings", slug=client.slug)


@require_GET
@agency_required
def delivery_log(request: HttpRequest, slug: str) -> HttpResponse:
    client = _client_or_404(slug)
    return render(request, "notifications/portal_log.html",
                  {"client": client, "deliveries": selectors.delivery_log(client=client)})


@require_POST
@admin_required
def delivery_replay(request: HttpRequest, slug: str, delivery_id: int) -> HttpResponse:
    client = _client_or_404(slug)
    if services.delivery_replay(delivery_id=delivery_id, client_id=client.pk) is None:
        raise Http404("No such webhook delivery.")
    messages.success(request, "The webhook will be sent again in a moment.")
    return redirect("notifications:log", slug=client.slug)


@require_GET
@admin_required
def sent_messages(request: HttpRequest) -> HttpResponse:
    return render(request, "notifications/sent_messages.html", {"found": selectors.fake_outbox_contents()})


@csrf_exempt
@require_POST
def twilio_inbound(request: HttpRequest) -> HttpResponse:
    """Replies to our SMS number (Twilio's webhook). Only requests Twilio signed are believed."""
    token = settings.TWILIO_AUTH_TOKEN
    signature = request.headers.get("X-Twilio-Signature", "")
    if not token or not RequestValidator(token).validate(public_url(request.get_full_path()), request.POST.dict(),
                                                         signature):
        raise PermissionDenied("Invalid Twilio signature.")
    services.sms_inbound_keyword(phone=request.POST.get("From", ""), body=request.POST.get("Body", ""))
    # Twilio itself answers STOP/START with its standard confirmation; we add nothing.
    return HttpResponse('<?xml version="1.0" encoding="UTF-8"?><Response></Response>', content_type="text/xml")
