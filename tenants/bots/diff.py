"""KB-5: a field-level, readable diff of two bot configurations."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

_LABELS = {
    "persona": "Persona", "business": "Business info", "widget": "Widget", "routing": "Contact routing",
    "intents": "Intents", "triggers": "Triggers", "quick_replies": "Quick replies", "crisis": "Crisis",
    "dragon_mode": "Dragon Mode", "booking_url": "Booking link", "fallback_message": "Fallback message",
    "paused_message": "Paused message", "over_limit_message": "Over-limit message", "lead_fields": "Lead fields",
    "industry_mode": "Industry mode", "schema_version": "Schema version",
}


@dataclass(frozen=True)
class FieldChange:
    path: str  # e.g. "business.phone", "intents[2].keywords"
    label: str  # "Business info › phone"
    old: str
    new: str

    @property
    def kind(self) -> str:
        if self.old == "—":
            return "added"
        if self.new == "—":
            return "removed"
        return "changed"


def _flatten(value: Any, path: str, out: dict[str, str]) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            _flatten(item, f"{path}.{key}" if path else key, out)
    elif isinstance(value, list | tuple) and any(isinstance(v, dict | list) for v in value):
        for index, item in enumerate(value):
            _flatten(item, f"{path}[{index}]", out)
    elif isinstance(value, list | tuple):
        out[path] = ", ".join(str(v) for v in value) if value else "(none)"
    elif value is None or value == "":
        out[path] = "(empty)"
    else:
        out[path] = str(value)


def _label(path: str) -> str:
    head, _, rest = path.partition(".")
    base, bracket, index = head.partition("[")
    label = _LABELS.get(base, base.replace("_", " ").capitalize())
    if bracket:
        label += f" #{int(index.rstrip(']')) + 1}"
    return f"{label} › {rest.replace('_', ' ')}" if rest else label


def config_diff(old: dict[str, Any], new: dict[str, Any]) -> list[FieldChange]:
    """Every leaf that differs between two configs, in a stable order."""
    a: dict[str, str] = {}
    b: dict[str, str] = {}
    _flatten(old, "", a)
    _flatten(new, "", b)
    changes = []
    for path in sorted(a.keys() | b.keys(), key=lambda p: (list(b).index(p) if p in b else len(b) + list(a).index(p))):
        before, after = a.get(path, "—"), b.get(path, "—")
        if before != after:
            changes.append(FieldChange(path=path, label=_label(path), old=before, new=after))
    return changes


def business_info_changed(old: dict[str, Any], new: dict[str, Any]) -> bool:
    """BOT-5: what the bot says about the business (name, contact, hours, booking) changed."""
    return old.get("business") != new.get("business") or old.get("booking_url") != new.get("booking_url")
