"""The bots follow what billing decides (controlplane.billing.signals). A new client's default bot is
created by tenants.knowledge.receivers, which also seeds its starter knowledge."""

from typing import Any

from django.dispatch import receiver
from django_tenants.utils import schema_context

from controlplane.billing import signals as billing_signals
from tenants.bots.models import Bot, BotStatus
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
