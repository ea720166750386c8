from __future__ import annotations

from typing import Any

from django.db import connection, transaction

from controlplane.audit.services import audit_record
from tenants.bots.models import Bot, BotStatus


def _current_client_slug() -> str:
    return getattr(getattr(connection, "tenant", None), "slug", "") or ""


def bot_create(*, name: str) -> Bot:
    return Bot.objects.create(name=name)


def bot_set_status(*, bot: Bot, status: str, actor: Any = None, reason: str = "", request: Any = None) -> Bot:
    if status not in BotStatus.values:
        raise ValueError(f"Unknown bot status {status!r}.")
    if bot.status == status:
        return bot
    previous = bot.status
    with transaction.atomic():
        bot.status = status
        bot.save(update_fields=["status", "updated_at"])
        audit_record(
            action="bot.status_changed", actor=actor, target=bot, client_slug=_current_client_slug(),
            data={"from": previous, "to": status, "reason": reason}, request=request,
        )
    return bot
