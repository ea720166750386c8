from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from controlplane.audit.services import audit_record
from tenants.bots.config import (
    BotConfig,
    BusinessInfo,
    bot_config_from_pack,
    missing_business_facts,
    missing_details,
)
from tenants.bots.diff import business_info_changed
from tenants.bots.models import Bot, BotConfigVersion, BotStatus, BotTestCase
from tenants.bots.sandbox import regression_run
from tenants.bots.selectors import bot_knowledge_rebuilt_since


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
            action="bot.status_changed", actor=actor, target=bot, data={"from": previous, "to": status, "reason": reason}, request=request,
        )
    return bot


def bot_config_draft_create(*, bot: Bot, config: BotConfig, actor: Any = None, note: str = "",
                            action: str = "bot.config_drafted", request: Any = None,
                            data: dict[str, Any] | None = None) -> BotConfigVersion:
    """KB-5/BOT-4: every change is a new draft. BOT-5: a draft that changes business info marks
    the bot needs_update until its knowledge is rebuilt and the draft approved."""
    payload = config.model_dump(mode="json")
    published = bot.published_version.config if bot.published_version_id else None  # type: ignore[union-attr]
    requires_rebuild = published is not None and business_info_changed(published, payload)
    with transaction.atomic():
        Bot.objects.select_for_update().filter(pk=bot.pk).first()
        number = (bot.versions.aggregate(n=Max("number"))["n"] or 0) + 1
        version = BotConfigVersion.objects.create(
            bot=bot, number=number, config=payload, note=note[:300], created_by=_actor_email(actor),
            requires_rebuild=requires_rebuild,
        )
        audit_record(action=action, actor=actor, target=version, request=request, data={"bot_id": bot.pk, "number": number, "note": note,
                                            "requires_rebuild": requires_rebuild, **(data or {})})
        if requires_rebuild:
            bot_set_status(bot=bot, status=BotStatus.NEEDS_UPDATE, actor=actor, request=request,
                           reason=f"Business info changed in draft v{number}: rebuild knowledge, then approve")
    return version


def bot_config_submit(*, version: BotConfigVersion, actor: Any = None, request: Any = None,
                      run_regression: bool = True) -> BotConfigVersion:
    """Staff hand a draft to an admin. BEY-5: the bot's saved test conversations run now, in the
    sandbox, and their results stay on the version for the approver."""
    if version.status != BotConfigVersion.Status.DRAFT:
        raise ValidationError(f"Only a draft can be submitted; version {version.number} is {version.status}.")
    BotConfig.model_validate(version.config)
    results = []
    if run_regression:
        results = [outcome.as_json() for outcome in regression_run(version=version)]
    failed = [r["name"] for r in results if not r["passed"]]
    with transaction.atomic():
        version.status = BotConfigVersion.Status.SUBMITTED
        version.submitted_at = timezone.now()
        version.test_results = results
        version.save(update_fields=["status", "submitted_at", "test_results"])
        audit_record(action="bot.config_submitted", actor=actor, target=version, request=request,
                     data={"number": version.number, "tests_run": len(results), "tests_failed": failed})
    return version


def _require_admin(actor: Any, what: str) -> None:
    if not getattr(actor, "is_platform_admin", False):
        raise PermissionDenied(f"Only a platform admin can {what}.")


def version_failing_tests(version: BotConfigVersion) -> list[dict[str, Any]]:
    return [r for r in version.test_results if not r.get("passed")]


def bot_config_approve(*, version: BotConfigVersion, actor: Any = None, comment: str = "",
                       system: bool = False, override_reason: str = "", request: Any = None) -> BotConfigVersion:
    """Approve and publish. Only a platform admin may approve (or the system, e.g. seeding).

    A failing regression test (BEY-5) blocks approval unless the admin overrides it with a
    reason; a draft that changed business info (BOT-5) needs a knowledge rebuild first.
    """
    if not system:
        _require_admin(actor, "approve a bot configuration")
    if version.status != BotConfigVersion.Status.SUBMITTED:
        raise ValidationError(f"Only a submitted version can be approved; version {version.number} is "
                              f"{version.status}.")
    config = BotConfig.model_validate(version.config)
    missing = missing_business_facts(config.business)
    if missing and not system:
        raise ValidationError("This bot can't be published yet: add " + " and ".join(missing)
                              + " to its business facts, so visitors asking for them get an answer.")
    failing = version_failing_tests(version)
    override_reason = override_reason.strip()
    if failing and not override_reason:
        raise ValidationError(f"{len(failing)} saved test conversation(s) fail on this version. Fix them, or "
                              "override with a reason.")
    if version.requires_rebuild and not system:
        if not bot_knowledge_rebuilt_since(bot=version.bot, since=version.created_at):
            raise ValidationError("This version changes business info: rebuild the bot's knowledge first.")
    now = timezone.now()
    with transaction.atomic():
        version.status = BotConfigVersion.Status.APPROVED
        version.reviewed_by = _actor_email(actor)
        version.reviewed_at = now
        version.review_comment = comment
        version.published_at = now
        version.override_reason = override_reason if failing else ""
        version.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_comment", "published_at",
                                    "override_reason"])
        bot = version.bot
        previous = bot.published_version_id
        bot.published_version = version
        bot.save(update_fields=["published_version", "updated_at"])
        if failing:
            audit_record(action="bot.regression_overridden", actor=actor, target=version, request=request,
                         data={"number": version.number, "reason": override_reason,
                               "failing": [r["name"] for r in failing]})
        audit_record(action="bot.config_approved", actor=actor, target=version, request=request,
                     data={"number": version.number, "comment": comment, "replaces_version_id": previous})
        if bot.status == BotStatus.NEEDS_UPDATE and not system and not BotConfigVersion.objects.filter(
                bot=bot, requires_rebuild=True, status__in=["draft", "submitted"]).exists():
            bot_set_status(bot=bot, status=BotStatus.ACTIVE, actor=actor, request=request,
                           reason=f"Version {version.number} approved")
    return version


def bot_config_reject(*, version: BotConfigVersion, actor: Any, comment: str, request: Any = None) -> BotConfigVersion:
    _require_admin(actor, "reject a bot configuration")
    if version.status != BotConfigVersion.Status.SUBMITTED:
        raise ValidationError(f"Only a submitted version can be rejected; version {version.number} is "
                              f"{version.status}.")
    if not comment.strip():
        raise ValidationError("Say why the version is rejected, so the author can fix it.")
    with transaction.atomic():
        version.status = BotConfigVersion.Status.REJECTED
        version.reviewed_by = _actor_email(actor)
        version.reviewed_at = timezone.now()
        version.review_comment = comment.strip()
        version.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_comment"])
        audit_record(action="bot.config_rejected", actor=actor, target=version, request=request,
                     data={"number": version.number, "comment": comment})
        if version.requires_rebuild:
            bot_needs_update_recheck(bot_id=version.bot_id, actor=actor, request=request,
                                     reason=f"Version {version.number} rejected")
    return version


def bot_needs_update_recheck(*, bot_id: int, actor: Any = None, reason: str = "", request: Any = None) -> bool:
    """BOT-5/BOT-4: "needs update" set by a business-info change clears once nothing holds it any more:
    no such change still waits for approval and the live configuration has the facts it must have.
    Called when a knowledge rebuild finishes and when a pending change is rejected. A bot marked at
    provisioning for missing pack details (no business-info version yet) keeps its mark."""
    bot = Bot.objects.select_related("published_version").filter(pk=bot_id).first()
    if bot is None or bot.status != BotStatus.NEEDS_UPDATE or bot.published_version is None:
        return False
    changes = BotConfigVersion.objects.filter(bot=bot, requires_rebuild=True)
    if not changes.exists() or changes.filter(status__in=["draft", "submitted"]).exists():
        return False
    if missing_business_facts(BotConfig.model_validate(bot.published_version.config).business):
        return False
    bot_set_status(bot=bot, status=BotStatus.ACTIVE, actor=actor, request=request, reason=reason)
    return True


def bot_config_restore(*, version: BotConfigVersion, actor: Any, request: Any = None) -> BotConfigVersion:
    """KB-5: any earlier version comes back as a new draft (history is never rewritten)."""
    config = BotConfig.model_validate(version.config)
    return bot_config_draft_create(bot=version.bot, config=config, actor=actor, request=request,
                                   note=f"Restored from version {version.number}", action="bot.config_restored",
                                   data={"restored_from": version.number})


def bot_config_publish_initial(*, bot: Bot, config: BotConfig) -> BotConfigVersion:
    """Provisioning and seeding: the first configuration, approved by the system and audited."""
    version = bot_config_draft_create(bot=bot, config=config, note="Initial configuration")
    bot_config_submit(version=version, run_regression=False)
    return bot_config_approve(version=version, system=True, comment="Initial configuration from industry pack")


def bot_latest_config(bot: Bot) -> BotConfig:
    """What a new draft starts from: the newest version, else a minimal config."""
    latest = bot.versions.order_by("-number").first()
    if latest is None:
        return BotConfig(business=BusinessInfo(name=bot.name))
    return BotConfig.model_validate(latest.config)


def bot_pack_apply(*, bot: Bot, pack_key: str, business_name: str, details: dict[str, str], actor: Any,
                   request: Any = None) -> BotConfigVersion:
    """IND-*: an industry pack, with the business details it asks for, becomes a new draft."""
    # Lazy: industry_modes parses its YAML packs on first import (decision 0013).
    from industry_modes import load_pack

    pack = load_pack(pack_key)
    details = {k: v.strip() for k, v in details.items() if v and v.strip()}
    config = bot_config_from_pack(pack, business_name=business_name, details=details)
    base = bot.published_version.config if bot.published_version_id else None  # type: ignore[union-attr]
    if base is not None:  # what the pack does not cover (hours, address, widget colours) is kept
        kept = BotConfig.model_validate(base)
        config = config.model_copy(update={
            "business": config.business.model_copy(update={
                "hours": kept.business.hours, "timezone": kept.business.timezone,
                "description": kept.business.description,
                "address": config.business.address or kept.business.address,
                "email": config.business.email or kept.business.email,
                "website": config.business.website or kept.business.website}),
            "widget": kept.widget.model_copy(update={"welcome_message": config.widget.welcome_message}),
            "routing": kept.routing,
        })
    missing = missing_details(pack, {"business_name": business_name, **details})
    note = f"Applied the {pack.key.replace('_', ' ')} pack (v{pack.version})"
    if missing:
        note += "; still missing: " + ", ".join(missing)
    return bot_config_draft_create(bot=bot, config=BotConfig.model_validate(config.model_dump(mode="json")),
                                   actor=actor, note=note, action="bot.pack_applied", request=request,
                                   data={"pack": pack.key, "missing_details": missing})


def bot_test_case_save(*, bot: Bot, name: str, question: str, expect_not_fallback: bool, expect_contains: str,
                       expect_crisis: bool | None, actor: Any, case: BotTestCase | None = None,
                       request: Any = None) -> BotTestCase:
    if not name.strip() or not question.strip():
        raise ValidationError("A test conversation needs a name and a question.")
    with transaction.atomic():
        case = case or BotTestCase(bot=bot, created_by=_actor_email(actor))
        case.name, case.question = name.strip()[:120], question.strip()
        case.expect_not_fallback, case.expect_contains = expect_not_fallback, expect_contains.strip()[:200]
        case.expect_crisis = expect_crisis
        case.save()
        audit_record(action="bot.test_case_saved", actor=actor, target=case, request=request,
                     data={"bot_id": bot.pk, "name": case.name})
    return case


def bot_test_case_delete(*, case: BotTestCase, actor: Any, request: Any = None) -> None:
    with transaction.atomic():
        audit_record(action="bot.test_case_deleted", actor=actor, target=case, request=request,
                     data={"bot_id": case.bot_id, "name": case.name})
        case.delete()
