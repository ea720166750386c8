from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from django.utils import timezone

from tenants.analytics.models import Event


def event_record(
    *, kind: str, bot_id: int, visitor_id: int | None = None, conversation_id: uuid.UUID | None = None,
    data: dict[str, Any] | None = None, occurred_at: datetime | None = None,
) -> Event:
    return Event.objects.create(kind=kind, bot_id=bot_id, visitor_id=visitor_id, conversation_id=conversation_id,
                                data=data or {}, occurred_at=occurred_at or timezone.now())
