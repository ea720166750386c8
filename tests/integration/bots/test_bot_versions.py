"""KB-5/BOT-4/BOT-5/IND-*: the version state machine, through services and through the portal."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from controlplane.audit.models import AuditLog
from tenants.bots.config import BotConfig
from tenants.bots.diff import config_diff
from tenants.bots.models import BotConfigVersion, BotStatus
from tenants.bots.services import (
    bot_config_approve,
    bot_config_draft_create,
    bot_config_reject,
    bot_config_restore,
    bot_config_submit,
    bot_pack_apply,
)
from tests.integration.bots.support import in_client, portal_as, primary_bot

pytestmark = pytest.mark.django_db


def _draft(bot, actor, **changes):
    config = BotConfig.model_validate(bot.published_version.config)
    data = config.model_dump(mode="json")
    for key, value in changes.items():
        section, _, field = key.partition("__")
        if field:
            data[section][field] = value
        else:
            data[section] = value
    return bot_config_draft_create(bot=bot, config=BotConfig.model_validate(data), actor=actor, note="test")


def _actions(since_id: int) -> list[str]:
    return list(AuditLog.objects.filter(id__gt=since_id).order_by("id").values_list("action", flat=True))


def _last_audit_id() -> int:
    return AuditLog.objects.order_by("-id").values_list("id", flat=True).first() or 0


def test_draft_submit_approve_publishes_and_audits_every_step(client_alpha, staff_user, admin_user):
    start = _last_audit_id()
    with in_client(client_alpha):
        bot = primary_bot()
        live_before = bot.published_version_id
        draft = _draft(bot, staff_user, fallback_message="Ask us anything else!")
        bot.refresh_from_db()
        assert bot.published_version_id == live_before  # a draft is never live
        bot_config_submit(version=draft, actor=staff_user)
        with pytest.raises(PermissionDenied):
            bot_config_approve(version=draft, actor=staff_user)
        draft.refresh_from_db()
        assert draft.status == BotConfigVersion.Status.SUBMITTED
        bot_config_approve(version=draft, actor=admin_user, comment="Looks good")
        bot.refresh_from_db()
        assert bot.published_version_id == draft.pk
        assert draft.status == "approved"
        assert draft.reviewed_by == admin_user.email
    assert _actions(start) == ["bot.config_drafted", "bot.config_submitted", "bot.config_approved"]
    approved = AuditLog.objects.get(id__gt=start, action="bot.config_approved")
    assert approved.client_slug == "alpha"
    assert approved.actor_email == admin_user.email
    assert approved.data["comment"] == "Looks good"


def test_only_submitted_versions_can_be_approved_or_rejected(client_alpha, staff_user, admin_user):
    with in_client(client_alpha):
        bot = primary_bot()
        draft = _draft(bot, staff_user, fallback_message="x" * 10)
        with pytest.raises(ValidationError):
            bot_config_approve(version=draft, actor=admin_user)
        with pytest.raises(ValidationError):
            bot_config_reject(version=draft, actor=admin_user, comment="no")
        bot_config_submit(version=draft, actor=staff_user)
        with pytest.raises(ValidationError, match="Say why"):
            bot_config_reject(version=draft, actor=admin_user, comment=" ")
        bot_config_reject(version=draft, actor=admin_user, comment="Tone is off")
        assert draft.status == "rejected"
        assert draft.review_comment == "Tone is off"
        with pytest.raises(ValidationError):
            bot_config_approve(version=draft, actor=admin_user)
        with pytest.raises(ValidationError):
            bot_config_submit(version=draft, actor=staff_user)
        bot.refresh_from_db()
        assert bot.published_version_id != draft.pk


def test_restore_makes_a_new_draft_with_the_old_config(client_alpha, staff_user, admin_user):
    with in_client(client_alpha):
        bot = primary_bot()
        original = bot.published_version
        draft = _draft(bot, staff_user, fallback_message="Changed fallback")
        bot_config_submit(version=draft, actor=staff_user)
        bot_config_approve(version=draft, actor=admin_user)
        restored = bot_config_restore(version=original, actor=staff_user)
        assert restored.status == "draft"
        assert restored.number == draft.number + 1
        assert restored.config == original.config
        assert restored.note == f"Restored from version {original.number}"
        assert AuditLog.objects.filter(action="bot.config_restored", target_id=str(restored.pk)).exists()
        bot.refresh_from_db()
        assert bot.published_version_id == draft.pk  # restoring publishes nothing by itself


def test_diff_is_field_level_and_readable():
    old = {"business": {"name": "A", "phone": ""}, "intents": [{"name": "hours", "keywords": ["open"]}],
           "booking_url": ""}
    new = {"business": {"name": "A", "phone": "555"}, "intents": [{"name": "hours", "keywords": ["open", "close"]}],
           "booking_url": "https://x.test"}
    changes = {c.path: c for c in config_diff(old, new)}
    assert set(changes) == {"business.phone", "intents[0].keywords", "booking_url"}
    assert changes["business.phone"].label == "Business info › phone"
    assert (changes["business.phone"].old, changes["business.phone"].new) == ("(empty)", "555")
    assert changes["intents[0].keywords"].label == "Intents #1 › keywords"
    assert changes["intents[0].keywords"].new == "open, close"


def test_business_info_change_needs_rebuild_before_approval(client_alpha, staff_user, admin_user):
    from tenants.knowledge.rebuild import knowledge_rebuild_request, knowledge_rebuild_run

    with in_client(client_alpha):
        bot = primary_bot()
        assert bot.status == BotStatus.ACTIVE
        draft = _draft(bot, staff_user, business__phone="(555) 999-0000")
        bot.refresh_from_db()
        assert draft.requires_rebuild
        assert bot.status == BotStatus.NEEDS_UPDATE
        bot_config_submit(version=draft, actor=staff_user)
        with pytest.raises(ValidationError, match="rebuild"):
            bot_config_approve(version=draft, actor=admin_user)
        rebuild, _ = knowledge_rebuild_request(bot_id=bot.pk, actor=staff_user)
        assert knowledge_rebuild_run(rebuild_id=rebuild.pk).state == "done"
        bot_config_approve(version=draft, actor=admin_user)
        bot.refresh_from_db()
        assert bot.status == BotStatus.ACTIVE
        assert bot.published_version_id == draft.pk


def test_applying_a_pack_creates_a_draft_from_its_placeholders(client_alpha, staff_user):
    with in_client(client_alpha):
        bot = primary_bot()
        live = bot.published_version_id
        version = bot_pack_apply(bot=bot, pack_key="gym", business_name="Alpha Fitness",
                                 details={"business_phone": "(555) 123-4567", "booking_url": "https://a.test/book"},
                                 actor=staff_user)
        config = BotConfig.model_validate(version.config)
        assert version.status == "draft"
        assert config.industry_mode == "gym"
        assert config.business.name == "Alpha Fitness"
        assert config.booking_url == "https://a.test/book"
        assert "business_email" in version.note  # the gym pack also wants an email
        assert any(i.name for i in config.intents)
        bot.refresh_from_db()
        assert bot.published_version_id == live
        assert bot.status == BotStatus.NEEDS_UPDATE


# --- the same through the portal -------------------------------------------------------------------

def test_portal_workflow_staff_drafts_and_admin_approves(client_alpha):
    staff, admin = portal_as("staff"), portal_as("admin")
    with in_client(client_alpha):
        bot = primary_bot()
    base = f"/portal/clients/alpha/bots/{bot.pk}"
    form = staff.get(f"{base}/edit/")
    assert form.status_code == 200
    data = {k: v for k, v in form.context["form"].initial.items()}
    data.update(fallback_message="Portal fallback", note="from the portal", dragon_mode="")
    response = staff.post(f"{base}/edit/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    with in_client(client_alpha):
        draft = bot.versions.order_by("-number").first()
    assert draft.config["fallback_message"] == "Portal fallback"
    assert draft.created_by == "staff@agency.test"
    assert staff.post(f"{base}/versions/{draft.number}/submit/").status_code == 302
    # Staff cannot approve: 403 and nothing changes.
    assert staff.post(f"{base}/versions/{draft.number}/approve/", {"comment": "ok"}).status_code == 403
    assert staff.post(f"{base}/versions/{draft.number}/reject/", {"comment": "no"}).status_code == 403
    with in_client(client_alpha):
        draft.refresh_from_db()
        assert draft.status == "submitted"
    page = admin.get(f"{base}/versions/{draft.number}/")
    assert page.status_code == 200
    assert "Portal fallback" in page.content.decode()
    assert admin.post(f"{base}/versions/{draft.number}/approve/", {"comment": "ship it"}).status_code == 302
    with in_client(client_alpha):
        bot.refresh_from_db()
        assert bot.published_version.number == draft.number
    diff = admin.get(f"{base}/diff/?a={draft.number - 1}&b={draft.number}")
    assert diff.status_code == 200
    assert "Fallback message" in diff.content.decode()


def test_portal_pack_apply_form_asks_for_the_packs_details(client_alpha):
    staff = portal_as("staff")
    with in_client(client_alpha):
        bot = primary_bot()
    page = staff.get(f"/portal/clients/alpha/bots/{bot.pk}/apply-pack/?pack=auto_service")
    assert page.status_code == 200
    fields = set(page.context["form"].fields)
    assert {"detail_business_phone", "detail_booking_url"} <= fields
    assert "detail_menu_url" not in fields
    response = staff.post(f"/portal/clients/alpha/bots/{bot.pk}/apply-pack/", {
        "pack": "auto_service", "business_name": "Alpha Autos", "detail_business_phone": "555-0100",
        "detail_booking_url": "https://alpha.example/book"})
    assert response.status_code == 302
    with in_client(client_alpha):
        version = bot.versions.order_by("-number").first()
        assert version.config["industry_mode"] == "auto_service"
        assert version.status == "draft"
