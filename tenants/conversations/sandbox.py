"""AX-1 sandbox turn: the live conversation graph on a draft's config, with nothing written (no messages,
leads, events, review items or usage).

tenants.bots runs it (the sandbox page, BEY-5 regression runs at submit) through the port in
tenants.bots.sandbox; this app installs it there when Django starts (ConversationsConfig.ready), because
bots sits below conversations and must not import it (docs/decisions/0016-import-layers.md).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import connection

from agents.conversation.ports import Turn
from tenants.conversations.agent_runtime import bot_turn

if TYPE_CHECKING:
    from agents.conversation.results import TurnResult
    from tenants.bots.config import BotConfig
    from tenants.bots.models import Bot


def sandbox_turn(
    *, bot: Bot, config: BotConfig, message: str, history: list[dict[str, str]] | None = None
) -> TurnResult:
    turns = [
        Turn(role="bot" if t["role"] == "bot" else "visitor", text=t["text"])
        for t in (history or [])
        if t.get("role") in ("visitor", "bot")
    ][-10:]
    slug = getattr(getattr(connection, "tenant", None), "slug", "") or getattr(connection, "schema_name", "")
    return bot_turn(client_slug=slug, bot_id=bot.pk, config=config, message=message, history=turns,
                    already_asked_for_contact=any(t.role == "bot" and "phone" in t.text for t in turns))
