"""VAL-8: the form behind the agency's lead-value page. Amounts are dollars with cents; stored as cents."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from agents.detection.labels import LEAD_TYPES
from tenants.analytics.metrics import NO_REVENUE_LEAD_TYPES

VALUED_LEAD_TYPES = tuple(t for t in LEAD_TYPES if t not in NO_REVENUE_LEAD_TYPES)
MAX_DOLLARS = Decimal("1000000")


def lead_type_label(lead_type: str) -> str:
    return lead_type.replace("_", " ").capitalize()


def _dollars(required: bool, label: str, help_text: str = "") -> forms.DecimalField:
    return forms.DecimalField(required=required, label=label, help_text=help_text, min_value=Decimal(0),
                              max_value=MAX_DOLLARS, decimal_places=2, max_digits=9)


def _cents(value: Decimal | None) -> int | None:
    return None if value is None else int((value * 100).to_integral_value())


class LeadValueForm(forms.Form):
    default = _dollars(True, "Average sale value", "Used for every lead type without its own value.")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for lead_type in VALUED_LEAD_TYPES:
            self.fields[f"type_{lead_type}"] = _dollars(False, lead_type_label(lead_type),
                                                       "Leave empty to use the average.")

    @staticmethod
    def initial_from(*, default_cents: int, values: dict[str, int]) -> dict[str, Decimal]:
        initial = {"default": Decimal(default_cents) / 100}
        for lead_type, cents in values.items():
            if lead_type in VALUED_LEAD_TYPES:
                initial[f"type_{lead_type}"] = Decimal(cents) / 100
        return initial

    def default_cents(self) -> int:
        return _cents(self.cleaned_data["default"]) or 0

    def values_cents(self) -> dict[str, int | None]:
        return {t: _cents(self.cleaned_data.get(f"type_{t}")) for t in VALUED_LEAD_TYPES}
