from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from controlplane.clients.backup import BackupError, client_restore, owner_role_check


class Command(BaseCommand):
    help = ("Restore one client from a client_backup folder (its slug must not exist here). Run as the database "
            "owner: SHORELINE_DB_ROLE=owner (the app role cannot drop or recreate schemas).")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="The backup folder (it holds manifest.json)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            owner_role_check(what="Restoring a client", command="client_restore")
        except BackupError as error:
            raise CommandError(str(error)) from error
        try:
            client = client_restore(path=Path(options["path"]))
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Restored {client.slug} into schema {client.schema_name}.")
