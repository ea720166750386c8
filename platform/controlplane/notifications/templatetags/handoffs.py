"""BEY-1: the portal's "visitors waiting for a person" banner (one query, agency users only)."""

from __future__ import annotations

from typing import Any

from django import template

from controlplane.notifications.handoffs import live_handoff_waiting

register = template.Library()


@register.simple_tag(takes_context=True)
def waiting_handoffs(context: Any) -> dict[str, int]:
    user = getattr(context.get("request"), "user", None)
    if not getattr(user, "is_agency", False):
        return {"waiting": 0, "crisis": 0}
    return live_handoff_waiting()
