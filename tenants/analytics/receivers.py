"""The analytics app follows what the conversations app announces (tenants.conversations.signals)."""

from typing import Any

from django.dispatch import receiver

from tenants.analytics.services import analytics_rollups_reopen
from tenants.conversations.signals import conversation_tags_changed


@receiver(conversation_tags_changed)
def reopen_rollups_for_tags(sender: Any, conversation: Any, **kwargs: Any) -> None:
    """Popular topics come from the day's rollup, which may already be computed: re-open that day."""
    analytics_rollups_reopen(at=conversation.started_at)
