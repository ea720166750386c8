from __future__ import annotations

from typing import Any

from django import forms
from pydantic import ValidationError as PydanticError

from tenants.bots.config import BotConfig

_PLACEHOLDER_LABELS = {
    "business_phone": "Business phone", "business_email": "Business email", "business_address": "Address",
    "booking_url": "Booking link", "website_url": "Website", "menu_url": "Menu link", "ordering_url": "Online ordering link",
    "doordash_url": "DoorDash link", "ubereats_url": "Uber Eats link", "grubhub_url": "Grubhub link",
    "agent_name": "Agent's name",
}
_DETAIL_FROM_CONFIG = {"business_phone": ("business", "phone"), "business_email": ("business", "email"),
                       "business_address": ("business", "address"), "website_url": ("business", "website"),
                       "booking_url": (None, "booking_url")}


class PackApplyForm(forms.Form):
    """IND-*: the pack, the business name, and exactly the details this pack's texts refer to."""

    pack = forms.ChoiceField(label="Industry mode")
    business_name = forms.CharField(max_length=120)

    def __init__(self, *args: Any, packs: list[tuple[str, str]], placeholders: list[str], current: BotConfig,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["pack"].choices = packs
        self.fields["business_name"].initial = current.business.name
        self.detail_names = [p for p in sorted(placeholders) if p != "business_name"]
        dumped = current.model_dump()
        for name in self.detail_names:
            section, key = _DETAIL_FROM_CONFIG.get(name, (None, ""))
            initial = (dumped[section][key] if section else dumped.get(key, "")) if key else ""
            field: forms.Field = (forms.URLField(assume_scheme="https") if name.endswith("_url")
                                  else forms.EmailField() if name.endswith("_email") else forms.CharField(max_length=200))
            field.required = False
            field.label = _PLACEHOLDER_LABELS.get(name, name.replace("_", " ").capitalize())
            field.help_text = "Left empty, the bot says a neutral phrase and the bot stays “needs update”."
            field.initial = initial
            self.fields[f"detail_{name}"] = field

    def details(self) -> dict[str, str]:
        return {name: self.cleaned_data.get(f"detail_{name}") or "" for name in self.detail_names}


class DraftEditForm(forms.Form):
    """BOT-1..3: the settings the agency edits most, as a new draft of the chosen version."""

    persona_name = forms.CharField(max_length=60, label="Agent name")
    persona_tone = forms.CharField(max_length=200, label="Tone")
    business_name = forms.CharField(max_length=120)
    business_description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False, label="Description")
    business_phone = forms.CharField(max_length=40, required=False, label="Phone")
    business_email = forms.EmailField(required=False, label="Email")
    business_address = forms.CharField(max_length=200, required=False, label="Address")
    business_website = forms.URLField(required=False, label="Website", assume_scheme="https")
    business_timezone = forms.CharField(max_length=64, label="Time zone")
    booking_url = forms.URLField(required=False, label="Booking link", assume_scheme="https")
    welcome_message = forms.CharField(max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
    theme = forms.ChoiceField(choices=[("coastal", "Coastal blue"), ("light", "Light"), ("dark", "Dark")])
    bubble_color = forms.RegexField(regex=r"^#[0-9a-fA-F]{6}$", max_length=7)
    fallback_message = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}))
    crisis_keywords = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False,
                                      help_text="Comma-separated. Admin review required.", label="Crisis keywords")
    crisis_sensitivity = forms.ChoiceField(choices=[("low", "Low"), ("medium", "Medium"), ("high", "High")])
    dragon_mode = forms.BooleanField(required=False, label="Dragon Mode (assertive replies to hot leads)")
    crisis_script = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False,
                                    label="Crisis script", help_text="Shown at once to a visitor in crisis. Leave empty "
                                    "for the approved default (988, SAMHSA, 911).")
    at_risk_script = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False,
                                     label="Supportive reply for at-risk messages", help_text="Leave empty for the default.")
    alert_recipients = forms.CharField(max_length=500, required=False, label="Crisis alert recipients",
                                       help_text="Comma-separated emails or phone numbers.")
    hours_mon = forms.CharField(max_length=40, required=False, label="Monday")
    hours_tue = forms.CharField(max_length=40, required=False, label="Tuesday")
    hours_wed = forms.CharField(max_length=40, required=False, label="Wednesday")
    hours_thu = forms.CharField(max_length=40, required=False, label="Thursday")
    hours_fri = forms.CharField(max_length=40, required=False, label="Friday")
    hours_sat = forms.CharField(max_length=40, required=False, label="Saturday")
    hours_sun = forms.CharField(max_length=40, required=False, label="Sunday")
    holidays = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False, label="Holiday exceptions",
                               help_text="One per line: 2026-12-25 Christmas Day: closed, or 2026-12-24 Christmas Eve: 10:00-14:00")
    services = forms.CharField(widget=forms.Textarea(attrs={"rows": 5}), required=False, label="Services and prices",
                               help_text="One per line: name | price | minutes | description (minutes and description optional)")
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False, label="Other facts",
                            help_text="One per line: topic | words visitors use, comma-separated | the answer")
    note = forms.CharField(max_length=300, required=False, label="What changed and why")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        try:
            cleaned["facts"] = facts_from_form(cleaned)
        except ValueError as error:
            self.add_error(None, str(error))
        return cleaned

    @classmethod
    def initial_from(cls, config: BotConfig) -> dict[str, Any]:
        b = config.business
        facts = {f"hours_{day}": ", ".join(f"{h.opens}-{h.closes}" for h in b.hours if h.weekday == index) or "closed"
                 for index, day in enumerate(DAY_KEYS)} if b.hours else {}
        facts |= {
            "holidays": "\n".join(f"{h.date.isoformat()} {h.name}: " + (f"{h.opens}-{h.closes}" if h.opens else "closed")
                                  for h in b.holidays),
            "services": "\n".join(" | ".join([s.name, f"{s.price:g}" if s.price is not None else "",
                                              str(s.duration_minutes or ""), s.description]).rstrip(" |")
                                  for s in b.services),
            "notes": "\n".join(f"{n.topic} | {', '.join(n.keywords)} | {n.text}" for n in b.notes),
            "crisis_script": config.crisis.script, "at_risk_script": config.crisis.at_risk_script,
            "alert_recipients": ", ".join(config.crisis.alert_recipients),
        }
        return facts | {
            "persona_name": config.persona.name, "persona_tone": config.persona.tone,
            "business_name": config.business.name, "business_description": config.business.description,
            "business_phone": config.business.phone, "business_email": config.business.email,
            "business_address": config.business.address, "business_website": config.business.website,
            "business_timezone": config.business.timezone, "booking_url": config.booking_url,
            "welcome_message": config.widget.welcome_message, "theme": config.widget.theme,
            "bubble_color": config.widget.bubble_color, "fallback_message": config.fallback_message,
            "crisis_keywords": ", ".join(config.crisis.keywords), "crisis_sensitivity": config.crisis.sensitivity,
            "dragon_mode": config.dragon_mode.enabled,
        }

    def to_config(self, base: BotConfig) -> BotConfig | None:
        d = self.cleaned_data
        data = base.model_dump(mode="json")
        data["persona"].update(name=d["persona_name"], tone=d["persona_tone"])
        data["business"].update(name=d["business_name"], description=d["business_description"],
                                phone=d["business_phone"], email=d["business_email"],
                                address=d["business_address"], website=d["business_website"],
                                timezone=d["business_timezone"])
        data["booking_url"] = d["booking_url"]
        data["widget"].update(welcome_message=d["welcome_message"], theme=d["theme"], bubble_color=d["bubble_color"])
        data["fallback_message"] = d["fallback_message"]
        data["crisis"].update(keywords=[k.strip() for k in d["crisis_keywords"].split(",") if k.strip()],
                              sensitivity=d["crisis_sensitivity"])
        data["dragon_mode"]["enabled"] = d["dragon_mode"]
        data["crisis"].update(script=d["crisis_script"], at_risk_script=d["at_risk_script"],
                              alert_recipients=[r.strip() for r in d["alert_recipients"].split(",") if r.strip()])
        data["business"].update(d.get("facts") or {})
        try:
            return BotConfig.model_validate(data)
        except PydanticError as error:
            self.add_error(None, "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors()))
            return None


class ReviewDecisionForm(forms.Form):
    comment = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    override_reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False,
                                      label="Override reason (only when saved tests fail)")


class TestCaseForm(forms.Form):
    name = forms.CharField(max_length=120)
    question = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), max_length=1000,
                               label="Visitor message")
    expect_not_fallback = forms.BooleanField(required=False, initial=True, label="Must be answered (no fallback)")
    expect_contains = forms.CharField(max_length=200, required=False, label="Reply must contain")
    expect_crisis = forms.ChoiceField(choices=[("", "Either"), ("yes", "Crisis script must run"),
                                               ("no", "Crisis script must not run")], required=False,
                                      label="Crisis")

    def crisis_expectation(self) -> bool | None:
        return {"yes": True, "no": False}.get(self.cleaned_data.get("expect_crisis") or "")


class SandboxForm(forms.Form):
    message = forms.CharField(max_length=1000, widget=forms.TextInput(attrs={"autocomplete": "off"}))


DAY_KEYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def facts_from_form(cleaned: dict[str, Any]) -> dict[str, Any]:
    """BOT-1: hours, holidays, services and notes from the portal's plain-text fields."""
    from tenants.bots.config import parse_day_hours

    hours: list[dict[str, Any]] = []
    for day in DAY_KEYS:
        value = (cleaned.get(f"hours_{day}") or "").strip()
        if value:
            hours += [h.model_dump() for h in parse_day_hours(day, value)]
    holidays = []
    for line in filter(None, (x.strip() for x in (cleaned.get("holidays") or "").splitlines())):
        head, _, span = line.partition(":")
        day, _, name = head.strip().partition(" ")
        span = span.strip().lower()
        opens = closes = None
        if span and span != "closed":
            parsed = parse_day_hours("mon", span)
            opens, closes = parsed[0].opens, parsed[0].closes
        holidays.append({"date": day, "name": name.strip() or "Holiday", "opens": opens, "closes": closes})
    services = []
    for line in filter(None, (x.strip() for x in (cleaned.get("services") or "").splitlines())):
        parts = [p.strip() for p in line.split("|")] + ["", "", ""]
        try:
            price = float(parts[1].lstrip("$")) if parts[1] else None
            minutes = int(parts[2]) if parts[2] else None
        except ValueError:
            raise ValueError(f"Services: “{line}” needs a number for the price and minutes") from None
        services.append({"name": parts[0], "price": price, "duration_minutes": minutes, "description": parts[3]})
    notes = []
    for line in filter(None, (x.strip() for x in (cleaned.get("notes") or "").splitlines())):
        parts = [p.strip() for p in line.split("|")]
        if len(parts) != 3:
            raise ValueError(f"Other facts: “{line}” needs topic | words | answer")
        notes.append({"topic": parts[0], "keywords": [k.strip() for k in parts[1].split(",") if k.strip()], "text": parts[2]})
    return {"hours": hours, "holidays": holidays, "services": services, "notes": notes}
