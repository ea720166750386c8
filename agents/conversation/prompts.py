"""Every visitor-facing sentence the graph writes, and the model prompts. Kept together so wording
reviews (safe wording for sober living, tone) happen in one file."""

from __future__ import annotations

from typing import Final

from agents.conversation.context import BotRunContext, CrisisResource
from agents.conversation.ports import KnowledgeHit, Turn
from agents.conversation.results import LeadEffect

DEFAULT_CRISIS_SCRIPT: Final = (
    "I'm really sorry you're going through this, and I'm glad you reached out. You deserve support right now. "
    "If you are in the U.S., please call or text 988 to reach the 988 Suicide & Crisis Lifeline, any time, day or night. "
    "If you are in immediate danger or someone has taken too much of something, call 911 now."
)
DEFAULT_CRISIS_RESOURCES: Final = (
    CrisisResource("988 Suicide & Crisis Lifeline", "Call or text 988"),
    CrisisResource("Emergency services", "Call 911"),
)


def crisis_reply_text(context: BotRunContext) -> str:
    script = context.crisis.script.strip() or DEFAULT_CRISIS_SCRIPT
    resources = context.crisis.resources or DEFAULT_CRISIS_RESOURCES
    lines = [script, "", "Resources:"]
    lines += [f"- {r.name}: {r.contact}" for r in resources]
    if not any("988" in r.contact or "988" in r.name for r in resources) and "988" not in script:
        # The 988 Lifeline is always offered, whatever the client configured.
        lines.append("- 988 Suicide & Crisis Lifeline: Call or text 988")
    return "\n".join(lines)


def contact_ask_text(context: BotRunContext) -> str:
    wanted = [f for f in context.lead_fields_wanted if f != "name"]
    reach = " or ".join({"phone": "phone number", "email": "email"}[f] for f in wanted) or "phone number or email"
    name_part = "your name and " if "name" in context.lead_fields_wanted else ""
    return f"If you'd like, share {name_part}the best {reach}, and the {context.business_name} team will follow up with you."


def dragon_call_to_action(context: BotRunContext) -> str:
    """PRM-5: one direct next step for a hot lead."""
    if context.booking_url:
        return f"Ready to lock it in? Book your spot here: {context.booking_url}"
    return (
        "Want to lock it in? Send your name and best phone number and the "
        f"{context.business_name} team will reach out today."
    )


def contact_received_text(context: BotRunContext, lead: LeadEffect) -> str:
    names = [c.text for c in lead.contacts if c.label == "name"]
    reach = next((c.text for c in lead.contacts if c.label in ("phone", "email")), "the details you shared")
    greeting = f"Thanks, {names[0]}!" if names else "Thanks!"
    return f"{greeting} The {context.business_name} team will reach out to you at {reach} shortly."


def no_hits_note() -> str:
    return "(no knowledge found)"


def answer_instructions(context: BotRunContext, *, dragon_mode: bool) -> str:
    persona = context.persona.strip() or "Friendly, concise and professional."
    rules = [
        f"You are the website chat assistant for {context.business_name}.",
        f"Persona and tone: {persona}",
        "Answer ONLY from the knowledge excerpts in the user message. Never invent prices, hours, policies or availability.",
        "If the excerpts do not answer the question, set grounded to false and keep the answer short.",
        "Keep answers to at most three short sentences. Plain text, no markdown headings.",
        "confidence is your 0..1 estimate that the answer is fully supported by the excerpts.",
        "Do not ask for the visitor's contact details; the system does that when appropriate.",
    ]
    if context.industry_mode == "sober_living":
        rules.append("Use calm, non-judgemental recovery-friendly language. Never promise outcomes.")
    if dragon_mode:
        rules.append(
            "This visitor is ready to act: be direct and confident, lead with the answer, and end with one clear next step"
            + (f" using the booking link {context.booking_url}." if context.booking_url else ".")
        )
    return "\n".join(rules)


def answer_user_prompt(question: str, hits: tuple[KnowledgeHit, ...], history: tuple[Turn, ...]) -> str:
    excerpts = "\n\n".join(
        f"[{hit.chunk_id}] {hit.source_title}{f' ({hit.source_url})' if hit.source_url else ''}\n{hit.text.strip()}"
        for hit in hits
    )
    recent = "\n".join(f"{turn.role}: {turn.text}" for turn in history[-6:])
    parts = []
    if recent:
        parts.append(f"Recent conversation:\n{recent}")
    parts.append(f"Knowledge excerpts:\n{excerpts or no_hits_note()}")
    parts.append(f"Visitor question: {question}")
    return "\n\n".join(parts)


DEFAULT_AT_RISK_SCRIPT: Final = (
    "Thank you for telling me. That sounds really hard, and you don't have to handle it alone. "
    "If you'd like to talk with someone right now, the SAMHSA National Helpline is free, confidential and open 24/7 "
    "at 1-800-662-4357, and you can call or text 988 any time. If you're in danger, call 911."
)


def at_risk_reply_text(context: BotRunContext) -> str:
    """BOT-2 `at_risk`: supportive words, resources and an offer of a person. No selling, no fallback."""
    script = context.crisis.at_risk_script.strip() or DEFAULT_AT_RISK_SCRIPT
    person = (f"Would you like someone from {context.business_name} to reach out to you? If so, tell me how "
              "you'd like to be contacted.")
    if context.facts.phone:
        person += f" You can also call us directly at {context.facts.phone}."
    return f"{script}\n\n{person}"


def small_talk_text(context: BotRunContext, message: str) -> str:
    lowered = message.lower()
    if any(w in lowered for w in ("thank", "thx")):
        return "You're welcome! Anything else I can help with?"
    if any(w in lowered for w in ("bye", "goodbye")):
        return f"Thanks for stopping by {context.business_name}. Have a great day!"
    if any(w in lowered for w in ("robot", "bot", "human", "real person")):
        return (f"I'm the {context.business_name} virtual assistant. I can answer questions, and a person from the team "
                "can follow up whenever you like.")
    if any(w in lowered for w in ("how are you", "how's it going", "hows it going")):
        return "Doing well, thanks for asking! What can I help you with today?"
    return f"Hi! I'm the {context.business_name} assistant. What can I help you with?"


def complaint_text(context: BotRunContext) -> str:
    reach = f" or call us at {context.facts.phone}" if context.facts.phone else ""
    return (f"I'm really sorry about that. That's not the experience we want for you. I can have someone from "
            f"{context.business_name} reach out to make it right: leave your name and phone number or email here{reach}.")


def did_you_mean_text(questions: tuple[str, ...]) -> str:
    if len(questions) == 1:
        return f"I'm not completely sure I understood. Did you mean: “{questions[0]}”?"
    return "I'm not completely sure I understood. Did you mean one of these? " + " / ".join(f"“{q}”" for q in questions)
