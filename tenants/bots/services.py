from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from controlplane.audit.services import audit_record
from tenants.bots.config import BotConfig
from tenants.bots.models import Bot, BotConfigVersion, BotStatus


def _current_client_slug() -> str:
    return getattr(getattr(connection, "tenant", None), "slug", "") or ""


def _actor_email(actor: Any) -> str:
    return getattr(actor, "email", "") or "system"


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


def bot_config_draft_create(*, bot: Bot, config: BotConfig, actor: Any = None, note: str = "") -> BotConfigVersion:
    with transaction.atomic():
        Bot.objects.select_for_update().filter(pk=bot.pk).first()
        number = (bot.versions.aggregate(n=Max("number"))["n"] or 0) + 1
        version = BotConfigVersion.objects.create(
            bot=bot, number=number, config=config.model_dump(mode="json"), note=note,
            created_by=_actor_email(actor),
        )
        audit_record(action="bot.config_drafted", actor=actor, target=version, client_slug=_current_client_slug(),
                     data={"bot_id": bot.pk, "number": number, "note": note})
    return version


def bot_config_submit(*, version: BotConfigVersion, actor: Any = None) -> BotConfigVersion:
    if version.status != BotConfigVersion.Status.DRAFT:
        raise ValidationError(f"Only a draft can be submitted; version {version.number} is {version.status}.")
    with transaction.atomic():
        version.status = BotConfigVersion.Status.SUBMITTED
        version.submitted_at = timezone.now()
        version.save(update_fields=["status", "submitted_at"])
        audit_record(action="bot.config_submitted", actor=actor, target=version,
                     client_slug=_current_client_slug(), data={"number": version.number})
    return version


def bot_config_approve(*, version: BotConfigVersion, actor: Any = None, comment: str = "",
                       system: bool = False) -> BotConfigVersion:
    """Approve and publish. Only a platform admin may approve (or the system, e.g. seeding)."""
    if not system and not getattr(actor, "is_platform_admin", False):
        raise PermissionDenied("Only a platform admin can approve a bot configuration.")
    if version.status != BotConfigVersion.Status.SUBMITTED:
        raise ValidationError(f"Only a submitted version can be approved; version {version.number} is "
                              f"{version.status}.")
    BotConfig.model_validate(version.config)
    now = timezone.now()
    with transaction.atomic():
        version.status = BotConfigVersion.Status.APPROVED
        version.reviewed_by = _actor_email(actor)
        version.reviewed_at = now
        version.review_comment = comment
        version.published_at = now
        version.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_comment", "published_at"])
        bot = version.bot
        bot.published_version = version
        bot.save(update_fields=["published_version", "updated_at"])
        audit_record(action="bot.config_approved", actor=actor, target=version,
                     client_slug=_current_client_slug(), data={"number": version.number, "comment": comment})
    return version


def bot_config_publish_initial(*, bot: Bot, config: BotConfig) -> BotConfigVersion:
    """Provisioning and seeding: the first configuration, approved by the system and audited."""
    version = bot_config_draft_create(bot=bot, config=config, note="Initial configuration")
    bot_config_submit(version=version)
    return bot_config_approve(version=version, system=True, comment="Initial configuration from industry pack")
