from django import forms

from controlplane.clients.models import INDUSTRY_MODES


class ClientCreateForm(forms.Form):
    name = forms.CharField(max_length=120)
    slug = forms.CharField(max_length=40, help_text="Lowercase letters, digits and hyphens. Becomes <slug>.domain.")
    industry = forms.ChoiceField(choices=INDUSTRY_MODES)
    plan = forms.ChoiceField(choices=())
    owner_email = forms.EmailField()

    def __init__(self, *args: object, plans: list[tuple[str, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["plan"].choices = plans


class PlanChangeForm(forms.Form):
    plan = forms.ChoiceField(choices=())

    def __init__(self, *args: object, plans: list[tuple[str, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["plan"].choices = plans


class StaffCreateForm(forms.Form):
    email = forms.EmailField()
    full_name = forms.CharField(max_length=120, required=False)
    role = forms.ChoiceField(choices=[("staff", "Agency staff"), ("platform_admin", "Platform admin")])


class AdminNoteForm(forms.Form):
    body = forms.CharField(label="Note", max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))
