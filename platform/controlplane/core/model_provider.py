"""The process-wide chat model provider (the agent graph's `ModelProvider` port), built once from settings.

Live chat, the bot sandbox and the demo seed share it. It lives in the control plane's core because
it depends on settings and on control-plane observers only (metrics, the agency's error log), so every
tenant layer may import it (docs/decisions/0016-import-layers.md).

The agent stack (pydantic-ai, the OpenAI SDK) is imported on first use, not at module import: every
Django process must start in < 3 s (docs/decisions/0013-lazy-agent-stack.md).
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Literal

from django.conf import settings

if TYPE_CHECKING:
    from agents.conversation.ports import ModelProvider


@lru_cache(maxsize=1)
def model_provider() -> ModelProvider:
    # Lazy: agents.providers imports pydantic-ai and the OpenAI SDK (see module docstring).
    from agents.providers import build_model_provider
    from controlplane.core.model_observer import ObservedModelProvider
    from controlplane.errorlog.model_watch import ErrorLoggingModelProvider

    # The setting is validated to one of the two backends (config/env.py); spelled out for the type.
    embedding_backend: Literal["openai", "minilm"] = (
        "openai" if settings.EMBEDDING_BACKEND == "openai" else "minilm"
    )
    # Observed (latency, tokens, failures in metrics and logs) and failures in the agency's error log
    # with the provider's status (AX-6): a refused key is never silent.
    return ObservedModelProvider(
        ErrorLoggingModelProvider(
            build_model_provider(
                openai_api_key=settings.OPENAI_API_KEY,
                openai_base_url=settings.OPENAI_BASE_URL,
                chat_model=settings.OPENAI_CHAT_MODEL,
                embedding_backend=embedding_backend,
                timeout_s=settings.MODEL_TIMEOUT_SECONDS,
            )
        )
    )
