from typing import cast

from django import forms

from controlplane.clients.models import INDUSTRY_MODES


def slug_help() -> str:
    """The hint under the slug field, with the real dashboard domain (never a placeholder)."""
    from django.conf import settings

    return ("Lowercase letters, digits and hyphens. The client's dashboard address becomes "
            f"this-name.{settings.SHORELINE_DOMAIN}.")


class ClientCreateForm(forms.Form):
    name = forms.CharField(max_length=120)
    slug = forms.CharField(max_length=40)
    industry = forms.ChoiceField(choices=INDUSTRY_MODES)
    plan = forms.ChoiceField(choices=())
    owner_email = forms.EmailField()

    def __init__(self, *args: object, plans: list[tuple[str, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        cast(forms.ChoiceField, self.fields["plan"]).choices = plans
        self.fields["slug"].help_text = slug_help()


class PlanChangeForm(forms.Form):
    plan = forms.ChoiceField(choices=())

    def __init__(self, *args: object, plans: list[tuple[str, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        cast(forms.ChoiceField, self.fields["plan"]).choices = plans


class StaffCreateForm(forms.Form):
    email = forms.EmailField()
    full_name = forms.CharField(max_length=120, required=False)
    role = forms.ChoiceField(choices=[("staff", "Agency staff"), ("platform_admin", "Platform admin")])


class AdminNoteForm(forms.Form):
    body = forms.CharField(label="Note", max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))
