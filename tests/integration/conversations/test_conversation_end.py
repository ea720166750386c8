"""ADM-3/ADM-4: idle conversations end (Celery beat → per-client task), then get a summary and tags."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context, tenant_context

from ops.fake_openai import FakeOpenAI

pytestmark = pytest.mark.django_db

DELIVERY_REPLY = ("Yes, through DoorDash, Uber Eats and Grubhub. For the lowest prices, order pickup directly from "
                  "our website at https://alpha.example/order.")


def _conversation(visitor_key: str, minutes_ago: float, turns: list[tuple[str, str, dict[str, Any]]], **fields: Any):  # type: ignore[no-untyped-def]
    from tenants.conversations.models import Conversation, Message, Visitor

    last = timezone.now() - timedelta(minutes=minutes_ago)
    start = last - timedelta(minutes=len(turns))
    visitor, _ = Visitor.objects.get_or_create(visitor_key=visitor_key,
                                               defaults={"first_seen_at": start, "last_seen_at": last})
    conversation = Conversation.objects.create(visitor=visitor, bot_id=1, started_at=start, last_message_at=last,
                                               message_count=len(turns), **fields)
    for index, (role, text, extra) in enumerate(turns):
        Message.objects.create(conversation=conversation, role=role, text=text,
                               created_at=start + timedelta(seconds=30 * index), **extra)
    return conversation


@pytest.fixture
def alpha_history(client_alpha: Any) -> Iterator[dict[str, Any]]:
    from tenants.conversations.services import event_record
    from tenants.leads.models import Lead

    with tenant_context(client_alpha):
        lead_conv = _conversation("visitor_lead_000000001", 40, [
            ("visitor", "hi", {"lead_type": "other"}),
            ("bot", "Hi! I'm the Alpha Co assistant. What can I help you with?", {"answered_by": "canned"}),
            ("visitor", "Do you deliver? And do you have vegan options?", {"lead_type": "service_request"}),
            ("bot", DELIVERY_REPLY, {"answered_by": "approved_faq"}),
            ("visitor", "Great, my number is 415-555-0133", {"lead_type": "service_request"}),
            ("bot", "Thanks! The Alpha Co team will reach out to you at 415-555-0133 shortly.",
             {"answered_by": "canned"}),
        ], lead_type="service_request")
        now = timezone.now()
        Lead.objects.create(conversation=lead_conv, visitor=lead_conv.visitor, phone="+14155550133",
                            lead_type="service_request", score="hot", created_at=now, updated_at=now)
        event_record(kind="booking_click", bot_id=1, visitor_id=lead_conv.visitor_id, conversation_id=lead_conv.pk)
        crisis_conv = _conversation("visitor_crisis_00000001", 35, [
            ("visitor", "I want to end my life", {"lead_type": "other", "crisis_level": "crisis"}),
            ("bot", "I'm really sorry you're going through this...", {"answered_by": "crisis_script"}),
        ], crisis_level="crisis")
        fallback_conv = _conversation("visitor_fallback_000001", 31, [
            ("visitor", "Do you sell used cars?", {"lead_type": "general_question"}),
            ("bot", "Good question! I don't have that answer.", {"answered_by": "fallback", "is_fallback": True,
                                                              "feedback": "down"}),
        ])
        recent = _conversation("visitor_recent_00000001", 5, [("visitor", "menu?", {}), ("bot", "Here.", {})])
        already = _conversation("visitor_ended_000000001", 90, [("visitor", "hello", {}), ("bot", "Hi!", {})],
                                status="ended", ended_at=now - timedelta(minutes=60))
        yield {"lead": lead_conv.pk, "crisis": crisis_conv.pk, "fallback": fallback_conv.pk, "recent": recent.pk,
               "already": already.pk}


@pytest.fixture
def bravo_idle(client_bravo: Any) -> uuid.UUID:
    with tenant_context(client_bravo):
        return _conversation("visitor_bravo_idle_0001", 45, [("visitor", "classes?", {}), ("bot", "6am.", {})]).pk


@pytest.fixture
def queued_summaries(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """(schema, conversation id) of every summary task queued, instead of sending it to the broker."""
    from django.db import connection

    from tenants.conversations import tasks

    queued: list[tuple[str, str]] = []
    monkeypatch.setattr(tasks.conversation_summarize_task, "delay",
                        lambda conversation_id: queued.append((connection.schema_name, conversation_id)))
    return queued


EXPECTED = {
    "lead": (
        "Wanted: “Do you deliver? And do you have vegan options?” (+2 more messages)\n"
        "Answered: “Yes, through DoorDash, Uber Eats and Grubhub.”\n"
        "Outcome: lead captured (hot, service_request); booking link clicked.",
        ["service_request", "menu_question", "delivery", "dietary"],
    ),
    "crisis": (
        "Wanted: “I want to end my life”\n"
        "Answered: the crisis script with crisis resources\n"
        "Outcome: crisis: script and resources sent, flagged for review.",
        ["crisis"],
    ),
    "fallback": (
        "Wanted: “Do you sell used cars?”\n"
        "Answered: could not answer (fallback)\n"
        "Outcome: 1 unanswered question (fallback); 1 answer marked unhelpful.",
        [],
    ),
}


def test_idle_conversations_end_and_queue_one_summary_each(
    client_alpha: Any, alpha_history: dict[str, Any], bravo_idle: uuid.UUID, queued_summaries: list[tuple[str, str]]
) -> None:
    from tenants.conversations.models import Conversation
    from tenants.conversations.services import SUMMARY_REQUEUE_MINUTES
    from tenants.conversations.tasks import conversations_end_idle_task

    with tenant_context(client_alpha):
        result = conversations_end_idle_task.apply()
        ended = set(result.get())
        assert ended == {str(alpha_history[k]) for k in ("lead", "crisis", "fallback")}
        # The one ended an hour ago without a summary lost its task: it is queued again too.
        lost = str(alpha_history["already"])
        assert sorted(queued_summaries) == sorted(("c_alpha", c) for c in ended | {lost})
        statuses = dict(Conversation.objects.values_list("pk", "status"))
        assert {str(k) for k, v in statuses.items() if v == "ended"} == ended | {lost}
        assert statuses[alpha_history["recent"]] == "open"
        assert all(Conversation.objects.get(pk=pk).ended_at is not None for pk in ended)

        # A retry (or the next beat) ends nothing more, and queues nothing again: every task just queued
        # may still be waiting behind a backlog (the demo once had ~1,200 queued, re-queued every sweep).
        queued_summaries.clear()
        assert conversations_end_idle_task.apply().get() == []
        assert queued_summaries == []
        # One whose task was queued long ago and still has no summary lost it: queued again, once.
        long_ago = timezone.now() - timedelta(minutes=SUMMARY_REQUEUE_MINUTES + 1)
        Conversation.objects.filter(pk__in=[*ended, lost]).update(ended_at=long_ago)
        Conversation.objects.filter(pk=lost).update(summary_queued_at=long_ago)
        assert conversations_end_idle_task.apply().get() == []
        assert queued_summaries == [("c_alpha", lost)]
        queued_summaries.clear()
        assert conversations_end_idle_task.apply().get() == []
        assert queued_summaries == []
        Conversation.objects.filter(pk=alpha_history["already"]).update(summary="Outcome: answered, no lead.",
                                                                         summary_queued_at=None)
        queued_summaries.clear()
        assert conversations_end_idle_task.apply().get() == []
        assert queued_summaries == []
    # Another client's idle conversation waits for its own task.
    with schema_context("c_bravo"):
        assert Conversation.objects.get(pk=bravo_idle).status == "open"


@pytest.mark.parametrize("kind", ["lead", "crisis", "fallback"])
def test_summary_and_tags_are_exact_and_idempotent(client_alpha: Any, alpha_history: dict[str, Any], kind: str) -> None:
    from tenants.conversations.models import Conversation
    from tenants.conversations.tasks import conversation_summarize_task

    summary, tags = EXPECTED[kind]
    with tenant_context(client_alpha):
        first = conversation_summarize_task.apply(args=[str(alpha_history[kind])]).get()
        assert first == {"summary": summary, "tags": tags}
        again = conversation_summarize_task.apply(args=[str(alpha_history[kind])]).get()
        assert again == first
        stored = Conversation.objects.get(pk=alpha_history[kind])
        assert (stored.summary, stored.tags) == (summary, tags)


def test_summary_of_a_deleted_conversation_is_a_no_op(client_alpha: Any) -> None:
    from tenants.conversations.tasks import conversation_summarize_task

    with tenant_context(client_alpha):
        assert conversation_summarize_task.apply(args=[str(uuid.uuid4())]).get() is None


def test_beat_task_queues_the_sweep_of_every_client_in_batches_from_public(
    client_alpha: Any, client_bravo: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.conf import settings

    from config.celery import app
    from tenants.conversations import tasks

    queued: list[list[str]] = []
    monkeypatch.setattr(tasks.conversations_end_idle_batch_task, "apply_async",
                        lambda *args, **kwargs: queued.append(kwargs["args"][0]))
    with schema_context("public"):
        count = tasks.conversations_end_idle_all_clients.apply().get()
    assert len(queued) == 1  # every client fits in one batch message
    schemas = queued[0]
    assert count == len(schemas)
    assert {"c_alpha", "c_bravo"} <= set(schemas)
    assert "public" not in schemas
    entry = settings.CELERY_BEAT_SCHEDULE["conversations-end-idle"]
    assert entry == {"task": "tenants.conversations.end_idle_all_clients", "schedule": 120.0}
    assert entry["task"] in app.tasks


def test_client_tasks_refuse_to_run_in_the_public_schema(alpha_history: dict[str, Any]) -> None:
    from controlplane.core.tasks import MissingClientSchema
    from tenants.conversations.tasks import conversation_summarize_task, conversations_end_idle_task

    with schema_context("public"):
        with pytest.raises(MissingClientSchema):
            conversations_end_idle_task.apply().get()
        with pytest.raises(MissingClientSchema):
            conversation_summarize_task.apply(args=[str(alpha_history["lead"])]).get()


def test_a_message_after_the_sweep_reopens_the_conversation(client_alpha: Any) -> None:
    """A visitor's message that raced the sweep is kept in its conversation, which ends again later."""
    from tenants.bots.selectors import bot_get, bot_published_config
    from tenants.conversations.models import Conversation
    from tenants.conversations.services import conversation_end, message_reply

    with tenant_context(client_alpha):
        bot = bot_get(bot_id=1)
        assert bot is not None
        first = message_reply(bot=bot, config=bot_published_config(bot), client_id=client_alpha.pk,
                              client_slug="alpha", visitor_key="visitor_race_0000000001", conversation_id=None,
                              text="hi")
        conversation = Conversation.objects.get(pk=first.conversation_id)
        assert conversation_end(conversation_id=conversation.pk) is True
        assert conversation_end(conversation_id=conversation.pk) is False
        from tenants.conversations import services

        # The message path decided "continue" before the sweep ended it: persist into it anyway.
        services._persist_turn(bot=bot, config=bot_published_config(bot), client_id=client_alpha.pk,
                               visitor_key="visitor_race_0000000001", conversation=conversation, text="still there?",
                               result=None, unavailable=("One moment.", "paused"), started=0.0)
        conversation.refresh_from_db()
        assert (conversation.status, conversation.ended_at, conversation.message_count) == ("open", None, 4)


@pytest.fixture
def fake_summary_model(settings: Any) -> Iterator[FakeOpenAI]:
    fake = FakeOpenAI(answer={"summary": "Asked about delivery and vegan dishes; left a phone number (hot lead)."})
    with fake.running():
        settings.OPENAI_API_KEY = "sk-test-not-a-secret"
        settings.OPENAI_BASE_URL = fake.base_url
        settings.MODEL_TIMEOUT_SECONDS = 5.0
        yield fake


def test_with_a_model_the_summary_is_the_models(
    client_alpha: Any, alpha_history: dict[str, Any], fake_summary_model: FakeOpenAI
) -> None:
    from tenants.conversations.tasks import conversation_summarize_task

    with tenant_context(client_alpha):
        result = conversation_summarize_task.apply(args=[str(alpha_history["lead"])]).get()
    assert result == {"summary": "Asked about delivery and vegan dishes; left a phone number (hot lead).",
                      "tags": EXPECTED["lead"][1]}
    prompt = str(fake_summary_model.chat_requests()[0]["messages"])
    assert "Do you deliver? And do you have vegan options?" in prompt
    assert "lead captured (hot, service_request)" in prompt


def test_when_the_model_fails_the_summary_is_extractive(
    client_alpha: Any, alpha_history: dict[str, Any], fake_summary_model: FakeOpenAI
) -> None:
    from tenants.conversations.tasks import conversation_summarize_task

    fake_summary_model.fail_status = 500
    with tenant_context(client_alpha):
        result = conversation_summarize_task.apply(args=[str(alpha_history["lead"])]).get()
    assert result == {"summary": EXPECTED["lead"][0], "tags": EXPECTED["lead"][1]}
