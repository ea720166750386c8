"""A model provider that reports its failed calls to the error log (AX-6), then fails as before.

Wraps whatever agents.providers built, so the graph keeps its fallback behaviour and the agency
sees the failure, with the provider's status (a 401 is an alert, not a silent fallback).
"""

from __future__ import annotations

from typing import Any

from agents.conversation.ports import ModelCallFailed
from controlplane.errorlog.capture import client_slug_of_schema
from controlplane.errorlog.services import model_call_failure_record


class ErrorLoggingModelProvider:
    def __init__(self, inner: Any) -> None:
        self._inner = inner

    @property
    def name(self) -> str:
        return str(self._inner.name)

    @property
    def embedder(self) -> Any:
        return self._inner.embedder

    def answer(self, request: Any) -> Any:
        try:
            return self._inner.answer(request)
        except ModelCallFailed as failure:
            model_call_failure_record(client_slug=client_slug_of_schema(), model_name=self.name,
                                      status_code=failure.status_code, detail=str(failure))
            raise

    def __getattr__(self, attribute: str) -> Any:  # anything else the provider offers, unchanged
        return getattr(self._inner, attribute)
