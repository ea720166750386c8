from __future__ import annotations

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
