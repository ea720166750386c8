"""The agent runtime: adapters between the tenant apps and the agent engine (agents/) — the run
context, the ports, and the one call that runs the conversation graph.

The graph module imports LangGraph and pydantic-ai; it is imported when the first reply runs, not
when Django starts (docs/decisions/0013-lazy-agent-stack.md). Only light agents/ modules (context,
ports, detection) are imported at module level.
"""

from __future__ import annotations

import dataclasses
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from agents.conversation.context import BotRunContext, CrisisResource, CrisisSettings, QuickReply, Trigger
from agents.conversation.facts import BusinessFacts, DayHours, FactNote, HolidayHours, ServiceFact
from agents.conversation.ports import ApprovedAnswer, KnowledgeHit, ModelProvider, Ports, Turn
from agents.detection.intent import IntentRule
from controlplane.core.model_provider import model_provider
from tenants.bots.config import BotConfig, fill_placeholders
from tenants.knowledge.embedding import knowledge_embedder
from tenants.knowledge.selectors import faq_best_matches, knowledge_search

if TYPE_CHECKING:
    from agents.conversation.results import TurnResult

_INDUSTRY_MODES = {"sober_living", "restaurant", "barbershop", "gym", "realtor", "auto_service"}


class BotKnowledgeSearch:
    """KnowledgeSearch port: hybrid retrieval over one bot's chunks in the current schema."""

    def __init__(self, bot_id: int) -> None:
        self.bot_id = bot_id

    def search(self, query: str, embedding: list[float], k: int) -> list[KnowledgeHit]:
        return [
            KnowledgeHit(chunk_id=str(hit.chunk_id), text=hit.text, source_title=hit.title,
                         source_url=hit.url or None, score=hit.score)
            for hit in knowledge_search(bot_id=self.bot_id, query=query, embedding=embedding, k=k)
        ]


class BotApprovedAnswers:
    """ApprovedAnswers port (BEY-4): the closest approved FAQ question of one bot."""

    def __init__(self, bot_id: int) -> None:
        self.bot_id = bot_id

    def match(self, query: str, embedding: list[float]) -> ApprovedAnswer | None:
        found = faq_best_matches(bot_id=self.bot_id, embedding=embedding, limit=2)
        if not found:
            return None
        best = found[0]
        return ApprovedAnswer(faq_id=str(best.faq_id), question=best.question, answer=best.answer,
                              similarity=best.similarity,
                              alternatives=tuple((m.question, m.similarity) for m in found[1:]))


def bot_ports(bot_id: int) -> Ports:
    return Ports(knowledge=BotKnowledgeSearch(bot_id), approved_answers=BotApprovedAnswers(bot_id))


def business_facts(config: BotConfig) -> BusinessFacts:
    """BOT-1: the approved business facts, in the engine's own types."""
    b = config.business
    return BusinessFacts(
        phone=b.phone, email=b.email, address=b.address, timezone=b.timezone,
        hours=tuple(DayHours(h.weekday, h.opens, h.closes) for h in b.hours),
        holidays=tuple(HolidayHours(h.date, h.name, h.opens, h.closes) for h in b.holidays),
        booking_url=config.booking_url,
        services=tuple(ServiceFact(s.name, s.price, s.price_note, s.duration_minutes, s.description) for s in b.services),
        notes=tuple(FactNote(n.topic, tuple(n.keywords), n.text) for n in b.notes),
    )


@lru_cache(maxsize=16)
def _pack_section(mode: str) -> dict[str, Any]:
    from industry_modes import load_pack

    return load_pack(mode).industry.model_dump(mode="json")


def _filled(value: Any, details: dict[str, str]) -> Any:
    if isinstance(value, str):
        return fill_placeholders(value, details)
    if isinstance(value, dict):
        return {k: _filled(v, details) for k, v in value.items()}
    if isinstance(value, list):
        return [_filled(v, details) for v in value]
    return value


def pack_data(config: BotConfig) -> dict[str, Any]:
    """IND-1..6: the pack's structured section with this client's links filled in."""
    if config.industry_mode not in _INDUSTRY_MODES:
        return {}
    details = {"business_name": config.business.name, "business_phone": config.business.phone,
               "business_email": config.business.email, "business_address": config.business.address,
               "website_url": config.business.website, "booking_url": config.booking_url, **config.links}
    return _filled(_pack_section(config.industry_mode), {k: v for k, v in details.items() if v})


def bot_run_context(
    *, client_slug: str, bot_id: int, config: BotConfig, contact_known: bool, already_asked_for_contact: bool
) -> BotRunContext:
    mode = config.industry_mode if config.industry_mode in _INDUSTRY_MODES else None
    persona = f"{config.persona.name}, {config.persona.tone}."
    if config.persona.avoid_phrases:
        persona += " Never use these words: " + ", ".join(config.persona.avoid_phrases) + "."
    return BotRunContext(
        client_slug=client_slug,
        bot_id=str(bot_id),
        business_name=config.business.name,
        persona=persona,
        booking_url=config.booking_url or None,
        fallback_message=config.fallback_message,
        crisis=CrisisSettings(
            keywords=tuple(config.crisis.keywords) if config.crisis.enabled else (),
            sensitivity=config.crisis.sensitivity,
            script=config.crisis.script,
            resources=tuple(CrisisResource(name=r.name, contact=f"{r.contact} ({r.available})" if r.available
                                           else r.contact) for r in config.crisis.resources),
            at_risk_script=config.crisis.at_risk_script,
            alert_recipients=tuple(config.crisis.alert_recipients)
            + ((config.routing.owner_email or config.routing.owner_phone,)
               if config.crisis.alert_owner and (config.routing.owner_email or config.routing.owner_phone) else ()),
            alert_owner=config.crisis.alert_owner,
        ),
        facts=business_facts(config),
        pack_data=pack_data(config),
        quick_replies=tuple(QuickReply(q.label, q.message, q.action) for q in config.quick_replies),
        triggers=tuple(Trigger(t.key, tuple(t.phrases), t.action, t.reply) for t in config.triggers),
        dragon_style_notes=tuple(config.dragon_mode.style_notes),
        dragon_mode_enabled=config.dragon_mode.enabled,
        intents=tuple(IntentRule(name=i.name, lead_type=i.lead_type, keywords=tuple(i.keywords))
                      for i in config.intents),
        industry_mode=mode,  # type: ignore[arg-type]
        lead_fields_wanted=tuple(f for f in config.lead_fields if f in ("name", "phone", "email")),  # type: ignore[misc]
        contact_known=contact_known,
        already_asked_for_contact=already_asked_for_contact,
    )


def agent_reply(
    *, message: str, history: list[Turn], context: BotRunContext, ports: Ports, model: ModelProvider
) -> TurnResult:
    """Run the conversation graph once on a context and ports the caller built."""
    # Lazy: LangGraph + pydantic-ai load on the first reply, not at Django start (see module docstring).
    from agents.conversation.graph import conversation_reply

    return conversation_reply(message=message, history=history, context=context, ports=ports, model=model)


_CONTEXTS: dict[tuple[int, str, int], tuple[BotConfig, BotRunContext]] = {}


def _base_context(*, client_slug: str, bot_id: int, config: BotConfig) -> BotRunContext:
    """The bot's run context for `config`, built once per configuration object (issue 17).

    The widget hands in the same parsed configuration while it is current (widget/access.py caches it
    per process under the client's config version), so the facts, pack data and triggers are derived
    once per published version instead of on every message; a new object means a new version.
    """
    key = (id(config), client_slug, bot_id)
    found = _CONTEXTS.get(key)
    if found is not None and found[0] is config:
        return found[1]
    context = bot_run_context(client_slug=client_slug, bot_id=bot_id, config=config, contact_known=False,
                              already_asked_for_contact=False)
    if len(_CONTEXTS) >= 1000:
        _CONTEXTS.clear()
    _CONTEXTS[key] = (config, context)  # holding config keeps its id from being reused meanwhile
    return context



def bot_turn(
    *, client_slug: str, bot_id: int, config: BotConfig, message: str, history: list[Turn],
    contact_known: bool = False, already_asked_for_contact: bool = False,
) -> TurnResult:
    """One visitor turn of one bot: the single entry point of live chat (conversations.services) and
    the sandbox (AX-1/BEY-5). Takes the run context for `config` (built once per configuration object),
    the bot's ports and the process-wide model provider, and runs the graph. Writes nothing."""
    context = dataclasses.replace(_base_context(client_slug=client_slug, bot_id=bot_id, config=config),
                                  contact_known=contact_known, already_asked_for_contact=already_asked_for_contact)
    ports = Ports(knowledge=BotKnowledgeSearch(bot_id), approved_answers=BotApprovedAnswers(bot_id),
                  embedder=knowledge_embedder())
    return agent_reply(message=message, history=history, context=context, ports=ports, model=model_provider())
