from __future__ import annotations

from typing import Any

from django import template

from controlplane.errorlog.models import ErrorGroup
from controlplane.errorlog.selectors import model_provider_alerts

register = template.Library()


@register.simple_tag(takes_context=True)
def provider_alerts(context: Any) -> list[ErrorGroup]:
    """AX-6: model calls the provider refused in the last hour, for the agency's banner (one indexed query)."""
    user = getattr(context.get("request"), "user", None)
    if not getattr(user, "is_agency", False):
        return []
    return model_provider_alerts()
