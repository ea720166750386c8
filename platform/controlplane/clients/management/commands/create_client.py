import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from controlplane.clients.services import ProvisioningError, client_provision


class Command(BaseCommand):
    help = "Provision a client: schema, domain <slug>.<SHORELINE_DOMAIN> and an owner with a one-time password."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--name", required=True)
        parser.add_argument("--slug", required=True)
        parser.add_argument("--industry", required=True, help="Industry mode key, e.g. restaurant")
        parser.add_argument("--plan", required=True, help="Plan key: starter, growth or pro")
        parser.add_argument("--owner-email", required=True)
        parser.add_argument("--json", action="store_true", help="Print one JSON object")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = client_provision(
                name=options["name"], slug=options["slug"], industry=options["industry"],
                plan_key=options["plan"], owner_email=options["owner_email"],
            )
        except ProvisioningError as error:
            raise CommandError(str(error)) from error
        if options["json"]:
            self.stdout.write(json.dumps(result.as_dict()))
            return
        self.stdout.write(self.style.SUCCESS(f"Client {result.client.name} created at {result.domain}."))
        self.stdout.write(f"Owner: {result.owner.email}")
        self.stdout.write(f"One-time password (shown once, must be changed at first login): "
                          f"{result.one_time_password}")
