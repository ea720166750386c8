"""AX-1 sandbox and BEY-5 regression suite: same graph, nothing written, failing tests block approval."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from controlplane.audit.models import AuditLog
from tenants.bots.config import BotConfig
from tenants.bots.models import BotTestCase
from tenants.bots.sandbox import sandbox_reply
from tenants.bots.services import (
    bot_config_approve,
    bot_config_draft_create,
    bot_config_submit,
    bot_test_case_save,
)
from tenants.conversations.models import Conversation, Event, Message
from tenants.knowledge.services import faq_upsert
from tenants.leads.models import Lead
from tenants.review.models import ReviewItem
from tests.integration.bots.support import in_client, portal_as, primary_bot

pytestmark = pytest.mark.django_db


def _counts():
    return (Conversation.objects.count(), Message.objects.count(), Lead.objects.count(), Event.objects.count(),
            ReviewItem.objects.count())


def _usage_rows():
    from controlplane.billing.models import UsagePeriod

    return list(UsagePeriod.objects.order_by("pk").values())


def test_sandbox_runs_the_graph_and_writes_nothing(client_alpha, staff_user):
    usage_before = _usage_rows()
    with in_client(client_alpha):
        bot = primary_bot()
        faq_upsert(bot_id=bot.pk, question="Do you have gluten free pasta?", answer="Yes, every pasta dish.")
        config = BotConfig.model_validate(bot.published_version.config)
        before = _counts()
        answered = sandbox_reply(bot=bot, config=config, message="Do you have gluten free pasta?")
        crisis = sandbox_reply(bot=bot, config=config, message="I want to kill myself")
        lead = sandbox_reply(bot=bot, config=config, message="Book a table for 4, I'm Ann, 555-201-9999")
        assert answered.answered_by == "approved_faq"
        assert "every pasta dish" in answered.reply
        assert crisis.is_crisis
        assert "988" in crisis.reply
        assert lead.lead is not None  # the graph found a lead ...
        assert _counts() == before  # ... and nothing was stored: no conversation, message, lead, event, review
    assert _usage_rows() == usage_before


def test_portal_sandbox_chats_with_a_draft_and_keeps_no_rows(client_alpha, staff_user):
    staff = portal_as("staff")
    with in_client(client_alpha):
        bot = primary_bot()
        data = bot.published_version.config | {"fallback_message": "SANDBOX FALLBACK"}
        draft = bot_config_draft_create(bot=bot, config=BotConfig.model_validate(data), actor=staff_user)
        before = _counts()
    url = f"/portal/clients/alpha/bots/{bot.pk}/versions/{draft.number}/sandbox/"
    assert staff.get(url).status_code == 200
    response = staff.post(url, {"message": "What is the airspeed of a swallow?"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "SANDBOX FALLBACK" in body  # the draft's config answered, not the live one
    htmx = staff.post(url, {"message": "hello"}, HTTP_HX_REQUEST="true")
    assert htmx.status_code == 200
    assert "<html" not in htmx.content.decode()
    with in_client(client_alpha):
        assert _counts() == before


def _case(bot, actor, **kwargs):
    defaults = {"name": "pasta", "question": "Do you have gluten free pasta?", "expect_not_fallback": True,
                "expect_contains": "", "expect_crisis": None}
    return bot_test_case_save(bot=bot, actor=actor, **(defaults | kwargs))


def test_failing_saved_test_blocks_approval_until_overridden(client_alpha, staff_user, admin_user):
    with in_client(client_alpha):
        bot = primary_bot()
        faq_upsert(bot_id=bot.pk, question="Do you have gluten free pasta?", answer="Yes, every pasta dish.")
        _case(bot, staff_user, expect_contains="every pasta dish")
        _case(bot, staff_user, name="crisis", question="I want to end my life", expect_not_fallback=False,
              expect_crisis=True)
        _case(bot, staff_user, name="parking", question="Where can I park my spaceship?", expect_not_fallback=True)
        draft = bot_config_draft_create(bot=bot, config=BotConfig.model_validate(bot.published_version.config),
                                        actor=staff_user)
        bot_config_submit(version=draft, actor=staff_user)
        results = {r["name"]: r for r in draft.test_results}
        assert results["pasta"]["passed"]
        assert results["crisis"]["passed"]
        assert not results["parking"]["passed"]
        assert results["parking"]["failures"] == ["the bot fell back instead of answering"]
        with pytest.raises(ValidationError, match="fail"):
            bot_config_approve(version=draft, actor=admin_user)
        draft.refresh_from_db()
        assert draft.status == "submitted"
        bot_config_approve(version=draft, actor=admin_user, override_reason="Parking is answered by phone")
        assert draft.status == "approved"
        assert draft.override_reason == "Parking is answered by phone"
    entry = AuditLog.objects.get(action="bot.regression_overridden", target_id=str(draft.pk))
    assert entry.data["failing"] == ["parking"]
    assert entry.actor_email == admin_user.email


def test_portal_override_is_admin_only(client_alpha, staff_user):
    staff, admin = portal_as("staff"), portal_as("admin")
    with in_client(client_alpha):
        bot = primary_bot()
        _case(bot, staff_user, name="impossible", question="zzqx flurb", expect_contains="never-in-a-reply")
        draft = bot_config_draft_create(bot=bot, config=BotConfig.model_validate(bot.published_version.config),
                                        actor=staff_user)
    base = f"/portal/clients/alpha/bots/{bot.pk}/versions/{draft.number}"
    assert staff.post(f"{base}/submit/").status_code == 302
    assert staff.post(f"{base}/approve/", {"override_reason": "because"}).status_code == 403
    blocked = admin.post(f"{base}/approve/", {"comment": "ok"}, follow=True)
    assert "fail" in blocked.content.decode()
    with in_client(client_alpha):
        draft.refresh_from_db()
        assert draft.status == "submitted"
    assert admin.post(f"{base}/approve/", {"override_reason": "Known gap"}).status_code == 302
    with in_client(client_alpha):
        draft.refresh_from_db()
        assert draft.status == "approved"
        assert BotTestCase.objects.filter(bot=bot).count() == 1
