from typing import Any

from django.db import connection
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django_tenants.utils import schema_context

from controlplane.billing import signals as billing_signals
from controlplane.clients.signals import client_provisioned
from controlplane.core.config_versions import version_bump
from tenants.bots.config import BotConfig, BusinessInfo, bot_config_from_pack, missing_details
from tenants.bots.models import Bot, BotConfigVersion, BotStatus
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

        # Embedding the starter FAQs is slow work: a worker does it once the client exists.
        from controlplane.core.enqueue import enqueue_after_commit
        from tenants.knowledge.tasks import knowledge_seed_from_pack_task

        enqueue_after_commit(knowledge_seed_from_pack_task, args=[bot.pk, client.industry_mode, details],
                             schema_name=client.schema_name)


# --- issue 13: billing decides, the bots follow (controlplane.billing.signals) ---------------------


@receiver(billing_signals.limits_changed)
def lift_over_limit(sender: Any, client: Any, actor: Any = None, reason: str = "", **kwargs: Any) -> None:
    """An upgrade or a new period: over-limit bots answer again at once, if the quota now allows."""
    from controlplane.billing.metering import usage_allows_answers

    if not usage_allows_answers(client_id=client.pk):
        return
    with schema_context(client.schema_name):
        for bot in Bot.objects.filter(status=BotStatus.OVER_LIMIT):
            bot_set_status(bot=bot, status=BotStatus.ACTIVE, actor=actor, reason=reason)


@receiver(billing_signals.payment_hold)
def pause_for_payment(sender: Any, client: Any, reason: str = "", **kwargs: Any) -> list[int]:
    with schema_context(client.schema_name):
        paused = []
        for bot in Bot.objects.filter(status=BotStatus.ACTIVE):
            bot_set_status(bot=bot, status=BotStatus.PAUSED, reason=reason)
            paused.append(bot.pk)
    return paused


@receiver(billing_signals.payment_release)
def resume_after_payment(sender: Any, client: Any, bot_ids: list[int] | None = None, reason: str = "",
                         **kwargs: Any) -> None:
    with schema_context(client.schema_name):
        for bot in Bot.objects.filter(status=BotStatus.PAUSED, pk__in=bot_ids or []):
            bot_set_status(bot=bot, status=BotStatus.ACTIVE, reason=reason)


@receiver([post_save, post_delete], sender=Bot)
@receiver([post_save, post_delete], sender=BotConfigVersion)
def _bot_config_changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    """The widget caches a bot and its parsed configuration per process (issue 17): bump this
    schema's config version so every process reloads them on its next request."""
    version_bump(getattr(connection, "schema_name", "public"))
