"""KB-4/ADM-9 "Fix this bot": rebuild all of a bot's knowledge, with progress others can watch.

Safe to run twice: a partial unique index allows one queued-or-running rebuild per bot, and
only the worker that moves a rebuild from queued to running does the work.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from controlplane.audit.services import audit_record
from tenants.bots.services import bot_needs_update_recheck
from tenants.knowledge.models import KnowledgeRebuild, KnowledgeSource
from tenants.knowledge.services import faq_reembed, knowledge_source_rechunk

State = KnowledgeRebuild.State


def knowledge_rebuild_request(*, bot_id: int, actor: Any = None, request: Any = None) -> tuple[KnowledgeRebuild, bool]:
    """A new queued rebuild, or the one already queued/running (created=False)."""
    try:
        with transaction.atomic():
            rebuild = KnowledgeRebuild.objects.create(
                bot_id=bot_id, requested_by=getattr(actor, "email", "") or "system",
                sources_total=KnowledgeSource.objects.filter(bot_id=bot_id).count() + 1)
            audit_record(action="knowledge.rebuild_requested", actor=actor, target=rebuild, request=request,
                         data={"bot_id": bot_id})
    except IntegrityError:
        active = KnowledgeRebuild.objects.filter(bot_id=bot_id, state__in=KnowledgeRebuild.ACTIVE_STATES).first()
        if active is None:  # finished between our insert and our read: ask again
            return knowledge_rebuild_request(bot_id=bot_id, actor=actor, request=request)
        return active, False
    return rebuild, True


def knowledge_rebuild_cancel(*, rebuild: KnowledgeRebuild, actor: Any = None, request: Any = None) -> KnowledgeRebuild:
    with transaction.atomic():
        # Queued: nobody is working on it yet, cancel now. Running: the worker stops at the next source.
        KnowledgeRebuild.objects.filter(pk=rebuild.pk, state=State.QUEUED).update(
            state=State.CANCELLED, cancel_requested=True, finished_at=timezone.now())
        KnowledgeRebuild.objects.filter(pk=rebuild.pk, state=State.RUNNING).update(cancel_requested=True)
        audit_record(action="knowledge.rebuild_cancelled", actor=actor, target=rebuild, request=request,
                     data={"bot_id": rebuild.bot_id})
    rebuild.refresh_from_db()
    return rebuild


def _cancelled(rebuild_id: int) -> bool:
    return KnowledgeRebuild.objects.filter(pk=rebuild_id, cancel_requested=True).exists()


def knowledge_rebuild_run(*, rebuild_id: int) -> KnowledgeRebuild | None:
    """The worker side. Each progress step commits on its own so the page can show it."""
    claimed = KnowledgeRebuild.objects.filter(pk=rebuild_id, state=State.QUEUED).update(
        state=State.RUNNING, started_at=timezone.now())
    if not claimed:
        return None  # already taken by another worker, finished or cancelled
    rebuild = KnowledgeRebuild.objects.get(pk=rebuild_id)
    source_ids = list(KnowledgeSource.objects.filter(bot_id=rebuild.bot_id).order_by("id").values_list("id", flat=True))
    KnowledgeRebuild.objects.filter(pk=rebuild_id).update(sources_total=len(source_ids) + 1)
    try:
        for source_id in source_ids:
            if _cancelled(rebuild_id):
                return _finish(rebuild_id, State.CANCELLED)
            source = KnowledgeSource.objects.filter(pk=source_id).first()
            chunks = 0
            if source is not None:  # deleted while we ran: nothing to rebuild
                try:
                    chunks = knowledge_source_rechunk(source=source)
                except Exception as error:  # noqa: BLE001 - one bad source must not stop the rest
                    _add_error(rebuild_id, f"{source.title[:80]}: {type(error).__name__}: {error}"[:300])
            KnowledgeRebuild.objects.filter(pk=rebuild_id).update(
                sources_done=F("sources_done") + 1, chunks_written=F("chunks_written") + chunks)
        if _cancelled(rebuild_id):
            return _finish(rebuild_id, State.CANCELLED)
        faqs = faq_reembed(bot_id=rebuild.bot_id)
        KnowledgeRebuild.objects.filter(pk=rebuild_id).update(sources_done=F("sources_done") + 1, faqs_embedded=faqs)
    except Exception as error:
        _add_error(rebuild_id, f"{type(error).__name__}: {error}"[:300])
        return _finish(rebuild_id, State.FAILED)
    return _finish(rebuild_id, State.DONE)


def _add_error(rebuild_id: int, message: str) -> None:
    with transaction.atomic():
        rebuild = KnowledgeRebuild.objects.select_for_update().get(pk=rebuild_id)
        rebuild.errors = [*rebuild.errors, message][-50:]
        rebuild.save(update_fields=["errors"])


def _finish(rebuild_id: int, state: str) -> KnowledgeRebuild:
    KnowledgeRebuild.objects.filter(pk=rebuild_id).update(state=state, finished_at=timezone.now())
    rebuild = KnowledgeRebuild.objects.get(pk=rebuild_id)
    if state == State.DONE:
        # BOT-5/BOT-4: a finished rebuild of the approved knowledge clears "needs update" when
        # nothing else (a pending business-info change, missing facts) still holds it.
        bot_needs_update_recheck(bot_id=rebuild.bot_id, reason=f"Knowledge rebuild {rebuild.pk} finished")
    return rebuild

