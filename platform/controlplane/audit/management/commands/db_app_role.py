from django.core.management.base import BaseCommand
from django.db import connection

from controlplane.audit.roles import app_role_ensure


class Command(BaseCommand):
    help = ("Create/grant the role the application runs as (run as the owner role after migrate): full use of "
            "product tables, only SELECT and INSERT on the audit log.")

    def add_arguments(self, parser) -> None:  # type: ignore[no-untyped-def]
        parser.add_argument("role")
        parser.add_argument("--password", default=None)

    def handle(self, *args: object, **options: object) -> None:
        with connection.cursor() as cursor:
            app_role_ensure(cursor, role=str(options["role"]), database=connection.settings_dict["NAME"],
                            password=options["password"] or None)  # type: ignore[arg-type]
        self.stdout.write(f"Role {options['role']} may use the product tables and only read and append the audit log.")
