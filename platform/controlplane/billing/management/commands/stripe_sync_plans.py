"""`manage.py stripe_sync_plans`: every plan has its Stripe Product and Prices (run after editing plans)."""

from django.core.management.base import BaseCommand, CommandError

from controlplane.billing.gateway import BillingUnavailable
from controlplane.billing.services import plans_sync_to_stripe


class Command(BaseCommand):
    help = "Create or update the Stripe Products and Prices of every plan."

    def handle(self, *args: object, **options: object) -> None:
        try:
            changes = plans_sync_to_stripe()
        except BillingUnavailable as error:
            raise CommandError(str(error)) from error
        for line in changes:
            self.stdout.write(line)
        self.stdout.write(self.style.SUCCESS(f"Plans in sync with Stripe ({len(changes)} change(s))."))
