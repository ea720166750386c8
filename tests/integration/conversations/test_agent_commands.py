"""manage.py agent_classify / agent_quality: the live bot's offline classifier over JSONL files."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

ROOT = Path(__file__).resolve().parents[3]
INPUT = [
    '{"text": "Hi, I\'m Sam Rivera. Call me at (415) 555-0133 or email sam@example.com about a table for 6 tonight."}',
    "",
    '{"text": "What are your opening hours on Sunday?"}',
    '{"text": "The food was cold and the waiter was rude.", "id": 7}',
    '{"text": "I don\'t want to be alive anymore"}',
]
EXPECTED = [
    '{"lead_type": "appointment", "buying_intent": 1.0, "lead_score": "hot", "sentiment": "neutral", '
    '"crisis_level": "none", "contacts": [{"label": "name", "text": "Sam Rivera", "start": 8, "end": 18}, '
    '{"label": "phone", "text": "(415) 555-0133", "start": 31, "end": 45}, '
    '{"label": "email", "text": "sam@example.com", "start": 55, "end": 70}]}',
    '{"lead_type": "hours_location", "buying_intent": 0.385, "lead_score": "warm", "sentiment": "neutral", '
    '"crisis_level": "none", "contacts": []}',
    '{"lead_type": "complaint", "buying_intent": 0.006, "lead_score": "cold", "sentiment": "negative", '
    '"crisis_level": "none", "contacts": []}',
    '{"lead_type": "other", "buying_intent": 0.0, "lead_score": "cold", "sentiment": "negative", '
    '"crisis_level": "crisis", "contacts": []}',
]


def _write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_classify_writes_one_exact_line_per_input_line(tmp_path: Path) -> None:
    source, target = _write(tmp_path / "in.jsonl", INPUT), tmp_path / "out.jsonl"
    out = io.StringIO()
    call_command("agent_classify", "--input", str(source), "--output", str(target), stdout=out)
    assert out.getvalue().startswith("classified 4 messages in ")
    assert out.getvalue().rstrip().endswith(f"-> {target}")
    lines = target.read_text(encoding="utf-8").splitlines()
    assert lines == EXPECTED


def test_contact_offsets_are_python_string_offsets_end_exclusive(tmp_path: Path) -> None:
    texts = ["Reach me: jo@ex.co", "¡Hola! Soy Ana — mi número es +1 602 555 0143", "📞 602-555-0143 please"]
    source, target = _write(tmp_path / "in.jsonl", [json.dumps({"text": t}) for t in texts]), tmp_path / "o.jsonl"
    call_command("agent_classify", "--input", str(source), "--output", str(target), stdout=io.StringIO())
    results = [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]
    spans = [[(c["label"], c["start"], c["end"]) for c in r["contacts"]] for r in results]
    # Non-ASCII before a span ("¡", "—", an emoji) must not shift offsets: they count code points.
    assert spans == [[("email", 10, 18)], [("phone", 30, 45)], [("phone", 2, 14)]]
    for text, result in zip(texts, results, strict=True):
        for contact in result["contacts"]:
            assert text[contact["start"]:contact["end"]] == contact["text"]


@pytest.mark.parametrize(
    ("lines", "problem"),
    [
        (['{"text": "fine"}', '{"text": "no closing brace"'], "line 2: not valid JSON (Expecting ',' delimiter)."),
        (['{"text": "fine"}', "", '{"message": "hi"}'], "line 3: no 'text' field."),
        (['{"text": 42}'], 'line 1: "text" must be a string.'),
        (['["text"]'], 'line 1: expected a JSON object like {"text": "..."}.'),
    ],
)
def test_classify_refuses_a_bad_line_and_writes_nothing(tmp_path: Path, lines: list[str], problem: str) -> None:
    source, target = _write(tmp_path / "in.jsonl", lines), tmp_path / "out.jsonl"
    with pytest.raises(CommandError) as raised:
        call_command("agent_classify", "--input", str(source), "--output", str(target), stdout=io.StringIO())
    assert str(raised.value) == f"{source} {problem}"
    assert raised.value.returncode == 2
    assert not target.exists()


def test_classify_missing_input_exits_non_zero_with_a_sentence(tmp_path: Path) -> None:
    missing, target = tmp_path / "nope.jsonl", tmp_path / "out.jsonl"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    done = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "agent_classify", "--input", str(missing), "--output", str(target)],
        capture_output=True, text=True, env=env, cwd=ROOT, timeout=120, check=False,
    )
    assert done.returncode == 2
    assert done.stderr.strip() == f"CommandError: {missing}: no such file."
    assert not target.exists()


def test_classify_output_folder_must_exist(tmp_path: Path) -> None:
    source = _write(tmp_path / "in.jsonl", ['{"text": "hi"}'])
    with pytest.raises(CommandError, match="the output folder does not exist"):
        call_command("agent_classify", "--input", str(source), "--output", str(tmp_path / "no" / "out.jsonl"))


def _labelled(text: str, lead_type: str, lead_score: str, sentiment: str, crisis: str, split: str,
              contacts: list[dict[str, object]] | None = None) -> str:
    return json.dumps({"text": text, "split": split, "lead_type": lead_type, "lead_score": lead_score,
                       "sentiment": sentiment, "crisis_level": crisis, "contacts": contacts or []})


DEVSET = [
    _labelled("What are your opening hours on Sunday?", "hours_location", "warm", "neutral", "none", "dev"),
    _labelled("The food was cold and the waiter was rude.", "complaint", "cold", "negative", "none", "dev"),
    _labelled("Call me at (415) 555-0133 about a table for 6 tonight", "appointment", "warm", "neutral", "none",
              "heldout", [{"label": "phone", "text": "(415) 555-0133", "start": 11, "end": 25}]),
]


def test_quality_reports_accuracy_and_f1_per_split(tmp_path: Path) -> None:
    devset = _write(tmp_path / "dev.jsonl", DEVSET)
    out = io.StringIO()
    call_command("agent_quality", "--devset", str(devset), stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[-1].startswith("(")
    assert lines[-1].endswith("s, embedder all-MiniLM-L6-v2)")
    assert lines[:-1] == [
        "",
        "== dev (n=2) ==",
        "field           accuracy  macro F1",
        "lead_type          1.000     1.000",
        "lead_score         1.000     1.000",
        "sentiment          1.000     1.000",
        "crisis_level       1.000     1.000",
        "contact spans  P=1.000 R=1.000 F1=1.000 (gold 0, predicted 0)",
        "",
        "== heldout (n=1) ==",
        "field           accuracy  macro F1",
        "lead_type          1.000     1.000",
        "lead_score         0.000     0.000",
        "sentiment          1.000     1.000",
        "crisis_level       1.000     1.000",
        "contact spans  P=1.000 R=1.000 F1=1.000 (gold 1, predicted 1)",
        "",
        "== all (n=3) ==",
        "field           accuracy  macro F1",
        "lead_type          1.000     1.000",
        "lead_score         0.667     0.556",
        "sentiment          1.000     1.000",
        "crisis_level       1.000     1.000",
        "contact spans  P=1.000 R=1.000 F1=1.000 (gold 1, predicted 1)",
        "",
    ]


def test_quality_one_split_and_refusals(tmp_path: Path) -> None:
    devset = _write(tmp_path / "dev.jsonl", DEVSET[:2])
    out = io.StringIO()
    call_command("agent_quality", "--devset", str(devset), "--split", "dev", stdout=out)
    assert "== dev (n=2) ==" in out.getvalue()
    assert "== all" not in out.getvalue()
    with pytest.raises(CommandError, match=r"has no 'heldout' rows\.$"):
        call_command("agent_quality", "--devset", str(devset), "--split", "heldout", stdout=io.StringIO())
    with pytest.raises(CommandError, match=r"nope\.jsonl: no such file\.$"):
        call_command("agent_quality", "--devset", str(tmp_path / "nope.jsonl"), stdout=io.StringIO())
    unlabelled = _write(tmp_path / "raw.jsonl", ['{"text": "hi"}'])
    with pytest.raises(CommandError, match=r"line 1: no 'lead_type', 'lead_score', 'sentiment', 'crisis_level', "
                                           r"'contacts' field\.$"):
        call_command("agent_quality", "--devset", str(unlabelled), stdout=io.StringIO())


def test_the_shipped_devset_is_valid_and_large_enough() -> None:
    from agents.evaluation.cli import DEFAULT_DEVSET, LABEL_FIELDS, _read_jsonl

    rows = _read_jsonl(DEFAULT_DEVSET, required=("text", *LABEL_FIELDS, "contacts"))
    assert len(rows) >= 100
    for row in rows:
        for contact in row["contacts"]:
            assert row["text"][contact["start"]:contact["end"]] == contact["text"]
