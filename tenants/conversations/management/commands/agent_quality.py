"""`manage.py agent_quality [--devset PATH] [--split dev|heldout|all]`: accuracy and F1 of the offline
classifier on a labelled JSONL set (default: agents/evaluation/devset.jsonl; figures in docs/quality.md)."""

from __future__ import annotations

import io
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from agents.evaluation.cli import DEFAULT_DEVSET, main


class Command(BaseCommand):
    help = "Report accuracy, macro F1 and contact-span F1 of the offline classifier on a labelled set."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--devset", default=str(DEFAULT_DEVSET),
                            help="labelled JSONL: text, lead_type, lead_score, sentiment, crisis_level, contacts")
        parser.add_argument("--split", choices=("dev", "heldout", "all"), default=None,
                            help="print only this split")

    def handle(self, *args: Any, **options: Any) -> None:
        argv = ["report", "--devset", options["devset"]]
        if options["split"]:
            argv += ["--split", options["split"]]
        errors = io.StringIO()
        code = main(argv, stdout=self.stdout, stderr=errors)  # type: ignore[arg-type]
        if code:
            raise CommandError(errors.getvalue().strip().removeprefix("error: "), returncode=code)
