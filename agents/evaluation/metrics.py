"""Accuracy, macro F1 and span precision/recall/F1: plain, dependency-free definitions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class FieldScore:
    accuracy: float
    macro_f1: float
    support: int


def field_score(gold: Sequence[str], predicted: Sequence[str]) -> FieldScore:
    """Macro F1 averages over labels present in gold or predictions (absent-everywhere labels are skipped)."""
    if not gold:
        return FieldScore(0.0, 0.0, 0)
    accuracy = sum(g == p for g, p in zip(gold, predicted, strict=True)) / len(gold)
    f1s = []
    for label in sorted(set(gold) | set(predicted)):
        tp = sum(g == label and p == label for g, p in zip(gold, predicted, strict=True))
        fp = sum(g != label and p == label for g, p in zip(gold, predicted, strict=True))
        fn = sum(g == label and p != label for g, p in zip(gold, predicted, strict=True))
        f1s.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return FieldScore(accuracy, sum(f1s) / len(f1s), len(gold))


@dataclass(frozen=True, slots=True)
class SpanScore:
    precision: float
    recall: float
    f1: float
    gold: int
    predicted: int


Span = tuple[str, int, int]


def span_score(gold: Sequence[set[Span]], predicted: Sequence[set[Span]]) -> SpanScore:
    """Exact-match spans: label, start and end must all agree."""
    tp = sum(len(g & p) for g, p in zip(gold, predicted, strict=True))
    n_gold = sum(len(g) for g in gold)
    n_pred = sum(len(p) for p in predicted)
    precision = tp / n_pred if n_pred else 1.0
    recall = tp / n_gold if n_gold else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return SpanScore(precision, recall, f1, n_gold, n_pred)
