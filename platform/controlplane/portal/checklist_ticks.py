"""AX-3: the only writer and reader of checklist ticks (per client, ISO week and item)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from controlplane.audit.services import audit_record
from controlplane.clients.models import Client
from controlplane.portal.models import ChecklistTick


def iso_week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def checklist_ticks(*, client: Client, week: str) -> dict[str, ChecklistTick]:
    return {t.item: t for t in ChecklistTick.objects.select_related("ticked_by").filter(client=client, week=week)}


def checklist_tick_set(*, client: Client, week: str, item: str, done: bool, actor: Any, request: Any = None) -> None:
    """Tick an item off for that week (or untick it), audited; ticking twice changes nothing."""
    with transaction.atomic():
        if done:
            _, created = ChecklistTick.objects.get_or_create(
                client=client, week=week, item=item, defaults={"ticked_by": actor, "ticked_at": timezone.now()})
        else:
            created = ChecklistTick.objects.filter(client=client, week=week, item=item).delete()[0] > 0
        if created:
            audit_record(action="checklist.ticked" if done else "checklist.unticked", actor=actor, target=client,
                         client_slug=client.slug,
                         request=request, data={"week": week, "item": item})
