"""python manage.py bot_chat --client SLUG --input IN.jsonl --output OUT.jsonl

Each input line {"conversation": "c1", "text": "..."}; lines with the same conversation id are one
conversation, in order. Every line runs the widget's own path: detection, the graph and persistence.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_tenants.utils import schema_context

from controlplane.clients.models import Client
from tenants.bots.selectors import bot_primary, bot_published_config
from tenants.conversations.services import bot_chat_turn


class Command(BaseCommand):
    help = "Run visitor messages from a JSONL file through a client's bot, writing one JSON result per line."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--client", required=True, help="the client's slug")
        parser.add_argument("--input", required=True, help='JSONL: {"conversation": "c1", "text": "..."} per line')
        parser.add_argument("--output", required=True, help="JSONL file to write, one result per input line")

    def handle(self, *args: Any, **options: Any) -> None:
        client = Client.objects.filter(slug=options["client"]).exclude(schema_name="public").first()
        if client is None:
            raise CommandError(f"No client with the slug '{options['client']}'.")
        lines = _read_input(Path(options["input"]))
        conversations: dict[str, Any] = {}
        results = []
        with schema_context(client.schema_name):
            bot = bot_primary()
            if bot is None:
                raise CommandError(f"Client '{client.slug}' has no bot.")
            config = bot_published_config(bot)
            for conversation_key, text in lines:
                record, conversations[conversation_key] = bot_chat_turn(
                    bot=bot, config=config, client=client, conversation_key=conversation_key, text=text,
                    conversation_id=conversations.get(conversation_key))
                results.append(record)
        Path(options["output"]).write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in results),
                                           encoding="utf-8")
        self.stdout.write(f"{len(results)} turn(s) in {len(conversations)} conversation(s) -> {options['output']}")


def _read_input(path: Path) -> list[tuple[str, str]]:
    try:
        raw = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise CommandError(f"Cannot read {path}: {error}") from None
    lines = []
    for number, line in enumerate(raw, start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as error:
            raise CommandError(f"{path} line {number}: not JSON ({error.msg})") from None
        if not isinstance(item, dict) or not isinstance(item.get("text"), str) or not item["text"].strip():
            raise CommandError(f'{path} line {number}: needs {{"conversation": "...", "text": "..."}}')
        unknown = set(item) - {"conversation", "text"}
        if unknown:
            raise CommandError(f"{path} line {number}: unknown key(s) {', '.join(sorted(unknown))}")
        lines.append((str(item.get("conversation") or f"line-{number}"), item["text"]))
    return lines
