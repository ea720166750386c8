from __future__ import annotations

from controlplane.clients.models import Client
from controlplane.widgets.models import AllowedOrigin, UsagePeriod, WidgetToken
from controlplane.widgets.services import current_period


def allowed_origins_for(*, client_id: int, bot_id: int) -> list[str]:
    return list(AllowedOrigin.objects.filter(client_id=client_id, bot_id=bot_id).values_list("origin", flat=True))


def any_allowed_origins() -> list[str]:
    """Every origin any bot may be embedded on: used only to answer CORS preflights."""
    return list(AllowedOrigin.objects.values_list("origin", flat=True).distinct())


def widget_tokens_for(*, client: Client) -> list[WidgetToken]:
    return list(WidgetToken.objects.filter(client=client).order_by("-created_at"))


def usage_this_period(*, client_id: int) -> int:
    row = UsagePeriod.objects.filter(client_id=client_id, period=current_period()).first()
    return row.messages if row else 0
