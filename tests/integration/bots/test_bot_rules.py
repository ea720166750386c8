"""BOT-3: intents, trigger keywords, quick replies, escalation and crisis keywords edited in one place,
validated with the pack schema, saved as versions, and live only once an admin approves them."""

from __future__ import annotations

import html
import uuid

import pytest

from controlplane.audit.models import AuditLog
from tenants.bots.diff import config_diff
from tenants.bots.selectors import bot_published_config
from tenants.conversations.services import message_reply
from tests.integration.bots.support import flash_messages, in_client, portal_as, primary_bot

pytestmark = pytest.mark.django_db
QUESTION = "Tell me about the flamingo festival"
REPLY = "The flamingo festival runs every August on the harbour lawn."


def _ask(client, bot, text: str) -> str:
    bot.refresh_from_db()
    return message_reply(bot=bot, config=bot_published_config(bot), client_id=client.pk, client_slug=client.slug,
                         visitor_key=f"r-{uuid.uuid4().hex[:12]}", conversation_id=None, text=text).reply


def _form(browser, bot, **changes):
    page = browser.get(f"/portal/clients/alpha/bots/{bot.pk}/rules/")
    assert page.status_code == 200
    data = {k: v for k, v in page.context["form"].initial.items() if v not in (None, False)}
    data.update(changes)
    return data


def test_an_approved_trigger_keyword_changes_the_live_bot_and_a_draft_does_not(client_alpha):
    staff, admin = portal_as("staff"), portal_as("admin")
    with in_client(client_alpha):
        bot = primary_bot()
        assert REPLY not in _ask(client_alpha, bot, QUESTION)
        live_number = bot.published_version.number
    data = _form(staff, bot)
    data["triggers"] = (data.get("triggers", "") + f"\nflamingo_festival | flamingo festival | offer_handoff | {REPLY}")
    response = staff.post(f"/portal/clients/alpha/bots/{bot.pk}/rules/", data, follow=True)
    assert response.status_code == 200
    assert any("Draft version" in m for m in flash_messages(response)), flash_messages(response)
    with in_client(client_alpha):
        draft = bot.versions.order_by("-number").first()
        assert draft.status == "draft"
        assert any(t["key"] == "flamingo_festival" for t in draft.config["triggers"])
        bot.refresh_from_db()
        assert bot.published_version.number == live_number
        assert REPLY not in _ask(client_alpha, bot, QUESTION)  # a draft changes nothing live
        changes = config_diff(bot.published_version.config, draft.config)
        assert [c.label for c in changes if "flamingo" in c.new]  # the version diff names the trigger
    version_page = html.unescape(staff.get(f"/portal/clients/alpha/bots/{bot.pk}/versions/{draft.number}/")
                                 .content.decode())
    assert "flamingo festival" in version_page
    assert staff.post(f"/portal/clients/alpha/bots/{bot.pk}/versions/{draft.number}/submit/").status_code == 302
    with in_client(client_alpha):
        assert REPLY not in _ask(client_alpha, bot, QUESTION)  # submitted is not approved either
    assert staff.post(f"/portal/clients/alpha/bots/{bot.pk}/versions/{draft.number}/approve/").status_code == 403
    assert admin.post(f"/portal/clients/alpha/bots/{bot.pk}/versions/{draft.number}/approve/",
                      {"comment": "ok"}).status_code == 302
    with in_client(client_alpha):
        assert REPLY in _ask(client_alpha, bot, QUESTION)
        bot.refresh_from_db()
        assert bot.published_version.number == draft.number
        assert bot.versions.filter(number=live_number).exists()  # the earlier version is kept
    assert AuditLog.objects.filter(action="bot.rules_drafted").count() == 1


def test_keyword_changes_of_intents_quick_replies_and_crisis_are_saved_together(client_alpha):
    staff = portal_as("staff")
    with in_client(client_alpha):
        bot = primary_bot()
    data = _form(staff, bot, intents="catering | service_request | cater, catering, party platter",
                 quick_replies="Book a table | I'd like to book a table\nTalk to a person | action: offer_handoff",
                 crisis_keywords="hurt myself, end it all",
                 email_on_handoff="on", note="Catering season")
    assert staff.post(f"/portal/clients/alpha/bots/{bot.pk}/rules/", data).status_code == 302
    with in_client(client_alpha):
        config = bot.versions.order_by("-number").first().config
    assert config["intents"] == [{"name": "catering", "lead_type": "service_request",
                                  "keywords": ["cater", "catering", "party platter"]}]
    assert config["quick_replies"][1] == {"label": "Talk to a person", "message": None, "action": "offer_handoff"}
    assert config["crisis"]["keywords"] == ["hurt myself", "end it all"]


@pytest.mark.parametrize(("field", "value", "problem"), [
    ("triggers", "party | party | throw_confetti", "Triggers, line 1"),
    ("triggers", "Bad Key | party | offer_handoff", "Triggers, line 1"),
    ("triggers", "menu | menu | show_class_schedule", "only works for gym"),
    ("intents", "catering | banquet | cater", "Intents, line 1"),
    ("intents", "catering | service_request", "Intents, line 1"),
    ("quick_replies", "A label far too long to ever fit on a phone screen chip | hi", "Quick replies, line 1"),
    ("quick_replies", "Just a label", "Quick replies, line 1"),
])
def test_invalid_rules_are_refused_with_the_line_and_nothing_is_saved(client_alpha, field, value, problem):
    staff = portal_as("staff")
    with in_client(client_alpha):
        bot = primary_bot()
        versions = bot.versions.count()
    response = staff.post(f"/portal/clients/alpha/bots/{bot.pk}/rules/", _form(staff, bot, **{field: value}))
    assert response.status_code == 400
    text = html.unescape(response.content.decode())
    assert problem in text
    assert value.split(" | ")[0] in text  # what they typed is still in the form
    with in_client(client_alpha):
        assert bot.versions.count() == versions


def test_pack_defaults_are_shown_and_admins_can_start_from_them(client_alpha):
    staff, admin = portal_as("staff"), portal_as("admin")
    with in_client(client_alpha):
        bot = primary_bot()
    page = html.unescape(staff.get(f"/portal/clients/alpha/bots/{bot.pk}/rules/").content.decode())
    assert "The industry pack's defaults" in page
    assert "Start from the pack" not in page  # the button is an admin's
    start = admin.get(f"/portal/clients/alpha/bots/{bot.pk}/rules/?from=pack")
    assert start.status_code == 200
    assert start.context["from_pack"] is True
    assert start.context["form"].initial["triggers"]
