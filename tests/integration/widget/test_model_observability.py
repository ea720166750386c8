"""A refused OpenAI key (HTTP 401) is logged at ERROR and counted, never silent; tokens and latency are counted.

The OpenAI side is the local fake server speaking the real wire format (ops/fake_openai.py).
"""

from __future__ import annotations

import logging
from typing import Any

import pytest
from prometheus_client import REGISTRY

from ops.fake_openai import FakeOpenAI
from tests.integration.widget.support import WidgetSetup
from tests.integration.widget.test_widget_openai import QUESTION, fake_openai, patio_chunk  # noqa: F401

pytestmark = pytest.mark.django_db


def _sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_a_refused_key_is_logged_as_an_error_and_counted(
    alpha: WidgetSetup, patio_chunk: int, fake_openai: FakeOpenAI, caplog: Any  # noqa: F811
) -> None:
    fake_openai.fail_status = 401
    before = _sample("shoreline_model_errors_total", model="gpt-4o-mini", error="http_401")
    with caplog.at_level(logging.ERROR, logger="shoreline.model"):
        response = alpha.send(QUESTION)
    assert response.status_code == 200
    assert response.json()["is_fallback"] is True
    assert _sample("shoreline_model_errors_total", model="gpt-4o-mini", error="http_401") == before + 1
    errors = [r.msg for r in caplog.records if r.name == "shoreline.model" and r.levelno == logging.ERROR]
    assert len(errors) == 1
    assert errors[0]["status"] == 401
    assert errors[0]["hint"] == "the API key was refused: check OPENAI_API_KEY"
    assert "sk-test" not in str(errors[0])


def test_a_model_answer_counts_tokens_and_latency(
    alpha: WidgetSetup, patio_chunk: int, fake_openai: FakeOpenAI  # noqa: F811
) -> None:
    tokens_in = _sample("shoreline_model_tokens_total", model="gpt-4o-mini", direction="input")
    tokens_out = _sample("shoreline_model_tokens_total", model="gpt-4o-mini", direction="output")
    calls = _sample("shoreline_model_call_duration_seconds_count", model="gpt-4o-mini")
    assert alpha.send(QUESTION).json()["answered_by"] == "model"
    assert _sample("shoreline_model_tokens_total", model="gpt-4o-mini", direction="input") == tokens_in + 321
    assert _sample("shoreline_model_tokens_total", model="gpt-4o-mini", direction="output") == tokens_out + 17
    assert _sample("shoreline_model_call_duration_seconds_count", model="gpt-4o-mini") == calls + 1
