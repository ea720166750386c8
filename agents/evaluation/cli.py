"""`python -m agents.evaluation classify|report`: run the offline classifier over JSONL files.

`main(argv)` returns an exit code so a Django management command can wrap it unchanged.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any, TextIO

from agents.detection import classify_text
from agents.embeddings import CachingEmbedder, Embedder, MiniLMEmbedder
from agents.evaluation.metrics import Span, field_score, span_score

DEFAULT_DEVSET = Path(__file__).with_name("devset.jsonl")
LABEL_FIELDS = ("lead_type", "lead_score", "sentiment", "crisis_level")


class EvaluationInputError(ValueError):
    """An input file that cannot be used, with a sentence naming the file and line."""


def _read_jsonl(path: Path, *, required: tuple[str, ...] = ("text",)) -> list[dict[str, Any]]:
    """Every non-blank line as an object having `required` (text must be a string). All or nothing:
    a bad line anywhere raises before anything is classified or written."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError as error:
        raise EvaluationInputError(f"{path}: no such file.") from error
    except IsADirectoryError as error:
        raise EvaluationInputError(f"{path}: is a directory, not a JSONL file.") from error
    except UnicodeDecodeError as error:
        raise EvaluationInputError(f"{path}: not UTF-8 text ({error.reason}).") from error
    rows: list[dict[str, Any]] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as error:
            raise EvaluationInputError(f"{path} line {number}: not valid JSON ({error.msg}).") from error
        if not isinstance(row, dict):
            raise EvaluationInputError(f"{path} line {number}: expected a JSON object like {{\"text\": \"...\"}}.")
        missing = [name for name in required if name not in row]
        if missing:
            raise EvaluationInputError(f"{path} line {number}: no {', '.join(repr(m) for m in missing)} field.")
        if not isinstance(row["text"], str):
            raise EvaluationInputError(f"{path} line {number}: \"text\" must be a string.")
        rows.append(row)
    return rows


def _default_embedder() -> Embedder:
    return CachingEmbedder(MiniLMEmbedder())


def run_classify(input_path: Path, output_path: Path, *, embedder: Embedder) -> int:
    """One output line per input line, in order. Raises EvaluationInputError before writing anything."""
    rows = _read_jsonl(input_path)
    if not output_path.parent.is_dir():
        raise EvaluationInputError(f"{output_path.parent}: the output folder does not exist.")
    records = [classify_text(row["text"], embedder=embedder).to_record() for row in rows]
    with output_path.open("w", encoding="utf-8") as out:
        for record in records:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    return len(rows)


def _spans(contacts: list[dict[str, Any]]) -> set[Span]:
    return {(str(c["label"]), int(c["start"]), int(c["end"])) for c in contacts}


def build_report(rows: list[dict[str, Any]], *, embedder: Embedder) -> dict[str, Any]:
    """Scores per split ("dev", "heldout", "all")."""
    predictions = [classify_text(row["text"], embedder=embedder).to_record() for row in rows]
    report: dict[str, Any] = {}
    for split in ("dev", "heldout", "all"):
        pairs = [(r, p) for r, p in zip(rows, predictions, strict=True) if split == "all" or r.get("split", "dev") == split]
        if not pairs:
            continue
        fields = {
            name: field_score([str(r[name]) for r, _ in pairs], [str(p[name]) for _, p in pairs])
            for name in LABEL_FIELDS
        }
        contacts = span_score([_spans(r["contacts"]) for r, _ in pairs], [_spans(p["contacts"]) for _, p in pairs])
        report[split] = {"n": len(pairs), "fields": fields, "contacts": contacts}
    return report


def _print_report(report: dict[str, Any], stream: TextIO) -> None:
    for split, body in report.items():
        stream.write(f"\n== {split} (n={body['n']}) ==\n")
        stream.write(f"{'field':<14}{'accuracy':>10}{'macro F1':>10}\n")
        for name, score in body["fields"].items():
            stream.write(f"{name:<14}{score.accuracy:>10.3f}{score.macro_f1:>10.3f}\n")
        c = body["contacts"]
        stream.write(
            f"contact spans  P={c.precision:.3f} R={c.recall:.3f} F1={c.f1:.3f} (gold {c.gold}, predicted {c.predicted})\n"
        )


def main(
    argv: list[str] | None = None,
    *,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
    embedder: Embedder | None = None,
) -> int:
    """0 on success; 2 (with one sentence on stderr) for an unusable input file."""
    stream = stdout or sys.stdout
    errors = stderr or sys.stderr
    parser = argparse.ArgumentParser(prog="python -m agents.evaluation")
    commands = parser.add_subparsers(dest="command", required=True)
    classify = commands.add_parser("classify", help="classify each {'text': ...} line of a JSONL file")
    classify.add_argument("--input", type=Path, required=True)
    classify.add_argument("--output", type=Path, required=True)
    report = commands.add_parser("report", help="accuracy / macro F1 / contact span scores on a labelled set")
    report.add_argument("--devset", type=Path, default=DEFAULT_DEVSET)
    report.add_argument("--split", choices=("dev", "heldout", "all"), default=None, help="print only this split")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    try:
        if args.command == "classify":
            _read_jsonl(args.input)  # fail fast, before the model loads
            count = run_classify(args.input, args.output, embedder=embedder or _default_embedder())
            stream.write(f"classified {count} messages in {time.perf_counter() - started:.2f}s -> {args.output}\n")
            return 0
        labelled = _read_jsonl(args.devset, required=("text", *LABEL_FIELDS, "contacts"))
    except EvaluationInputError as error:
        errors.write(f"error: {error}\n")
        return 2
    active_embedder = embedder or _default_embedder()
    result = build_report(labelled, embedder=active_embedder)
    if args.split:
        if args.split not in result:
            errors.write(f"error: {args.devset} has no {args.split!r} rows.\n")
            return 2
        result = {args.split: result[args.split]}
    _print_report(result, stream)
    stream.write(f"\n({time.perf_counter() - started:.2f}s, embedder {active_embedder.name})\n")
    return 0
