"""`manage.py agent_classify --input IN.jsonl --output OUT.jsonl`: the live bot's offline classifier.

Each input line is {"text": "..."}; each output line is {"lead_type", "buying_intent", "lead_score",
"sentiment", "crisis_level", "contacts": [{"label", "text", "start", "end"}]} — offsets are Python string
offsets into text, end exclusive. It runs agents.detection.detect_message with MiniLM embeddings: the
code the widget runs for every visitor message when no OpenAI key is configured — without any one bot's
configured intent keywords or extra crisis keywords, which a live bot adds as further evidence.
"""

from __future__ import annotations

import io
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from agents.evaluation.cli import main


class Command(BaseCommand):
    help = "Classify each {\"text\": ...} line of a JSONL file with the offline classifier of the live bot."
    requires_system_checks: list[str] = []  # no database, no tenant: a pure function over two files

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--input", required=True, help="JSONL, one {\"text\": \"...\"} per line")
        parser.add_argument("--output", required=True, help="JSONL written with one result per input line")

    def handle(self, *args: Any, **options: Any) -> None:
        errors = io.StringIO()
        code = main(["classify", "--input", options["input"], "--output", options["output"]],
                    stdout=self.stdout, stderr=errors)  # type: ignore[arg-type]
        if code:
            raise CommandError(errors.getvalue().strip().removeprefix("error: "), returncode=code)
