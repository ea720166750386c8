from __future__ import annotations

from controlplane.clients.models import Client
from controlplane.widgets.models import AllowedOrigin, WidgetToken


def allowed_origins_for(*, client_id: int, bot_id: int) -> list[str]:
    return list(AllowedOrigin.objects.filter(client_id=client_id, bot_id=bot_id).values_list("origin", flat=True))


def any_allowed_origins() -> list[str]:
    """Every origin any bot may be embedded on: used only to answer CORS preflights."""
    return list(AllowedOrigin.objects.values_list("origin", flat=True).distinct())


def widget_tokens_for(*, client: Client) -> list[WidgetToken]:
    return list(WidgetToken.objects.filter(client=client).order_by("-created_at"))

