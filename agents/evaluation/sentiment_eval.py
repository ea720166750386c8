"""Sentiment detector against a labelled set written in the style of public review datasets
(`sentiment_devset.jsonl`; sources per item). Run:

    python -m agents.evaluation.sentiment_eval [--split dev|heldout|all] [--sweep] [--show-misses]

`--sweep` prints accuracy for candidate commit thresholds (the neutral band) on the chosen split;
tune on `dev` only, then run `heldout` once.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path
from typing import Any

from agents.detection.sentiment import SENTIMENT_COMMIT_MARGIN, classify_sentiment

DEVSET = Path(__file__).with_name("sentiment_devset.jsonl")
LABELS = ("positive", "neutral", "negative")


def evaluate(split: str = "all", *, margin: float = SENTIMENT_COMMIT_MARGIN, show_misses: bool = False) -> dict[str, Any]:
    rows = [json.loads(line) for line in DEVSET.read_text().splitlines() if line.strip()]
    rows = [r for r in rows if split == "all" or r["split"] == split]
    confusion: Counter[tuple[str, str]] = Counter()
    misses = []
    for row in rows:
        got = classify_sentiment(row["text"], margin=margin)
        confusion[(row["sentiment"], got)] += 1
        if got != row["sentiment"]:
            misses.append(f"{row['sentiment']:8} got {got:8} | {row['text']}")
    f1s = []
    per_class = {}
    for label in LABELS:
        tp = confusion[(label, label)]
        predicted = sum(v for (_, g), v in confusion.items() if g == label)
        actual = sum(v for (t, _), v in confusion.items() if t == label)
        precision = tp / predicted if predicted else 0.0
        recall = tp / actual if actual else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        f1s.append(f1)
        per_class[label] = {"precision": round(precision, 3), "recall": round(recall, 3), "n": actual}
    correct = sum(v for (t, g), v in confusion.items() if t == g)
    report: dict[str, Any] = {
        "split": split, "items": len(rows), "margin": margin,
        "accuracy": round(correct / max(1, len(rows)), 3), "macro_f1": round(sum(f1s) / len(f1s), 3),
        # The two calibration goals: neutral text stays neutral; clear opinions commit.
        "neutral_stays_neutral": per_class["neutral"]["recall"],
        "clear_opinions_commit": round(
            (confusion[("positive", "positive")] + confusion[("negative", "negative")])
            / max(1, per_class["positive"]["n"] + per_class["negative"]["n"]), 3),
        "per_class": per_class,
    }
    if show_misses:
        report["misses"] = misses
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--split", choices=("dev", "heldout", "all"), default="dev")
    parser.add_argument("--sweep", action="store_true")
    parser.add_argument("--show-misses", action="store_true")
    args = parser.parse_args()
    if args.sweep:
        for margin in (0.5, 0.75, 1.0, 1.25, 1.5, 2.0):
            r = evaluate(args.split, margin=margin)
            print(f"margin {margin:4}: accuracy {r['accuracy']:.3f} macro F1 {r['macro_f1']:.3f} "
                  f"neutral stays {r['neutral_stays_neutral']:.3f} opinions commit {r['clear_opinions_commit']:.3f}")
        return
    print(json.dumps(evaluate(args.split, show_misses=args.show_misses), indent=2))


if __name__ == "__main__":
    main()
