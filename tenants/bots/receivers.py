from typing import Any

from django.db import transaction
from django.dispatch import receiver
from django_tenants.utils import schema_context

from controlplane.clients.signals import client_provisioned
from tenants.bots.config import BotConfig, BusinessInfo, bot_config_from_pack, missing_details
from tenants.bots.models import BotStatus
from tenants.bots.services import bot_config_publish_initial, bot_create, bot_set_status


@receiver(client_provisioned)
def create_default_bot(sender: Any, client: Any, details: dict[str, str] | None = None, **kwargs: Any) -> None:
    """Every new client starts with one bot configured from its industry pack.

    Without the business details the pack refers to, the bot is marked needs_update (BOT-5)
    until the agency fills them in.
    """
    # Lazy: industry_modes parses its YAML packs on first import (decision 0013).
    from industry_modes import load_pack

    details = {"business_name": client.name, **(details or {})}
    with schema_context(client.schema_name):
        bot = bot_create(name=f"{client.name} assistant")
        if not client.industry_mode:
            bot_config_publish_initial(bot=bot, config=BotConfig(business=BusinessInfo(name=client.name)))
            return
        pack = load_pack(client.industry_mode)
        bot_config_publish_initial(bot=bot, config=bot_config_from_pack(pack, business_name=client.name,
                                                                        details=details))
        missing = missing_details(pack, details)
        if missing:
            bot_set_status(bot=bot, status=BotStatus.NEEDS_UPDATE,
                           reason="Business details missing: " + ", ".join(missing))

        # Cycle: bots -> knowledge is listed debt (decision 0016).
        from tenants.knowledge.tasks import knowledge_seed_from_pack_task

        # Embedding the starter FAQs is slow work: a worker does it once the client exists.
        transaction.on_commit(lambda: knowledge_seed_from_pack_task.apply_async(
            args=[bot.pk, client.industry_mode, details], headers={"_schema_name": client.schema_name}))
