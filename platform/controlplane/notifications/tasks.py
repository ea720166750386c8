"""Celery tasks of the notification layer. They touch public tables only, so any schema will do."""

from __future__ import annotations

from celery import shared_task

from controlplane.notifications.outbox import (
    delivery_send,
    notification_task_enqueue,
    outbox_event_plan,
    outbox_sweep,
)


@shared_task(name="controlplane.notifications.plan")
def plan(event_id: int) -> list[int]:
    due = outbox_event_plan(event_id=event_id)
    for delivery_id in due:
        notification_task_enqueue("controlplane.notifications.send", delivery_id)
    return due


@shared_task(name="controlplane.notifications.send")
def send(delivery_id: int) -> str:
    return delivery_send(delivery_id=delivery_id)


@shared_task(name="controlplane.notifications.sweep")
def sweep() -> dict[str, int]:
    return outbox_sweep()
