from __future__ import annotations

import re

from django import forms

from controlplane.notifications.models import PERSON_KINDS, WEBHOOK_KINDS

E164 = re.compile(r"^\+[1-9]\d{6,14}$")
PERSON_CHOICES = [(k.value, k.label) for k in PERSON_KINDS]
WEBHOOK_CHOICES = [(k.value, k.value) for k in WEBHOOK_KINDS]


class RecipientForm(forms.Form):
    name = forms.CharField(max_length=120)
    email = forms.EmailField(required=False)
    phone = forms.CharField(max_length=20, required=False, help_text="Mobile number with country code, e.g. +15551234567.")
    sms_kinds = forms.MultipleChoiceField(label="By text message", choices=PERSON_CHOICES, required=False,
                                          widget=forms.CheckboxSelectMultiple)
    email_kinds = forms.MultipleChoiceField(label="By email", choices=PERSON_CHOICES, required=False,
                                            widget=forms.CheckboxSelectMultiple)
    weekly_summary = forms.BooleanField(label="Weekly summary email", required=False)
    sms_opt_in_note = forms.CharField(
        label="Text message consent", max_length=200, required=False,
        help_text="How this person agreed to receive texts (e.g. 'Signed the onboarding form on 3 March'). "
                  "Without it no text is sent.")

    def clean_phone(self) -> str:
        phone = re.sub(r"[\s().-]", "", self.cleaned_data["phone"])
        if phone and not E164.match(phone):
            raise forms.ValidationError("Enter the number with its country code, e.g. +15551234567.")
        return phone

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if data.get("sms_kinds") and not data.get("phone"):
            self.add_error("phone", "A phone number is needed for text messages.")
        if (data.get("email_kinds") or data.get("weekly_summary")) and not data.get("email"):
            self.add_error("email", "An email address is needed for emails.")
        return data


class QuietHoursForm(forms.Form):
    quiet_start = forms.TimeField(label="Quiet from", required=False, widget=forms.TimeInput(attrs={"type": "time"}))
    quiet_end = forms.TimeField(label="Quiet until", required=False, widget=forms.TimeInput(attrs={"type": "time"}))

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if bool(data.get("quiet_start")) != bool(data.get("quiet_end")):
            raise forms.ValidationError("Give both a start and an end, or leave both empty for no quiet hours.")
        return data


class WebhookForm(forms.Form):
    url = forms.URLField(label="Endpoint URL", max_length=500, assume_scheme="https",
                         help_text="A public https:// address of the CRM or automation tool.")
    kinds = forms.MultipleChoiceField(label="Events", choices=WEBHOOK_CHOICES, widget=forms.CheckboxSelectMultiple)
