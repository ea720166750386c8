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
    note = forms.CharField(max_length=300, required=False, label="What changed and why")

    @classmethod
    def initial_from(cls, config: BotConfig) -> dict[str, Any]:
        return {
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
