"""Demo only: every client gets a demo recipient (SMS + email) and a webhook to the local receiver,
so a hot lead, a crisis or a handoff in the demo shows up on the "Sent messages" page."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from controlplane.clients.models import Client
from controlplane.notifications.models import PERSON_KINDS, WEBHOOK_KINDS, Recipient, WebhookEndpoint
from controlplane.notifications.services import recipient_create, webhook_endpoint_create


class Command(BaseCommand):
    help = "Demo recipients and a webhook to the local receiver for every client (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        for number, client in enumerate(Client.objects.exclude(schema_name="public").order_by("pk"), start=1):
            if not Recipient.objects.filter(client=client).exists():
                recipient_create(client=client, name="Demo owner", phone=f"+1555010{number:04d}",
                                 email=f"owner@{client.slug}.example", sms_kinds=list(PERSON_KINDS),
                                 email_kinds=list(PERSON_KINDS), weekly_summary=True,
                                 sms_opt_in_note="Demo data: consent assumed")
            receiver = settings.NOTIFICATIONS_DEMO_RECEIVER_URL
            if receiver and not WebhookEndpoint.objects.filter(client=client, active=True).exists():
                webhook_endpoint_create(client=client, url=f"{receiver}/{client.slug}", kinds=list(WEBHOOK_KINDS))
        self.stdout.write("notification demo data ready")
