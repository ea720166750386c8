"""Issue 4: the demo history drives the real services, back-dates them, and is idempotent."""

from __future__ import annotations

import time
from collections import Counter
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from agents.conversation.summary import extractive_summary, topic_tags
from controlplane.billing.metering import current_period
from controlplane.billing.models import UsagePeriod
from tenants.analytics.models import DailyRollup
from tenants.conversations.models import Conversation, Event, Message, VisitorSession
from tenants.conversations.services import conversation_facts, conversations_missing_summary
from tenants.demo import history
from tenants.leads.models import Lead


@pytest.fixture
def short_history(monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(history, "DAYS", 12)


def test_history_is_backdated_real_and_idempotent(client_alpha, short_history) -> None:
    started = time.perf_counter()
    made = history.history_seed_all(clients=[client_alpha], origin="http://localhost:8000")
    elapsed = time.perf_counter() - started
    assert made["alpha"] > 12
    tz = ZoneInfo(client_alpha.timezone)
    today = timezone.now().astimezone(tz).date()
    with schema_context(client_alpha.schema_name):
        conversations = list(Conversation.objects.all())
        assert len(conversations) == made["alpha"]
        days = {c.started_at.astimezone(tz).date() for c in conversations}
        assert min(days) >= today - timedelta(days=12)
        assert max(days) < today
        # Produced by the real services: every visitor message got a bot reply, with a server time.
        assert Message.objects.filter(role="visitor").count() == Message.objects.filter(role="bot").count()
        assert not Message.objects.filter(role="bot", server_ms__isnull=True).exists()
        assert Lead.objects.exists()
        assert Event.objects.filter(kind="message").count() == Message.objects.filter(role="bot").count()
        assert VisitorSession.objects.filter(is_returning=True).exists()
        # Nothing is left at "now".
        recent = timezone.now() - timedelta(hours=1)
        assert not Message.objects.filter(created_at__gte=recent).exists()
        assert not Event.objects.filter(occurred_at__gte=recent).exists()
        # Restaurant rhythm: lunch and dinner beat the small hours.
        hours = [c.started_at.astimezone(tz).hour for c in conversations]
        assert sum(11 <= h < 21 for h in hours) > sum(h < 7 for h in hours)
        # Rollups were brought up to date.
        assert sum(DailyRollup.objects.values_list("conversations", flat=True)) == len(conversations)
        # ADM-3/ADM-4 at seed time: every conversation has the summary and tags the worker's summariser
        # writes for its transcript, and the rollups (Popular topics) already count those tags.
        for conversation in conversations:
            facts = conversation_facts(conversation)
            assert conversation.summary == extractive_summary(facts)
            assert tuple(conversation.tags) == topic_tags(facts)
        tagged = Counter(tag for c in conversations for tag in c.tags)
        assert sum(tagged.values()) >= len(conversations) // 2
        rolled: Counter[str] = Counter()
        for tags in DailyRollup.objects.values_list("tags", flat=True):
            rolled.update(tags)
        assert rolled == tagged
        # Nothing is left for the worker's sweep to queue, however late it runs.
        assert conversations_missing_summary(now=timezone.now() + timedelta(days=1)) == []
    replies = sum(UsagePeriod.objects.filter(client=client_alpha).values_list("messages", flat=True))
    with schema_context(client_alpha.schema_name):
        assert replies == Message.objects.filter(role="bot").count()
        in_month = Message.objects.filter(role="bot", created_at__gte=timezone.now().replace(
            day=1, hour=0, minute=0, second=0, microsecond=0)).count()
    assert UsagePeriod.objects.get(client=client_alpha, period=current_period()).messages == in_month
    assert history.history_seed_all(clients=[client_alpha], origin="http://localhost:8000") == {"alpha": 0}
    print(f"\n12 days of alpha history: {made['alpha']} conversations in {elapsed:.1f} s")
