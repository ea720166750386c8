from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from controlplane.clients.backup import BackupError, client_offboard, owner_role_check


class Command(BaseCommand):
    help = ("Offboard a client: back it up, then drop its schema and public rows (audited). Run as the database "
            "owner: SHORELINE_DB_ROLE=owner (the app role cannot drop schemas the owner created).")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug")
        parser.add_argument("--confirm", required=True, help="Repeat the slug to confirm")
        parser.add_argument("--output", default=None, help="Folder for the export (default: <data dir>/backups)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            owner_role_check(what="Offboarding a client", command="client_offboard")
        except BackupError as error:
            raise CommandError(str(error)) from error
        if options["confirm"] != options["slug"]:
            raise CommandError("--confirm must repeat the slug exactly; nothing was changed.")
        output = Path(options["output"] or Path(settings.ENV.data_dir) / "backups")
        try:
            result = client_offboard(slug=options["slug"], output_dir=output)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Offboarded {options['slug']}: export at {result.path}; schema and public rows dropped.")
