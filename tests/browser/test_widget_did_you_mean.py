"""The "Did you mean …?" band in the real chat app: the suggested questions appear as chips under the
reply, and tapping one asks it (issue 11)."""

from __future__ import annotations

from tests.browser.widget_host import REPLY_TIMEOUT_MS, chromium, open_widget, widget_env  # noqa: F401


def test_did_you_mean_chips_ask_the_suggested_question(widget_env):  # noqa: F811
    from django_tenants.utils import schema_context

    from tenants.knowledge.services import faq_upsert

    with schema_context(widget_env.schema_name):
        for question, answer in (("Do you sell branded t-shirts?", "Ask at the front desk; sizes S to XL."),
                                 ("Can I buy a hoodie online?", "Yes, on our shop page, in any size.")):
            faq_upsert(bot_id=widget_env.bot_ids["coastal"], question=question, answer=answer)
    with chromium() as new_page:
        page = new_page()
        frame = open_widget(page, widget_env)
        frame.locator("#shl-input").fill("do you sell hoodies or shirts")
        frame.locator("#shl-input").press("Enter")
        reply = frame.locator(".msg.bot:not(.pending)").nth(1)
        reply.wait_for(state="visible", timeout=REPLY_TIMEOUT_MS)
        frame.locator("main.shl[aria-busy=false]").wait_for(state="attached")
        assert "Did you mean" in reply.inner_text()
        chips = frame.locator(".chips .chip")
        chips.first.wait_for(state="visible")
        labels = sorted(chips.all_inner_texts())
        assert labels == ["Can I buy a hoodie online?", "Do you sell branded t-shirts?"]
        frame.get_by_role("button", name="Can I buy a hoodie online?").click()
        answer = frame.locator(".msg.bot:not(.pending)").nth(2)
        answer.wait_for(state="visible", timeout=REPLY_TIMEOUT_MS)
        frame.locator("main.shl[aria-busy=false]").wait_for(state="attached")
        assert answer.locator(".bubble").inner_text() == "Yes, on our shop page, in any size."
        assert frame.locator(".msg.me .bubble").last.inner_text() == "Can I buy a hoodie online?"
        assert chips.count() == 0 or not frame.locator(".chips").is_visible()
