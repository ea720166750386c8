"""AX-1 sandbox and BEY-5 regression runs: the same graph as live chat, on a draft's config,
with nothing written (no messages, leads, events, review items or usage).

The turn itself is tenants.conversations.sandbox.sandbox_turn, reached through the port below.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from agents.conversation.results import TurnResult
from tenants.bots.config import BotConfig
from tenants.bots.models import Bot, BotConfigVersion, BotTestCase


class SandboxTurn(Protocol):
    def __call__(self, *, bot: Bot, config: BotConfig, message: str,
                 history: list[dict[str, str]] | None = None) -> TurnResult: ...


_sandbox_turn: SandboxTurn | None = None


def sandbox_install(turn: SandboxTurn) -> None:
    """The port: tenants.conversations (above bots) installs the live graph's turn here when Django starts
    (ConversationsConfig.ready), so bots runs it without importing the layer above (decision 0016)."""
    global _sandbox_turn
    _sandbox_turn = turn


def sandbox_reply(*, bot: Bot, config: BotConfig, message: str, history: list[dict[str, str]] | None = None) -> TurnResult:
    if _sandbox_turn is None:
        raise RuntimeError("The sandbox needs tenants.conversations in INSTALLED_APPS (it installs the live graph).")
    return _sandbox_turn(bot=bot, config=config, message=message, history=history)


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
