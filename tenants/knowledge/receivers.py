"""A new client (controlplane.clients.signals.client_provisioned) gets its default bot and starter knowledge.

This lives in knowledge, not bots: it creates the bot (tenants.bots.services, the layer below) and then
queues the seeding of its FAQs (this app), and only the upper layer may import both
(docs/decisions/0016-import-layers.md).
"""

from typing import Any

from django.dispatch import receiver
from django_tenants.utils import schema_context

from controlplane.clients.signals import client_provisioned
from controlplane.core.enqueue import enqueue_after_commit
from tenants.bots.config import BotConfig, BusinessInfo, bot_config_from_pack, missing_details
from tenants.bots.models import BotStatus
from tenants.bots.services import bot_config_publish_initial, bot_create, bot_set_status
from tenants.knowledge.tasks import knowledge_seed_from_pack_task


@receiver(client_provisioned)
def create_default_bot(
    sender: Any, client: Any, details: dict[str, str] | None = None, **kwargs: Any
) -> None:
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
        bot_config_publish_initial(
            bot=bot, config=bot_config_from_pack(pack, business_name=client.name, details=details)
        )
        missing = missing_details(pack, details)
        if missing:
            bot_set_status(
                bot=bot,
                status=BotStatus.NEEDS_UPDATE,
                reason="Business details missing: " + ", ".join(missing),
            )

        # Embedding the starter FAQs is slow work: a worker does it once the client exists.
        enqueue_after_commit(
            knowledge_seed_from_pack_task,
            args=[bot.pk, client.industry_mode, details],
            schema_name=client.schema_name,
        )
