"""The filters of the Leads and Conversations lists, shared by the pages and their exports
(an export holds exactly the rows the list shows, across all its pages)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.db.models import QuerySet

from tenants.analytics.metrics import LEAD_TYPES, SENTIMENTS
from tenants.analytics.ranges import DateRange, range_from_params
from tenants.conversations.models import Conversation
from tenants.leads.models import Lead

_any = [("", "Any")]


class ListFilterForm(forms.Form):
    score = forms.ChoiceField(required=False, choices=_any + list(Lead.Score.choices))
    lead_type = forms.ChoiceField(required=False, choices=_any + [(t, t.replace("_", " ").capitalize())
                                                                  for t in LEAD_TYPES])
    sentiment = forms.ChoiceField(required=False, choices=_any + [(s, s.capitalize()) for s in SENTIMENTS])
    tag = forms.CharField(required=False, max_length=40)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs["class"] = "input"


@dataclass(frozen=True)
class ListFilters:
    range: DateRange
    score: str = ""
    lead_type: str = ""
    sentiment: str = ""
    tag: str = ""

    def query(self) -> dict[str, str]:
        extra = {k: v for k, v in (("score", self.score), ("lead_type", self.lead_type),
                                   ("sentiment", self.sentiment), ("tag", self.tag)) if v}
        return {**self.range.query(), **extra}

    def as_audit(self) -> dict[str, Any]:
        return {**self.query(), "first_day": self.range.first_day.isoformat(),
                "last_day": self.range.last_day.isoformat()}


def filters_from(params: Any, tz_name: str) -> tuple[ListFilters, ListFilterForm]:
    form = ListFilterForm(params)
    data = form.cleaned_data if form.is_valid() else {}
    filters = ListFilters(range=range_from_params(params, tz_name), score=data.get("score", ""),
                          lead_type=data.get("lead_type", ""), sentiment=data.get("sentiment", ""),
                          tag=(data.get("tag") or "").strip().lower())
    return filters, form


def conversations_filtered(f: ListFilters) -> QuerySet[Conversation]:
    """Conversations that started in the range; score filters on the conversation's lead."""
    qs = Conversation.objects.filter(started_at__gte=f.range.start, started_at__lt=f.range.end)
    if f.score:
        qs = qs.filter(lead__score=f.score)
    if f.lead_type:
        qs = qs.filter(lead_type=f.lead_type)
    if f.sentiment:
        qs = qs.filter(sentiment=f.sentiment)
    if f.tag:
        qs = qs.filter(tags__contains=[f.tag])
    return qs.order_by("-started_at", "-id")


def leads_filtered(f: ListFilters) -> QuerySet[Lead]:
    """Leads captured in the range; sentiment and tag filter on the lead's conversation."""
    qs = Lead.objects.filter(created_at__gte=f.range.start, created_at__lt=f.range.end)
    if f.score:
        qs = qs.filter(score=f.score)
    if f.lead_type:
        qs = qs.filter(lead_type=f.lead_type)
    if f.sentiment:
        qs = qs.filter(conversation__sentiment=f.sentiment)
    if f.tag:
        qs = qs.filter(conversation__tags__contains=[f.tag])
    return qs.order_by("-created_at", "-id")
