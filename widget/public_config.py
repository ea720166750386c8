"""What a visitor's browser may know about a bot: its look, status and public links. Nothing else.

Shared by GET /widget/v1/config and the chat iframe page (which inlines it to save a round trip).
"""

from __future__ import annotations

from django.utils import timezone

from tenants.bots.availability import contact_expectation
from tenants.bots.config import BotConfig
from tenants.bots.models import Bot
from widget.schemas import ConfigOut


def public_config(bot: Bot, config: BotConfig) -> ConfigOut:
    return ConfigOut(
        bot_name=config.persona.name, business_name=config.business.name, status=bot.status,
        theme=config.widget.theme, bubble_color=config.widget.bubble_color,
        welcome_message=config.widget.welcome_message, avatar_url=config.widget.avatar_url,
        booking_url=config.booking_url, handoff_promise=contact_expectation(config.business, timezone.now()),
        quick_replies=[{"label": q.label, "message": q.message, "action": q.action} for q in config.quick_replies],
    )
