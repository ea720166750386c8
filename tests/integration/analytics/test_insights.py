"""PRM-2 forecast (honest without history), VAL-2 question grouping, PRM-1 busiest window."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
from django.utils import timezone
from django_tenants.utils import schema_context

from tenants.analytics.forecast import forecast_latest, forecast_refresh
from tenants.analytics.models import DailyRollup, QuestionVector
from tenants.analytics.questions import group_questions, is_question, question_vectors_update, top_questions
from tenants.analytics.ranges import range_preset
from tenants.analytics.selectors import busiest_window
from tests.integration.analytics import builders as b

TZ = "America/New_York"


def test_forecast_says_not_enough_data_then_forecasts(client_alpha) -> None:
    with schema_context(client_alpha.schema_name):
        today = range_preset(1, TZ).last_day
        for i in range(1, 11):
            DailyRollup.objects.create(day=today - timedelta(days=i), messages=10, leads=2)
        payload = forecast_refresh(tz_name=TZ)
        assert payload["status"] == "insufficient"
        assert payload["history_days"] == 10
        assert forecast_latest()["status"] == "insufficient"
        for i in range(11, 70):
            DailyRollup.objects.create(day=today - timedelta(days=i), messages=10, leads=3 if i % 7 else 9)
        payload = forecast_refresh(tz_name=TZ)
        assert payload["status"] == "ok"
        assert len(payload["daily"]) == 7
        assert payload["low"] <= payload["total"] <= payload["high"]
        assert 10 <= payload["total"] <= 40  # ~3 a day plus a weekly peak
        assert forecast_latest()["computed_at"] is not None


def test_is_question_rule() -> None:
    assert is_question("What time do you open?")
    assert is_question("do you have parking near the harbor")
    assert not is_question("thanks!")
    assert not is_question("Call me at (555) 201-3344 please?")
    assert not is_question("my email is pat@example.com, any news?")


def test_group_questions_merges_similar_wordings() -> None:
    texts = ["a1", "a2", "a3", "b1", "b2", "c1"]
    base = np.eye(3, 8, dtype=np.float32)
    matrix = np.vstack([base[0], base[0] * 0.99 + base[1] * 0.1, base[0], base[1], base[1], base[2]])
    matrix /= np.linalg.norm(matrix, axis=1, keepdims=True)
    groups = group_questions(texts, matrix, limit=5)
    assert [(g.count) for g in groups] == [3, 2, 1]
    assert groups[0].question in {"a1", "a2", "a3"}


def test_question_vectors_and_top_questions_in_a_range(client_alpha) -> None:
    now = timezone.now()
    with schema_context(client_alpha.schema_name):
        b.conversation(now - timedelta(days=1), turns=3,
                       texts=["What time do you open?", "When do you open today?", "thanks a lot"])
        b.conversation(now - timedelta(days=2), turns=2, texts=["Do you have parking?", "What time do you open?"])
        b.conversation(now - timedelta(days=40), turns=1, texts=["Is there parking nearby?"])
        assert question_vectors_update() == 5
        assert question_vectors_update() == 0  # idempotent watermark
        assert QuestionVector.objects.count() == 5
        groups = top_questions(start=now - timedelta(days=7), end=now + timedelta(minutes=1))
        assert sum(g.count for g in groups) == 4
        assert groups[0].count == 3
        assert "open" in groups[0].question


def test_busiest_window() -> None:
    hours = [0] * 24
    hours[16], hours[17], hours[18], hours[9] = 5, 6, 4, 7
    assert busiest_window(hours) == (16, 19)
    assert busiest_window([0] * 24) is None
