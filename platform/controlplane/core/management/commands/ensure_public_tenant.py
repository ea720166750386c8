from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from controlplane.clients.models import Client, Domain


class Command(BaseCommand):
    help = "Create the public tenant and its domain (SHORELINE_DOMAIN) if missing. Safe to run twice."

    def handle(self, *args: Any, **options: Any) -> None:
        public, created = Client.objects.get_or_create(
            schema_name="public", defaults={"name": "Shoreline", "slug": "public"}
        )
        Domain.objects.get_or_create(domain=settings.SHORELINE_DOMAIN, defaults={"tenant": public,
                                                                                   "is_primary": True})
        self.stdout.write(f"Public tenant {'created' if created else 'present'} at {settings.SHORELINE_DOMAIN}.")
