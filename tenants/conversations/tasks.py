"""ADM-3/ADM-4: idle conversations end, then each gets a summary and topic tags.

    beat (public) ─► conversations_end_idle_all_clients ─► one conversations_end_idle_task per client
                                                              └─► one conversation_summarize_task per ended conversation

The per-client tasks are ClientTasks: they run only inside a client's schema (the schema travels in
the message headers) and refuse to run without one. All of them are safe to retry.
"""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError
from django_tenants.utils import get_public_schema_name

from controlplane.core.tasks import ClientTask
from tenants.conversations.services import (
    conversation_summarize,
    conversations_end_idle,
    conversations_missing_summary,
    conversations_summary_queued,
)


@shared_task(name="tenants.conversations.end_idle_all_clients")
def conversations_end_idle_all_clients() -> int:
    """Beat, public schema: queue the idle sweep of every client, in batches (controlplane.core.fanout).
    Returns how many clients were covered."""
    from controlplane.core.fanout import fan_out

    return fan_out(conversations_end_idle_batch_task)


@shared_task(name="tenants.conversations.end_idle_batch", acks_late=True)
def conversations_end_idle_batch_task(schemas: list[str]) -> dict[str, object]:
    from controlplane.core.fanout import for_each_schema

    return for_each_schema([s for s in schemas if s != get_public_schema_name()],
                           lambda: conversations_end_idle_task.run(), what="tenants.conversations.end_idle")


@shared_task(base=ClientTask, name="tenants.conversations.end_idle", acks_late=True,
             autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)
def conversations_end_idle_task() -> list[str]:
    """One client: end its idle conversations and queue a summary for each (in this schema), plus any
    ended earlier whose summary task was lost. Returns the ids just ended."""

    ended = [str(pk) for pk in conversations_end_idle()]
    lost = [str(pk) for pk in conversations_missing_summary() if str(pk) not in ended]
    conversations_summary_queued(conversation_ids=lost)  # the just-ended were marked as they ended
    for conversation_id in ended + lost:
        conversation_summarize_task.delay(conversation_id)
    return ended


@shared_task(base=ClientTask, name="tenants.conversations.summarize", acks_late=True,
             autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)
def conversation_summarize_task(conversation_id: str) -> dict[str, object] | None:

    conversation = conversation_summarize(conversation_id=conversation_id)  # type: ignore[arg-type]
    if conversation is None:
        return None
    return {"summary": conversation.summary, "tags": conversation.tags}
