"""The living style guide (/styleguide/, platform admins only): every component, in both themes."""

from __future__ import annotations

from django import forms
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from controlplane.accounts.decorators import admin_required

BOT_STATUSES = ("active", "paused", "over_limit", "needs_update")


class SampleForm(forms.Form):
    """Exists only to show fields, help text and inline errors as Django renders them."""

    business_name = forms.CharField(max_length=120, help_text="As visitors should see it in the chat.")
    email = forms.EmailField(label="Lead alerts to")
    industry = forms.ChoiceField(choices=[("restaurant", "Restaurant"), ("gym", "Gym"), ("realtor", "Realtor")])
    welcome = forms.CharField(label="Welcome message", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    sms_alerts = forms.BooleanField(label="Text me when a hot lead arrives", required=False)


def _samples() -> dict[str, object]:
    days = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    leads = [
        {"name": "Maria Lopez", "type": "appointment", "score": "hot", "when": "2 min ago"},
        {"name": "Dev Patel", "type": "pricing", "score": "warm", "when": "18 min ago"},
        {"name": "Sam O'Neil", "type": "hours_location", "score": "cold", "when": "1 h ago"},
        {"name": "Ana Costa", "type": "service_request", "score": "hot", "when": "3 h ago"},
    ]
    return {
        "statuses": BOT_STATUSES,
        "line": {"kind": "line", "labels": days, "unit": "",
                 "series": [{"name": "Messages", "data": [182, 240, 221, 298, 341, 412, 287]},
                            {"name": "Leads", "data": [12, 19, 15, 24, 28, 37, 22]}]},
        "bar": {"kind": "bar", "labels": ["Pricing", "Hours", "Booking", "Menu", "Parking"],
                "series": [{"name": "Questions", "data": [124, 98, 87, 61, 23]}]},
        "funnel": {"kind": "funnel", "labels": ["Messages", "Leads", "Booking clicks"],
                   "series": [{"name": "This week", "data": [1981, 157, 64]}]},
        "heatmap": {"kind": "heatmap", "labels": ["9", "11", "13", "15", "17", "19", "21"], "y_labels": days[:5],
                    "values": [[2, 5, 9, 6, 8, 12, 4], [3, 6, 8, 7, 11, 15, 6], [1, 4, 7, 9, 14, 18, 7],
                               [2, 5, 10, 8, 13, 21, 9], [4, 8, 12, 10, 16, 24, 12]]},
        "page": Paginator(leads, 2).get_page(1),
        "empty_page": Paginator([], 10).get_page(1),
        "snippet": '<script src="https://shoreline.example/widget.js" data-token="wt_live_7Qm2"></script>',
    }


@require_GET
@admin_required
def styleguide(request: HttpRequest) -> HttpResponse:
    themes = []
    for theme in ("light", "dark"):
        invalid = SampleForm({"business_name": "Harbor Grill", "email": "not-an-email", "industry": "restaurant"},
                             auto_id=f"{theme}-invalid-%s")
        invalid.is_valid()  # fills errors so the guide shows them inline
        invalid.add_error(None, "One field needs your attention before this can be saved.")
        themes.append({"name": theme, "clean_form": SampleForm(auto_id=f"{theme}-clean-%s"), "invalid_form": invalid})
    return render(request, "styleguide/index.html", {**_samples(), "themes": themes})
