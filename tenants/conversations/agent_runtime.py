"""The agent runtime: adapters between the tenant apps and the agent engine (agents/) — the run
context, the ports, and the one call that runs the conversation graph.

The graph module imports LangGraph and pydantic-ai; it is imported when the first reply runs, not
when Django starts (docs/decisions/0013-lazy-agent-stack.md). Only light agents/ modules (context,
ports, detection) are imported at module level.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from agents.conversation.context import BotRunContext, CrisisResource, CrisisSettings
from agents.conversation.ports import ApprovedAnswer, KnowledgeHit, ModelProvider, Ports, Turn
from agents.detection.intent import IntentRule
from tenants.bots.config import BotConfig
from tenants.knowledge.selectors import faq_best_match, knowledge_search

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
        found = faq_best_match(bot_id=self.bot_id, embedding=embedding)
        if found is None:
            return None
        return ApprovedAnswer(faq_id=str(found.faq_id), question=found.question, answer=found.answer,
                              similarity=found.similarity)


def bot_ports(bot_id: int) -> Ports:
    return Ports(knowledge=BotKnowledgeSearch(bot_id), approved_answers=BotApprovedAnswers(bot_id))


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
        ),
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
    """Run the conversation graph once (live chat and the sandbox share it)."""
    # Lazy: LangGraph + pydantic-ai load on the first reply, not at Django start (see module docstring).
    from agents.conversation.graph import conversation_reply

    return conversation_reply(message=message, history=history, context=context, ports=ports, model=model)
