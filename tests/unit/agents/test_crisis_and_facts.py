"""Crisis/at-risk detection (BOT-2), business facts (BOT-1) and pack actions (IND-*) in the graph."""

from __future__ import annotations

from dataclasses import fields
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from agents.conversation import BotRunContext, CrisisSettings, Ports, Turn, TurnResult, conversation_reply
from agents.conversation.actions import ACTIONS
from agents.conversation.context import QuickReply, Trigger
from agents.conversation.facts import (
    BusinessFacts,
    DayHours,
    FactNote,
    HolidayHours,
    ServiceFact,
    answer_from_facts,
)
from agents.detection import classify_text
from agents.embeddings import Embedder
from agents.providers import OfflineModelProvider

CRISIS = [
    "there's a bottle of pills in front of me and I'm not sure I want to be here tomorrow",
    "I've been thinking about ending it",
    "I think I took too much, my heart is racing",
    "I don't see the point anymore",
    "I cut myself again last night",
    "I relapsed last night and I'm scared",
    "I mixed xanax and alcohol",
    "i won't be around much longer",
    "I wrote a goodbye letter to my kids",
    "I bought a gun and I'm going to use it on myself",
    "I got a rope today and I know what I'm going to do with it tonight",
    "how many of my pills would it take to not wake up",
]
AT_RISK = [
    "I used again last night and I feel like garbage",
    "I can't stop shaking, I haven't had a drink in two days",
    "I've been having really bad cravings",
    "I feel so hopeless lately",
]
ORDINARY = [
    "I'm dying to try your brunch",
    "killer deals",
    "what happens if someone relapses at your house?",
    "Does the program help with withdrawal?",
    "I had too much to eat at your brunch lol",
    "I want to end my membership",
    "how do I end my lease early",
    "This traffic is killing me, running late",
    "I'm not suicidal, just asking about rooms",
    "can I use the gift card on myself or is it only for a friend?",
    "do you have a rope climb in the gym? I'm going to try it",
    "I have a gun at home, is that allowed in the house?",
]


@pytest.mark.parametrize("text", CRISIS)
def test_direct_and_indirect_crisis_wording(text: str, embedder: Embedder) -> None:
    assert classify_text(text, embedder=embedder).crisis_level == "crisis"


@pytest.mark.parametrize("text", AT_RISK)
def test_at_risk_wording(text: str, embedder: Embedder) -> None:
    assert classify_text(text, embedder=embedder).crisis_level == "at_risk"


@pytest.mark.parametrize("text", ORDINARY)
def test_scary_words_in_ordinary_messages_are_not_alarms(text: str, embedder: Embedder) -> None:
    assert classify_text(text, embedder=embedder).crisis_level == "none"


FACTS = BusinessFacts(
    phone="(555) 422-9031",
    email="hi@fadelab.example",
    address="14 Harbor St, Portland, ME",
    timezone="America/New_York",
    hours=(*(DayHours(d, "09:00", "19:00") for d in range(5)), DayHours(5, "10:00", "16:00")),
    holidays=(HolidayHours(date(2026, 12, 25), "Christmas Day"),),
    services=(ServiceFact("Skin Fade", 35, duration_minutes=45, description="Fade down to the skin."),
              ServiceFact("Beard Trim", 15, price_note="from", duration_minutes=20)),
    notes=(FactNote("parking", ("park", "parking"), "Free parking behind the shop on Elm St."),),
)
NOW = datetime(2026, 12, 9, 12, 0, tzinfo=ZoneInfo("America/New_York"))  # a Wednesday


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("sat hours?", "On Saturday we're open 10am–4pm."),
        ("are you open sunday", "On Sunday we're closed."),
        ("what are your hours", "Monday–Friday 9am–7pm; Saturday 10am–4pm; Sunday closed"),
        ("how much is a skin fade?", "Skin Fade is $35"),
        ("where do I park?", "Free parking behind the shop"),
        ("what's your phone number", "(555) 422-9031"),
        ("what's your address?", "14 Harbor St"),
        ("prices", "Beard Trim: from $15"),
    ],
)
def test_answers_from_business_facts(question: str, expected: str) -> None:
    answer = answer_from_facts(FACTS, question, now=NOW)
    assert answer is not None
    assert expected in answer.text


@pytest.mark.parametrize("question", ["What's on the menu?", "Can I see your menu", "menu?"])
def test_the_whole_menu_gets_the_price_list(question: str) -> None:
    answer = answer_from_facts(FACTS, question, now=NOW)
    assert answer is not None
    assert answer.topic == "prices"
    assert "Beard Trim: from $15" in answer.text


@pytest.mark.parametrize("question", ["Do you have vegan dishes on the menu?", "Does the menu change with the seasons?"])
def test_a_question_about_something_on_the_menu_is_left_to_retrieval(question: str) -> None:
    assert answer_from_facts(FACTS, question, now=NOW) is None


def test_holiday_exception_and_follow_up() -> None:
    christmas = answer_from_facts(FACTS, "are you open on friday?", now=datetime(2026, 12, 23, tzinfo=ZoneInfo("UTC")))
    assert christmas is not None
    assert "Christmas Day" in christmas.text
    assert "closed" in christmas.text
    follow = answer_from_facts(FACTS, "and on sunday?", previous_topics=("hours",), now=NOW)
    assert follow is not None
    assert follow.text == "On Sunday we're closed."
    assert answer_from_facts(FACTS, "and on sunday?", now=NOW) is None
    assert answer_from_facts(BusinessFacts(), "what are your hours") is None


def _context(**changes: object) -> BotRunContext:
    base = BotRunContext(client_slug="fade", bot_id="1", business_name="Fade Lab", booking_url="https://fade.example/book",
                         facts=FACTS, dragon_mode_enabled=True,
                         crisis=CrisisSettings(alert_recipients=("owner@fade.example",)))
    return BotRunContext(**{**{f.name: getattr(base, f.name) for f in fields(base)}, **changes})


def _reply(text: str, context: BotRunContext, ports: Ports, model: OfflineModelProvider,
           history: list[Turn] | None = None) -> TurnResult:
    return conversation_reply(message=text, history=history or [], context=context, ports=ports, model=model)


def test_crisis_turn_gets_script_alert_and_no_sales(ports: Ports, offline_model: OfflineModelProvider) -> None:
    result = _reply("there's a bottle of pills in front of me and I'm not sure I want to be here tomorrow, call me 207-555-0199",
                    _context(), ports, offline_model)
    assert result.answered_by == "crisis_script"
    assert "988" in result.reply
    assert "911" in result.reply
    assert result.alert is not None
    assert result.alert.level == "crisis"
    assert result.alert.recipients == ("owner@fade.example",)
    assert result.lead is None
    assert not result.asked_for_contact
    assert "Book your spot" not in result.reply


def test_at_risk_turn_gets_its_own_supportive_reply(ports: Ports, offline_model: OfflineModelProvider) -> None:
    result = _reply("I used again last night and I feel like garbage", _context(), ports, offline_model)
    assert result.answered_by == "at_risk_script"
    assert not result.is_fallback
    assert not result.is_crisis
    assert "1-800-662-4357" in result.reply
    assert "reach out to you" in result.reply
    assert result.handoff_offered
    assert result.alert is not None
    assert result.alert.level == "at_risk"
    assert result.lead is None
    assert result.detection.classification.lead_score == "cold"


def test_facts_follow_up_resolves_against_the_conversation(ports: Ports, offline_model: OfflineModelProvider) -> None:
    context = _context()
    first = _reply("what time do you close on saturday?", context, ports, offline_model)
    assert first.answered_by == "facts"
    assert "4pm" in first.reply
    second = _reply("and on sunday?", context, ports, offline_model,
                    history=[Turn("visitor", "what time do you close on saturday?"), Turn("bot", first.reply)])
    assert second.answered_by == "facts"
    assert "Sunday we're closed" in second.reply


def test_booking_complaint_and_small_talk(ports: Ports, offline_model: OfflineModelProvider) -> None:
    context = _context(dragon_mode_enabled=False)
    booking = _reply("can I get an appointment?", context, ports, offline_model)
    assert "https://fade.example/book" in booking.reply
    assert "What day and time" in booking.reply
    complaint = _reply("My fade was uneven and the barber was rude, I want a refund", context, ports, offline_model)
    assert complaint.reply.startswith("I'm really sorry")
    assert complaint.handoff_offered
    assert not complaint.is_fallback
    hello = _reply("how are you?", context, ports, offline_model)
    assert hello.answered_by == "canned"
    assert len(hello.reply) < 120


def test_quick_reply_labels_run_the_registered_action(ports: Ports, offline_model: OfflineModelProvider) -> None:
    context = _context(quick_replies=(QuickReply("Prices", action="show_price_list"),),
                       triggers=(Trigger("group", ("wedding",), "ask_contact", "We do groups!"),))
    prices = _reply("Prices", context, ports, offline_model)
    assert prices.answered_by == "action"
    assert "Skin Fade: $35" in prices.reply
    group = _reply("Can you do my wedding party?", context, ports, offline_model)
    assert group.reply.startswith("We do groups!")
    assert group.asked_for_contact


def test_every_registry_action_has_code() -> None:
    from industry_modes.registry import TRIGGER_ACTIONS

    assert set(TRIGGER_ACTIONS.names()) == set(ACTIONS)
