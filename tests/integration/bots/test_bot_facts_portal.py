"""BOT-1 in the portal: hours, holidays, services and notes go through draft → approve, the bot answers
from them, and a version without hours or contact facts cannot be approved."""

from __future__ import annotations

import pytest

from tenants.bots.selectors import bot_published_config
from tenants.conversations.services import message_reply
from tests.integration.bots.support import in_client, portal_as, primary_bot

pytestmark = pytest.mark.django_db


def _edit(client, staff, bot, **changes):  # type: ignore[no-untyped-def]
    base = f"/portal/clients/alpha/bots/{bot.pk}"
    form = staff.get(f"{base}/edit/")
    data = {k: v for k, v in form.context["form"].initial.items() if v is not None}
    data.update(dragon_mode="", note="facts", **changes)
    return base, staff.post(f"{base}/edit/", data)


def test_facts_edited_in_the_portal_are_answered_after_approval(client_alpha):
    staff, admin = portal_as("staff"), portal_as("admin")
    with in_client(client_alpha):
        bot = primary_bot()
    base, response = _edit(client_alpha, staff, bot, hours_sat="08:00-12:00", hours_sun="closed",
                           holidays="2026-12-25 Christmas Day: closed",
                           services="Skin Fade | 35 | 45 | Fade down to the skin\nBeard Trim | 15",
                           notes="parking | park, parking | Free parking behind the shop.",
                           alert_recipients="owner@alpha.example, +12075550100")
    assert response.status_code == 302, response.content.decode()[:1500]
    with in_client(client_alpha):
        draft = bot.versions.order_by("-number").first()
    business = draft.config["business"]
    assert {"weekday": 5, "opens": "08:00", "closes": "12:00"} in business["hours"]
    assert business["services"][0] == {"name": "Skin Fade", "price": 35.0, "price_note": "", "duration_minutes": 45,
                                       "description": "Fade down to the skin"}
    assert business["holidays"][0]["date"] == "2026-12-25"
    assert draft.config["crisis"]["alert_recipients"] == ["owner@alpha.example", "+12075550100"]
    assert staff.post(f"{base}/versions/{draft.number}/submit/").status_code == 302
    with in_client(client_alpha):
        from tenants.knowledge.rebuild import knowledge_rebuild_request, knowledge_rebuild_run

        rebuild, _ = knowledge_rebuild_request(bot_id=bot.pk)
        knowledge_rebuild_run(rebuild_id=rebuild.pk)
    assert admin.post(f"{base}/versions/{draft.number}/approve/", {"comment": "ok"}).status_code == 302
    with in_client(client_alpha):
        bot.refresh_from_db()
        config = bot_published_config(bot)
        replies = [message_reply(bot=bot, config=config, client_id=client_alpha.pk, client_slug="alpha",
                                 visitor_key=f"facts-{n}", conversation_id=None, text=text).reply
                   for n, text in enumerate(["sat hours?", "how much is a skin fade?", "where do I park?"])]
    assert replies[0] == "On Saturday we're open 8am–12pm."
    assert replies[1].startswith("Skin Fade is $35, and takes about 45 minutes.")
    assert replies[2] == "Free parking behind the shop."


def test_bad_hours_are_a_form_error_and_empty_facts_cannot_be_approved(client_alpha):
    staff, admin = portal_as("staff"), portal_as("admin")
    with in_client(client_alpha):
        bot = primary_bot()
    _, response = _edit(client_alpha, staff, bot, hours_mon="9am to 5pm")
    assert response.status_code == 400
    assert "is not HH:MM-HH:MM or &#x27;closed&#x27;" in response.content.decode()
    days = {f"hours_{d}": "" for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
    base, response = _edit(client_alpha, staff, bot, business_phone="", business_email="", **days)
    assert response.status_code == 302
    with in_client(client_alpha):
        draft = bot.versions.order_by("-number").first()
    assert staff.post(f"{base}/versions/{draft.number}/submit/").status_code == 302
    with in_client(client_alpha):
        from tenants.knowledge.rebuild import knowledge_rebuild_request, knowledge_rebuild_run

        rebuild, _ = knowledge_rebuild_request(bot_id=bot.pk)
        knowledge_rebuild_run(rebuild_id=rebuild.pk)
    page = admin.post(f"{base}/versions/{draft.number}/approve/", {"comment": "ok"}, follow=True)
    assert "add opening hours and a phone number or email" in page.content.decode()
    with in_client(client_alpha):
        bot.refresh_from_db()
        assert bot.published_version.number != draft.number
