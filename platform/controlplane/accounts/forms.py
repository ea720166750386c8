from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.password_validation import password_validators_help_texts, validate_password

from controlplane.accounts.selectors import user_may_use_host


class HostLoginForm(AuthenticationForm):
    """Agency accounts sign in on the public host; client users only on their own client's host."""

    username = forms.EmailField(label="Email", widget=forms.EmailInput(attrs={"autofocus": True,
                                                                            "autocomplete": "email"}))

    otp_code = forms.CharField(
        label="Authentication code", required=False, max_length=8, strip=True,
        help_text="Only if you turned on two-step sign-in: the 6-digit code from your app.",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}))
    otp_device: Any = None

    def confirm_login_allowed(self, user: Any) -> None:
        super().confirm_login_allowed(user)
        if not user_may_use_host(user=user, tenant=getattr(self.request, "tenant", None)):
            # Same words as a wrong password: do not reveal which accounts exist elsewhere.
            raise self.get_invalid_login_error()
        from controlplane.accounts.two_factor import confirmed_device

        device = confirmed_device(user)
        if device is not None:
            code = (self.cleaned_data.get("otp_code") or "").replace(" ", "")
            if not code:
                raise forms.ValidationError("Enter the 6-digit code from your authenticator app.", code="otp_required")
            if not device.verify_token(code):
                raise forms.ValidationError("That authentication code is not right. Enter the newest code.",
                                            code="otp_invalid")
            self.otp_device = device


class PasswordChangeForm(forms.Form):
    current_password = forms.CharField(
        label="Current password", strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    new_password = forms.CharField(
        label="New password", strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    new_password_again = forms.CharField(
        label="New password again", strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, user: Any, *args: Any, **kwargs: Any) -> None:
        self.user = user
        super().__init__(*args, **kwargs)
        self.fields["new_password"].help_text = " ".join(password_validators_help_texts())

    def clean_current_password(self) -> str:
        value: str = self.cleaned_data["current_password"]
        if not self.user.check_password(value):
            raise forms.ValidationError("Your current password is not correct.")
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        new, again = data.get("new_password"), data.get("new_password_again")
        if new and again and new != again:
            self.add_error("new_password_again", "The two new passwords do not match.")
        elif new and "current_password" in data:
            try:
                validate_password(new, self.user)
            except forms.ValidationError as error:
                self.add_error("new_password", error)
        return data
