"""The model provider, observed: latency, tokens and failures in metrics and logs.

A failed model call still gives the visitor the fallback message (the graph decides that), but it
is never silent: each failure is logged at ERROR with the provider's HTTP status — a 401 says the
OpenAI key is wrong — and counted in `shoreline_model_errors_total{model, error}`.
"""

from __future__ import annotations

import time
from typing import Any

import structlog

from agents.conversation.ports import ModelCallFailed
from controlplane.core import metrics

log = structlog.get_logger("shoreline.model")

_STATUS_HINTS = {
    401: "the API key was refused: check OPENAI_API_KEY",
    403: "the API key may not use this model",
    404: "the model name is unknown: check OPENAI_CHAT_MODEL",
    429: "rate limited or out of quota",
}


def _error_label(error: BaseException) -> tuple[str, int | None]:
    cause: Any = error.__cause__ or error  # SDK errors carry status_code/response; others don't
    status = None

    def own_status() -> object:
        return cause.status_code

    def response_status() -> object:
        return cause.response.status_code

    # Some exceptions compute these attributes lazily and raise (pydantic-ai's RunTimedOut.response
    # does): a failure to describe the error must never replace the error itself.
    for read in (own_status, response_status):
        try:
            status = read()
        except Exception:  # noqa: BLE001, S112
            continue
        if isinstance(status, int):
            break
    label = f"http_{status}" if isinstance(status, int) else type(cause).__name__
    return label, status if isinstance(status, int) else None


class ObservedModelProvider:
    """Wraps any provider of agents.conversation.ports (same interface, delegated)."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    @property
    def name(self) -> str:
        return str(self._inner.name)

    @property
    def embedder(self) -> Any:
        return self._inner.embedder

    def answer(self, request: Any) -> Any:
        model = self.name
        started = time.perf_counter()
        try:
            answer = self._inner.answer(request)
        except ModelCallFailed as error:
            label, status = _error_label(error)
            metrics.MODEL_ERRORS.labels(model, label).inc()
            log.error("model call failed; the visitor gets the fallback message", model=model, error=label,
                      status=status, hint=_STATUS_HINTS.get(status or 0), detail=str(error)[:300])
            raise
        finally:
            metrics.MODEL_SECONDS.labels(model).observe(time.perf_counter() - started)
        usage = getattr(answer, "usage", None)
        if usage is not None:
            metrics.MODEL_TOKENS.labels(model, "input").inc(getattr(usage, "input_tokens", 0) or 0)
            metrics.MODEL_TOKENS.labels(model, "output").inc(getattr(usage, "output_tokens", 0) or 0)
        return answer
