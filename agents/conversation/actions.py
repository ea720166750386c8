"""Trigger actions (IND-1..6): the code behind every action name a pack's YAML may use.

A pack names an action (``show_menu_link``) on a trigger or a quick reply; the graph looks the name
up here and runs it on the bot's own data: the business facts and the pack's structured section
(menus, delivery links, class schedules, memberships, listings, admissions steps, quote questions).
Nothing industry-specific is written here: every word shown comes from the pack or the facts.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from agents.conversation.context import BotRunContext
from agents.conversation.facts import WEEKDAYS, _clock, _money, price_list


@dataclass(frozen=True, slots=True)
class ActionResult:
    text: str
    offers_handoff: bool = False
    asks_contact: bool = False


ActionFn = Callable[[BotRunContext], ActionResult | None]


def _data(context: BotRunContext) -> Mapping[str, Any]:
    return context.pack_data or {}


def _link(label: str, url: object) -> str | None:
    return f"{label}: {url}" if isinstance(url, str) and url.startswith("http") else None


def booking_question(context: BotRunContext) -> str:
    if context.booking_url:
        return f"You can book online here: {context.booking_url}. What day and time would suit you?"
    return "What day and time would suit you? Share your name and phone number and the team will confirm it."


def show_booking_link(context: BotRunContext) -> ActionResult:
    return ActionResult(booking_question(context), asks_contact=not context.booking_url)


def ask_contact(context: BotRunContext) -> ActionResult:
    return ActionResult("Happy to help with that. What's your name and the best phone number or email to reach you?",
                        asks_contact=True)


def offer_handoff(context: BotRunContext) -> ActionResult:
    reach = f" You can also call us at {context.facts.phone}." if context.facts.phone else ""
    return ActionResult(
        f"I can have someone from {context.business_name} get in touch. Leave your name and phone number or email "
        f"here and a person will follow up.{reach}", offers_handoff=True, asks_contact=True)


def show_menu_link(context: BotRunContext) -> ActionResult | None:
    data = _data(context)
    sections = data.get("menu_sections") or []
    lines = []
    for section in sections[:6]:
        items = ", ".join(f"{i['name']} ({_money(float(i['price']))})" if i.get("price") is not None else i["name"]
                          for i in section.get("items", [])[:5])
        lines.append(f"- {section['name']}: {items}")
    link = _link("Full menu", data.get("menu_link"))
    if not lines and not link:
        return None
    return ActionResult("\n".join(["Here's a taste of our menu:", *lines, *([link] if link else [])]))


def show_ordering_link(context: BotRunContext) -> ActionResult | None:
    link = _link("Order online for pickup", _data(context).get("ordering_link"))
    return ActionResult(link + ".") if link else None


def show_delivery_links(context: BotRunContext) -> ActionResult | None:
    links = [f"- {d['platform']}: {d['url']}" for d in _data(context).get("delivery_links") or []
             if str(d.get("url", "")).startswith("http")]
    return ActionResult("We deliver through:\n" + "\n".join(links)) if links else None


def show_price_list(context: BotRunContext) -> ActionResult | None:
    if context.facts.services:
        return ActionResult(price_list(context.facts))
    data = _data(context)
    styles = data.get("styles") or []
    if styles:
        return ActionResult("Here are our prices:\n" + "\n".join(
            f"- {s['name']}: {_money(float(s['price']))}" for s in styles if s.get("price") is not None))
    return None


def show_class_schedule(context: BotRunContext) -> ActionResult | None:
    schedule = _data(context).get("class_schedule") or []
    if not schedule:
        return None
    order = {day: i for i, day in enumerate(WEEKDAYS)}
    lines = [f"- {c['weekday'].title()} {_clock(c['time'])}: {c['class_name']}" + (f" with {c['coach']}" if c.get("coach") else "")
             for c in sorted(schedule, key=lambda c: (order.get(c["weekday"], 9), c["time"]))]
    tail = f"\nBook a class: {context.booking_url}" if context.booking_url else ""
    return ActionResult("This week's classes:\n" + "\n".join(lines) + tail)


def show_memberships(context: BotRunContext) -> ActionResult | None:
    plans = _data(context).get("memberships") or []
    if not plans:
        return None
    lines = []
    for plan in plans:
        line = f"- {plan['name']}: {_money(float(plan['monthly_price']))}/month"
        if plan.get("signup_fee"):
            line += f" + {_money(float(plan['signup_fee']))} sign-up"
        if plan.get("commitment_months"):
            line += f", {plan['commitment_months']}-month commitment"
        if plan.get("perks"):
            line += " (" + ", ".join(plan["perks"][:3]) + ")"
        lines.append(line)
    trial = _data(context).get("trial_offer")
    return ActionResult("Our memberships:\n" + "\n".join(lines) + (f"\n{trial}" if trial else ""))


def show_listings_link(context: BotRunContext) -> ActionResult | None:
    link = _link("See our current listings", _data(context).get("listings_link"))
    return ActionResult(link + ". Want to set up a showing for one of them?") if link else None


def request_showing(context: BotRunContext) -> ActionResult | None:
    steps = (_data(context).get("showing_request") or {}).get("steps") or []
    if not steps:
        return None
    return ActionResult(f"Happy to set up a showing. {steps[0]['prompt']}", asks_contact=True)


def start_admissions(context: BotRunContext) -> ActionResult | None:
    questions = _data(context).get("admissions_questions") or []
    if not questions:
        return None
    return ActionResult("I can help you check for an open bed. A few quick questions first. " + questions[0]["question"],
                        asks_contact=True)


def start_quote_builder(context: BotRunContext) -> ActionResult | None:
    questions = (_data(context).get("quote_builder") or {}).get("questions") or []
    if not questions:
        return None
    return ActionResult(f"Let's get you a quick estimate. {questions[0]['prompt']}", asks_contact=True)


def crisis_script(context: BotRunContext) -> ActionResult | None:
    return None  # the crisis branch of the graph owns this; never run as an ordinary action


ACTIONS: Final[dict[str, ActionFn]] = {
    "show_booking_link": show_booking_link,
    "ask_contact": ask_contact,
    "offer_handoff": offer_handoff,
    "show_menu_link": show_menu_link,
    "show_ordering_link": show_ordering_link,
    "show_delivery_links": show_delivery_links,
    "show_price_list": show_price_list,
    "show_class_schedule": show_class_schedule,
    "show_memberships": show_memberships,
    "show_listings_link": show_listings_link,
    "request_showing": request_showing,
    "start_admissions": start_admissions,
    "start_quote_builder": start_quote_builder,
    "crisis_script": crisis_script,
}


def run_action(name: str, context: BotRunContext) -> ActionResult | None:
    action = ACTIONS.get(name)
    return action(context) if action is not None else None
