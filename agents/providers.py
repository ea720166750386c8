"""The one place that builds the model the graph talks to.

The caller passes configuration values in (the Django settings object reads the environment; agents
never does). No OpenAI key → `OfflineModelProvider`: extractive, grounded answers and MiniLM
embeddings. With a key → `PydanticAIModelProvider` over OpenAI, with OpenAI embeddings.
"""

from __future__ import annotations

from typing import Final, Literal

import numpy as np
from openai import AsyncOpenAI
from pydantic import BaseModel, Field
from pydantic_ai import Agent
from pydantic_ai.messages import ModelMessage, ModelRequest, ModelResponse, TextPart, UserPromptPart
from pydantic_ai.models import Model
from pydantic_ai.models.openai import OpenAIChatModel
from pydantic_ai.providers.openai import OpenAIProvider

from agents.conversation import prompts
from agents.conversation.extractive import extract_answer
from agents.conversation.ports import AnswerRequest, ModelAnswer, ModelCallFailed, TokenUsage, Turn
from agents.embeddings import CachingEmbedder, Embedder, MiniLMEmbedder, OpenAIEmbedder

DEFAULT_CHAT_MODEL: Final = "gpt-4o-mini"
DEFAULT_MODEL_TIMEOUT_S: Final = 15.0
# Exactly one retry: a second failure means the provider is having a bad minute, and the visitor
# is better served by the fallback message now than by a third 15-second wait.
MODEL_RETRIES: Final = 1


class GroundedAnswer(BaseModel):
    """Structured output of the answering agent (arrives as the `final_result` tool call)."""

    answer: str = Field(description="The reply to the visitor, at most three short sentences.")
    grounded: bool = Field(description="True only if the knowledge excerpts support the answer.")
    confidence: float = Field(ge=0.0, le=1.0, description="0..1 confidence the answer is supported.")
    cited_chunk_ids: list[str] = Field(default_factory=list, description="Ids in [brackets] of excerpts used.")


class OfflineModelProvider:
    """No LLM: answers are the most relevant sentences of the retrieved knowledge."""

    def __init__(self, embedder: Embedder | None = None) -> None:
        self._embedder: Embedder = embedder or CachingEmbedder(MiniLMEmbedder())

    @property
    def name(self) -> str:
        return "offline-extractive"

    @property
    def embedder(self) -> Embedder:
        return self._embedder

    def answer(self, request: AnswerRequest) -> ModelAnswer:
        question = np.asarray(request.query_embedding, dtype=np.float32)
        extracted = extract_answer(question, request.hits, self._embedder)
        if extracted is None:
            return ModelAnswer("", grounded=False, confidence=0.0, cited_chunk_ids=(), answered_by="extractive")
        return ModelAnswer(
            text=extracted.text,
            grounded=True,
            confidence=round(extracted.best_similarity, 3),
            cited_chunk_ids=extracted.chunk_ids,
            answered_by="extractive",
            usage=TokenUsage(model_name=self.name),
        )


def _history_messages(history: tuple[Turn, ...]) -> list[ModelMessage]:
    messages: list[ModelMessage] = []
    for turn in history[-6:]:
        if turn.role == "visitor":
            messages.append(ModelRequest(parts=[UserPromptPart(content=turn.text)]))
        else:
            messages.append(ModelResponse(parts=[TextPart(content=turn.text)]))
    return messages


class PydanticAIModelProvider:
    """Any pydantic-ai model (OpenAI in production, FunctionModel/TestModel in tests)."""

    def __init__(
        self,
        model: Model,
        *,
        embedder: Embedder,
        model_name: str,
        timeout_s: float = DEFAULT_MODEL_TIMEOUT_S,
    ) -> None:
        self._agent: Agent[None, GroundedAnswer] = Agent(model, output_type=GroundedAnswer)
        self._embedder = embedder
        self._model_name = model_name
        self._timeout_s = timeout_s

    @property
    def name(self) -> str:
        return self._model_name

    @property
    def composes_answers(self) -> bool:
        """A language model words the answers: the graph gives it the business facts to compose from."""
        return True

    @property
    def embedder(self) -> Embedder:
        return self._embedder

    def answer(self, request: AnswerRequest) -> ModelAnswer:
        instructions = prompts.answer_instructions(request.context, dragon_mode=request.dragon_mode)
        user_prompt = prompts.answer_user_prompt(request.question, request.hits, ())
        history = _history_messages(request.history)
        last_error: Exception | None = None
        for _attempt in range(1 + MODEL_RETRIES):
            try:
                result = self._agent.run_sync(
                    user_prompt, instructions=instructions, message_history=history, timeout=self._timeout_s
                )
            except Exception as error:  # noqa: BLE001 — timeouts, HTTP and validation errors alike
                last_error = error
                continue
            output = result.output
            known_ids = {hit.chunk_id for hit in request.hits}
            cited = tuple(c for c in output.cited_chunk_ids if c in known_ids) or tuple(h.chunk_id for h in request.hits)
            usage = result.usage
            return ModelAnswer(
                text=output.answer.strip(),
                grounded=output.grounded,
                confidence=output.confidence,
                cited_chunk_ids=cited,
                answered_by="model",
                usage=TokenUsage(usage.input_tokens or 0, usage.output_tokens or 0, self._model_name),
            )
        status = getattr(last_error, "status_code", None)
        raise ModelCallFailed(f"{self._model_name}: {last_error!r}", status_code=status if isinstance(status, int) else None) from last_error


def build_openai_chat_model(
    *, api_key: str, base_url: str | None = None, chat_model: str = DEFAULT_CHAT_MODEL,
    timeout_s: float = DEFAULT_MODEL_TIMEOUT_S,
) -> OpenAIChatModel:
    """The OpenAI chat model alone (summaries and other small agents)."""
    # SDK retries off: callers decide on retries, and the SDK's own would multiply them.
    client = AsyncOpenAI(api_key=api_key, base_url=base_url, max_retries=0, timeout=timeout_s)
    return OpenAIChatModel(chat_model, provider=OpenAIProvider(openai_client=client))


def build_openai_provider(
    *,
    api_key: str,
    base_url: str | None = None,
    chat_model: str = DEFAULT_CHAT_MODEL,
    embedding_backend: Literal["openai", "minilm"] = "openai",
    timeout_s: float = DEFAULT_MODEL_TIMEOUT_S,
) -> PydanticAIModelProvider:
    # Our loop in PydanticAIModelProvider.answer does exactly one retry.
    model = build_openai_chat_model(api_key=api_key, base_url=base_url, chat_model=chat_model, timeout_s=timeout_s)
    embedder: Embedder = (
        OpenAIEmbedder(api_key=api_key, base_url=base_url, timeout_s=timeout_s)
        if embedding_backend == "openai"
        else MiniLMEmbedder()
    )
    return PydanticAIModelProvider(model, embedder=CachingEmbedder(embedder), model_name=chat_model, timeout_s=timeout_s)


def build_model_provider(
    *,
    openai_api_key: str | None,
    openai_base_url: str | None = None,
    chat_model: str = DEFAULT_CHAT_MODEL,
    embedding_backend: Literal["auto", "openai", "minilm"] = "auto",
    timeout_s: float = DEFAULT_MODEL_TIMEOUT_S,
) -> OfflineModelProvider | PydanticAIModelProvider:
    """Pick the provider from settings values. `embedding_backend` must match the stored vectors."""
    if not openai_api_key:
        return OfflineModelProvider()
    backend: Literal["openai", "minilm"] = "openai" if embedding_backend == "auto" else embedding_backend
    return build_openai_provider(
        api_key=openai_api_key,
        base_url=openai_base_url,
        chat_model=chat_model,
        embedding_backend=backend,
        timeout_s=timeout_s,
    )
