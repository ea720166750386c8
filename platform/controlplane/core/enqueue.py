"""Queue background work without ever hanging a request on the broker.

`enqueue_after_commit` sends the task once the surrounding transaction commits, with publish
retries off and short socket timeouts (settings), so a dead broker costs about a second, not
twenty. If the broker refuses, the job goes into the PendingTask outbox (in the database, same
as the row the user just saved) and `outbox_sweep` (beat, every minute) sends it later. The
caller learns which happened and tells the user in plain words.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from controlplane.core import tenancy

log = logging.getLogger("shoreline.enqueue")
BROKER_DOWN_MESSAGE = ("Saved. The background worker cannot be reached right now, so this will start "
                       "automatically within a few minutes of it coming back.")


@dataclass
class Enqueued:
    sent: bool | None = None  # None until the transaction commits
    task_ids: list[str] = field(default_factory=list)

    @property
    def deferred(self) -> bool:
        return self.sent is False


def _send(task_name: str, args: list[Any], kwargs: dict[str, Any], schema_name: str, queue: str | None = None) -> str:
    from config.celery import app

    headers = {"_schema_name": schema_name} if schema_name else {}
    options = {"queue": queue} if queue else {}  # unset: the task's route (settings CELERY_TASK_ROUTES)
    result = app.send_task(task_name, args=args, kwargs=kwargs, headers=headers, retry=False, **options)
    return str(result.id)


def _remember(task_name: str, args: list[Any], kwargs: dict[str, Any], schema_name: str, error: Exception) -> None:
    from django_tenants.utils import schema_context

    from controlplane.core.models import PendingTask

    with schema_context("public"):
        PendingTask.objects.create(task_name=task_name, args=args, kwargs=kwargs, schema_name=schema_name,
                                   last_error=f"{type(error).__name__}: {error}"[:500])


def enqueue_after_commit(task: Any, *, args: list[Any] | None = None, kwargs: dict[str, Any] | None = None,
                         schema_name: str | None = None, request: Any = None,
                         success_message: str = "", queue: str | None = None) -> Enqueued:
    """Send `task` after commit; on a broker failure keep it in the outbox. Never raises for the broker.

    With `request`, the person is told what happened once it is known (at commit, which may be after
    the view returns inside an atomic block): `success_message` if sent, BROKER_DOWN_MESSAGE if not.
    `queue` overrides the task's route when sent now (a job kept in the outbox follows its route)."""
    outcome = Enqueued()
    name = task if isinstance(task, str) else task.name
    schema = tenancy.schema_name() if schema_name is None else schema_name
    schema = "" if schema == "public" else schema
    call_args, call_kwargs = list(args or []), dict(kwargs or {})

    def send() -> None:
        try:
            outcome.task_ids.append(_send(name, call_args, call_kwargs, schema, queue))
            outcome.sent = True
        except Exception as error:  # noqa: BLE001 — any broker/transport failure means "later"
            log.warning("broker unavailable, %s kept in the outbox: %s", name, error)
            _remember(name, call_args, call_kwargs, schema, error)
            outcome.sent = False
        if request is not None:
            from django.contrib import messages

            if outcome.sent and success_message:
                messages.success(request, success_message)
            elif not outcome.sent:
                messages.warning(request, BROKER_DOWN_MESSAGE)

    transaction.on_commit(send)
    return outcome


def outbox_sweep(limit: int = 500) -> int:
    """Send what the outbox holds; stop at the first broker failure. Returns how many were sent."""
    from django_tenants.utils import schema_context

    from controlplane.core.models import PendingTask

    sent = 0
    with schema_context("public"):
        for pending in PendingTask.objects.all()[:limit]:
            try:
                _send(pending.task_name, pending.args, pending.kwargs, pending.schema_name)
            except Exception as error:  # noqa: BLE001
                pending.attempts += 1
                pending.last_error = f"{type(error).__name__}: {error}"[:500]
                pending.save(update_fields=["attempts", "last_error"])
                break
            pending.delete()
            sent += 1
    return sent
