"""AX-1 sandbox and BEY-5 regression runs: the same graph as live chat, on a draft's config,
with nothing written (no messages, leads, events, review items or usage)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import connection

from agents.conversation.ports import Turn
from agents.conversation.results import TurnResult
from tenants.bots.config import BotConfig
from tenants.bots.models import Bot, BotConfigVersion, BotTestCase
from tenants.conversations.agent_runtime import bot_turn


def sandbox_reply(*, bot: Bot, config: BotConfig, message: str, history: list[dict[str, str]] | None = None) -> TurnResult:
    turns = [Turn(role=t["role"], text=t["text"]) for t in (history or [])  # type: ignore[arg-type]
             if t.get("role") in ("visitor", "bot")][-10:]
    return bot_turn(client_slug=getattr(connection.tenant, "slug", "") or connection.schema_name, bot_id=bot.pk,
                    config=config, message=message, history=turns,
                    already_asked_for_contact=any(t.role == "bot" and "phone" in t.text for t in turns))


@dataclass(frozen=True)
class CaseOutcome:
    case_id: int
    name: str
    question: str
    passed: bool
    failures: tuple[str, ...]
    reply: str
    answered_by: str
    is_crisis: bool

    def as_json(self) -> dict[str, Any]:
        return {"case_id": self.case_id, "name": self.name, "question": self.question, "passed": self.passed,
                "failures": list(self.failures), "reply": self.reply[:1000], "answered_by": self.answered_by,
                "is_crisis": self.is_crisis}


def regression_case_check(case: BotTestCase, result: TurnResult) -> tuple[str, ...]:
    failures = []
    if case.expect_not_fallback and result.is_fallback:
        failures.append("the bot fell back instead of answering")
    if case.expect_contains and case.expect_contains.lower() not in result.reply.lower():
        failures.append(f"the reply does not contain “{case.expect_contains}”")
    if case.expect_crisis is True and not result.is_crisis:
        failures.append("the crisis script did not run")
    if case.expect_crisis is False and result.is_crisis:
        failures.append("the crisis script ran when it should not")
    return tuple(failures)


def regression_run(*, version: BotConfigVersion) -> list[CaseOutcome]:
    config = BotConfig.model_validate(version.config)
    outcomes = []
    for case in version.bot.test_cases.all():
        result = sandbox_reply(bot=version.bot, config=config, message=case.question)
        failures = regression_case_check(case, result)
        outcomes.append(CaseOutcome(case_id=case.pk, name=case.name, question=case.question, passed=not failures,
                                    failures=failures, reply=result.reply, answered_by=result.answered_by,
                                    is_crisis=result.is_crisis))
    return outcomes
