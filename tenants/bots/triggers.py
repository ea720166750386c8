"""BOT-3: a bot's intents, trigger keywords, quick replies, escalation rules and crisis keywords,
edited in one place as plain lines, validated with the industry packs' own schema types.

Saving makes a new draft version of the bot's configuration (versioned, diffable, approved like
every other change); the live bot uses it once an admin approves it, without re-applying a pack.
"""

from __future__ import annotations

from typing import Annotated, Any

from django import forms
from pydantic import BaseModel, ConfigDict, Field
from pydantic import ValidationError as PydanticError

from tenants.bots.config import BotConfig

INTENTS_HELP = "One per line: name | lead type | words visitors use, comma-separated"
TRIGGERS_HELP = "One per line: key | phrases, comma-separated | action | what the bot says with it (optional)"
QUICK_REPLIES_HELP = "One per line: button label | message sent when tapped, or “action: <action>”"


def _split(line: str, parts: int) -> list[str]:
    cells = [c.strip() for c in line.split("|")]
    return (cells + [""] * parts)[:parts] if len(cells) <= parts else cells


def _words(cell: str) -> list[str]:
    return [w.strip() for w in cell.split(",") if w.strip()]


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def format_intents(config: BotConfig) -> str:
    return "\n".join(f"{i.name} | {i.lead_type} | {', '.join(i.keywords)}" for i in config.intents)


def format_triggers(config: BotConfig) -> str:
    return "\n".join(" | ".join([t.key, ", ".join(t.phrases), t.action, t.reply]).rstrip(" |")
                     for t in config.triggers)


def format_quick_replies(config: BotConfig) -> str:
    return "\n".join(f"{q.label} | " + (f"action: {q.action}" if q.action else (q.message or ""))
                     for q in config.quick_replies)


def _schemas() -> tuple[Any, Any, Any]:
    """The industry pack schema's own types, so a bot can hold nothing a pack could not."""
    # Lazy: industry_modes parses its YAML packs on first import (decision 0013).
    from industry_modes.schema import QuickReply, Trigger
    from industry_modes.schema_types import LeadTypeName, Slug, Text

    class IntentRow(BaseModel):
        model_config = ConfigDict(extra="forbid")
        name: Slug
        lead_type: LeadTypeName
        keywords: Annotated[tuple[Text, ...], Field(min_length=1)]

    return IntentRow, Trigger, QuickReply


def _problem(section: str, number: int, line: str, error: PydanticError) -> str:
    detail = "; ".join(
        f"{'.'.join(str(p) for p in e['loc']) + ': ' if e['loc'] else ''}{e['msg']}".replace("_", " ")
        for e in error.errors())
    return f"{section}, line {number} (“{line[:60]}”): {detail}"


def parse_rules(*, intents: str, triggers: str, quick_replies: str, crisis_keywords: str,
                industry_mode: str = "") -> tuple[dict[str, Any], list[str]]:
    """The edited lines as config sections, or the problems, each naming its section and line."""
    from industry_modes.registry import TRIGGER_ACTION_INDUSTRIES

    intent_row, trigger_model, quick_reply_model = _schemas()
    problems: list[str] = []
    out: dict[str, Any] = {"intents": [], "triggers": [], "quick_replies": []}
    for number, line in enumerate(_lines(intents), 1):
        cells = _split(line, 3)
        if len(cells) != 3:
            problems.append(f"Intents, line {number}: use name | lead type | words")
            continue
        try:
            row = intent_row(name=cells[0], lead_type=cells[1], keywords=_words(cells[2]))
        except PydanticError as error:
            problems.append(_problem("Intents", number, line, error))
            continue
        out["intents"].append({"name": row.name, "lead_type": row.lead_type, "keywords": list(row.keywords)})
    for number, line in enumerate(_lines(triggers), 1):
        cells = [c.strip() for c in line.split("|", 3)]
        if len(cells) < 3:
            problems.append(f"Triggers, line {number}: use key | phrases | action | reply")
            continue
        try:
            trigger = trigger_model(key=cells[0], phrases=_words(cells[1]), action=cells[2],
                                    reply=cells[3] if len(cells) > 3 else "")
        except PydanticError as error:
            problems.append(_problem("Triggers", number, line, error))
            continue
        industries = TRIGGER_ACTION_INDUSTRIES.get(trigger.action)
        if industry_mode and industries and industry_mode not in industries:
            problems.append(f"Triggers, line {number}: the action “{trigger.action}” only works for "
                            f"{', '.join(sorted(industries))} bots")
            continue
        out["triggers"].append({"key": trigger.key, "phrases": list(trigger.phrases), "action": trigger.action,
                                "reply": trigger.reply})
    for number, line in enumerate(_lines(quick_replies), 1):
        label, _, rest = (c.strip() for c in line.partition("|"))
        action = rest[len("action:"):].strip() if rest.lower().startswith("action:") else None
        try:
            reply = quick_reply_model(label=label, message=None if action is not None else (rest or None),
                                      action=action)
        except PydanticError as error:
            problems.append(_problem("Quick replies", number, line, error))
            continue
        out["quick_replies"].append({"label": reply.label, "message": reply.message, "action": reply.action})
    for section, key in (("Intents", "intents"), ("Triggers", "triggers")):
        names = [row["name" if key == "intents" else "key"] for row in out[key]]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            problems.append(f"{section}: each name must be used once ({', '.join(duplicates)} repeats)")
    out["crisis_keywords"] = _words(crisis_keywords)
    return out, problems


class TriggersForm(forms.Form):
    """BOT-3: the bot's rules in one place. Saved as a new draft version for an admin to approve."""

    intents = forms.CharField(widget=forms.Textarea(attrs={"rows": 6}), required=False, help_text=INTENTS_HELP)
    triggers = forms.CharField(widget=forms.Textarea(attrs={"rows": 6}), required=False,
                               label="Trigger keywords", help_text=TRIGGERS_HELP)
    quick_replies = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False,
                                    help_text=QUICK_REPLIES_HELP)
    crisis_keywords = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False,
                                      help_text="Comma-separated words that start the crisis script.")
    crisis_sensitivity = forms.ChoiceField(choices=[("low", "Low"), ("medium", "Medium"), ("high", "High")])
    email_on_handoff = forms.BooleanField(required=False, label="Email the owner when a visitor asks for a person")
    sms_on_new_lead = forms.BooleanField(required=False, label="Text the owner on every new lead")
    alert_owner = forms.BooleanField(required=False, label="Alert the owner when the crisis script runs")
    alert_recipients = forms.CharField(max_length=500, required=False, label="Also alert on a crisis",
                                       help_text="Comma-separated emails or phone numbers.")
    note = forms.CharField(max_length=300, required=False, label="What changed and why")

    def __init__(self, *args: Any, industry_mode: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.industry_mode = industry_mode

    @classmethod
    def initial_from(cls, config: BotConfig) -> dict[str, Any]:
        return {"intents": format_intents(config), "triggers": format_triggers(config),
                "quick_replies": format_quick_replies(config), "crisis_keywords": ", ".join(config.crisis.keywords),
                "crisis_sensitivity": config.crisis.sensitivity,
                "email_on_handoff": config.routing.email_on_handoff, "sms_on_new_lead": config.routing.sms_on_new_lead,
                "alert_owner": config.crisis.alert_owner,
                "alert_recipients": ", ".join(config.crisis.alert_recipients)}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        rules, problems = parse_rules(intents=cleaned.get("intents", ""), triggers=cleaned.get("triggers", ""),
                                      quick_replies=cleaned.get("quick_replies", ""),
                                      crisis_keywords=cleaned.get("crisis_keywords", ""),
                                      industry_mode=self.industry_mode)
        for problem in problems:
            self.add_error(None, problem)
        cleaned["rules"] = rules
        return cleaned

    def to_config(self, base: BotConfig) -> BotConfig | None:
        d = self.cleaned_data
        rules = d["rules"]
        data = base.model_dump(mode="json")
        data.update(intents=rules["intents"], triggers=rules["triggers"], quick_replies=rules["quick_replies"])
        data["crisis"].update(keywords=rules["crisis_keywords"], sensitivity=d["crisis_sensitivity"],
                              alert_owner=d["alert_owner"],
                              alert_recipients=[r.strip() for r in d["alert_recipients"].split(",") if r.strip()])
        data["routing"].update(email_on_handoff=d["email_on_handoff"],
                               sms_on_new_lead=d["sms_on_new_lead"])
        try:
            return BotConfig.model_validate(data)
        except PydanticError as error:
            self.add_error(None, "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors()))
            return None


def pack_rules(pack_key: str, details: dict[str, str]) -> BotConfig | None:
    """The pack's defaults as a configuration (only its rules sections are shown)."""
    if not pack_key:
        return None
    # Lazy: industry_modes parses its YAML packs on first import (decision 0013).
    from industry_modes import load_pack
    from industry_modes.loader import PackError
    from tenants.bots.config import bot_config_from_pack

    try:
        pack = load_pack(pack_key)
    except PackError:
        return None
    return bot_config_from_pack(pack, business_name=details.get("business_name", "the business"), details=details)
