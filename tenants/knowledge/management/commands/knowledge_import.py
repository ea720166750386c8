"""python manage.py knowledge_import --client SLUG FILE.yaml [--publish]"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_tenants.utils import schema_context

from controlplane.clients.models import Client
from tenants.bots.selectors import bot_primary
from tenants.knowledge.importing import CliActor, ImportFileError, knowledge_import, parse_import_file


class Command(BaseCommand):
    help = ("Load a client's business facts, services, FAQs and articles from a YAML file as a draft, "
            "or approved and published with --publish.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--client", required=True, help="the client's slug")
        parser.add_argument("file", help="the YAML file (business, services, faqs, articles)")
        parser.add_argument("--publish", action="store_true", help="approve and publish instead of keeping a draft")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        client = Client.objects.filter(slug=options["client"]).exclude(schema_name="public").first()
        if client is None:
            raise CommandError(f"No client with the slug '{options['client']}'.")
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"Cannot read {path}: {error}") from None
        try:
            payload = parse_import_file(text)
        except ImportFileError as error:
            raise CommandError(f"{path}: {error}. Nothing was imported.") from None
        with schema_context(client.schema_name):
            bot = bot_primary()
            if bot is None:
                raise CommandError(f"Client '{client.slug}' has no bot.")
            try:
                result = knowledge_import(bot=bot, payload=payload, publish=options["publish"],
                                          actor=CliActor("knowledge_import"), source_name=path.name)
            except ValidationError as error:
                raise CommandError(" ".join(error.messages) + " Nothing was imported.") from None
        state = "approved and published" if result.published else "saved as a draft for review"
        self.stdout.write(f"{client.slug}: version {result.version_number} {state}; {result.faqs} FAQ(s)"
                          + (f", {result.articles} article(s)" if result.published else
                             f"; {len(payload.articles)} article(s) held back (articles load with --publish)"))
