from __future__ import annotations

from datetime import datetime

from tenants.bots.config import BotConfig, BusinessInfo
from tenants.bots.models import Bot


def bot_primary() -> Bot | None:
    return Bot.objects.select_related("published_version").order_by("id").first()


def bot_get(*, bot_id: int) -> Bot | None:
    return Bot.objects.select_related("published_version").filter(pk=bot_id).first()


def bot_published_config(bot: Bot) -> BotConfig:
    """The approved configuration the live bot runs on; a minimal safe one before the first approval."""
    if bot.published_version is None:
        return BotConfig(business=BusinessInfo(name=bot.name))
    return BotConfig.model_validate(bot.published_version.config)


def bot_knowledge_rebuilt_since(*, bot: Bot, since: datetime) -> bool:
    """BOT-5: has a knowledge rebuild of this bot finished successfully after `since`?

    Read through the reverse side of tenants.knowledge's KnowledgeRebuild.bot key, so bots (the layer
    below knowledge) needs no import of it (docs/decisions/0016-import-layers.md).
    """
    return bot.knowledge_rebuilds.filter(state="done", finished_at__gte=since).exists()
