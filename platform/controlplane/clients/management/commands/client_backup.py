from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from controlplane.clients.backup import BackupError, client_backup


class Command(BaseCommand):
    help = "Back up one client: its schema (pg_dump) and its public rows (JSON), from one snapshot."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug")
        parser.add_argument("--output", default=None, help="Folder for the backup (default: <data dir>/backups)")

    def handle(self, *args: Any, **options: Any) -> None:
        output = Path(options["output"] or Path(settings.ENV.data_dir) / "backups")
        try:
            result = client_backup(slug=options["slug"], output_dir=output)
        except BackupError as error:
            raise CommandError(str(error)) from error
        rows = sum(result.manifest["public_rows"].values())
        self.stdout.write(f"Backed up {options['slug']} to {result.path} ({rows} public rows + schema dump).")
