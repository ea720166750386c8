"""The bots follow what billing decides (controlplane.billing.signals). A new client's default bot is
created by tenants.knowledge.receivers, which also seeds its starter knowledge."""

from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django_tenants.utils import schema_context

from controlplane.billing import signals as billing_signals
from controlplane.core.config_versions import version_bump
from controlplane.core.tenancy import schema_name
from tenants.bots.models import Bot, BotConfigVersion, BotStatus
from tenants.bots.services import bot_set_status

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
    version_bump(schema_name())
