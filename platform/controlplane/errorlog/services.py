"""The only writer of the error log. Recording an error must never raise or hide the original one."""

from __future__ import annotations

import hashlib
import logging
import traceback
from datetime import datetime
from typing import Any

from django.db import DatabaseError, transaction
from django.db.models import F
from django.utils import timezone

from controlplane.errorlog.models import ErrorEvent, ErrorGroup, ErrorKind

logger = logging.getLogger(__name__)
EVENTS_KEPT_PER_GROUP = 50
DETAIL_CHARS = 6000
# Provider answers that mean every visitor is getting the fallback until a person acts.
ALERT_STATUS_CODES = frozenset({401, 403, 429})


def _fingerprint(*parts: object) -> str:
    return hashlib.sha256("\x1f".join(str(p) for p in parts).encode()).hexdigest()


def exception_detail(error: BaseException) -> str:
    """The message and the last frames: enough to find the line, short enough to store."""
    text = "".join(traceback.format_exception(error))
    return text[-DETAIL_CHARS:]


def error_record(
    *, kind: str, title: str, where: str, client_slug: str = "", detail: str = "",
    status_code: int | None = None, context: dict[str, Any] | None = None, at: datetime | None = None,
) -> ErrorGroup | None:
    """Count one occurrence in its group (by kind, client, where and status) and keep its detail.

    Never raises: a broken error log must not turn one failure into two. Returns None if it could not write.
    """
    if kind not in ErrorKind.values:
        raise ValueError(f"Unknown error kind {kind!r}.")
    now = at or timezone.now()
    fingerprint = _fingerprint(kind, client_slug, where, status_code)
    try:
        with transaction.atomic():
            group, created = ErrorGroup.objects.select_for_update().get_or_create(
                fingerprint=fingerprint,
                defaults={"kind": kind, "client_slug": client_slug, "title": title[:300], "status_code": status_code,
                          "count": 1, "first_seen": now, "last_seen": now})
            if not created:
                ErrorGroup.objects.filter(pk=group.pk).update(count=F("count") + 1, last_seen=now, title=title[:300])
                group.refresh_from_db()
            ErrorEvent.objects.create(group=group, occurred_at=now, detail=detail[-DETAIL_CHARS:],
                                      context=context or {})
            if group.count % EVENTS_KEPT_PER_GROUP == 0:
                keep = list(group.events.values_list("pk", flat=True)[:EVENTS_KEPT_PER_GROUP])
                group.events.exclude(pk__in=keep).delete()
    except DatabaseError:
        logger.exception("Could not record an error in the error log: %s", title)
        return None
    return group


def model_call_failure_record(*, client_slug: str, model_name: str, status_code: int | None, detail: str) -> None:
    """A failed model call: a 401/403/429 is an alert (every visitor gets the fallback), not noise."""
    what = f"HTTP {status_code}" if status_code else "no answer (timeout or network)"
    error_record(kind=ErrorKind.MODEL, where=model_name, client_slug=client_slug, status_code=status_code,
                 title=f"The AI model {model_name} failed: {what}", detail=detail,
                 context={"model": model_name})
