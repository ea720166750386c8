"""BOT-4: keep the agency's cross-client "Waiting for approval" index in step with every client's drafts.

Three kinds of rows wait for an admin: knowledge drafts (articles, documents, websites, website
updates found by a re-crawl), FAQ drafts (new, or an edit of a live answer) and submitted bot
configuration versions. Every path that creates, approves, rejects, discards or cascades them saves or
deletes one of these models, so signals on them are the one place the index is written (a service call
per path would miss the bulk "turn into an FAQ draft" and a deleted bot's cascade). Each write runs
after the client's transaction commits, so a rolled-back change leaves no row
(docs/decisions/0035-cross-client-approvals-index.md).
"""

from __future__ import annotations

from functools import partial
from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from controlplane.core import tenancy
from controlplane.rollups.services import (
    approval_entries_replace,
    approval_entry_removed,
    approval_entry_upsert,
)
from tenants.bots.models import BotConfigVersion
from tenants.knowledge.models import Faq, KnowledgeDraft

CONFIG = "config"
FAQ = "faq"


def _schema() -> str | None:
    schema = tenancy.schema_name()
    return schema if schema and schema != "public" else None


def _later(function: Any, **values: Any) -> None:
    schema = _schema()
    if schema is not None:
        transaction.on_commit(partial(function, schema_name=schema, **values))


def _faq_row(faq: Faq) -> dict[str, Any]:
    return {"kind": FAQ, "object_id": faq.pk, "bot_id": faq.bot_id, "title": faq.question,
            "created_by": "", "changes_live": faq.replaces_id is not None, "created_at": faq.created_at}


def _draft_row(draft: KnowledgeDraft) -> dict[str, Any]:
    return {"kind": draft.kind, "object_id": draft.pk, "bot_id": draft.bot_id, "title": draft.title,
            "created_by": draft.created_by, "created_at": draft.created_at,
            "changes_live": bool(draft.target_id or draft.target_site_id)}


def _version_row(version: BotConfigVersion) -> dict[str, Any]:
    return {"kind": CONFIG, "object_id": version.pk, "bot_id": version.bot_id, "version_number": version.number,
            "title": version.note or f"Version {version.number}", "created_by": version.created_by,
            "changes_live": True, "created_at": version.submitted_at or version.created_at}


@receiver(post_save, sender=Faq, dispatch_uid="approval_index_faq_saved")
def _faq_saved(sender: Any, instance: Faq, created: bool, **kwargs: Any) -> None:
    if not instance.approved:
        _later(approval_entry_upsert, **_faq_row(instance))
    elif not created:  # a draft approved in place leaves the list (a new live FAQ never was on it)
        _later(approval_entry_removed, kind=FAQ, object_id=instance.pk)


@receiver(post_delete, sender=Faq, dispatch_uid="approval_index_faq_deleted")
def _faq_deleted(sender: Any, instance: Faq, **kwargs: Any) -> None:
    if not instance.approved:
        _later(approval_entry_removed, kind=FAQ, object_id=instance.pk)


@receiver(post_save, sender=KnowledgeDraft, dispatch_uid="approval_index_draft_saved")
def _draft_saved(sender: Any, instance: KnowledgeDraft, **kwargs: Any) -> None:
    _later(approval_entry_upsert, **_draft_row(instance))


@receiver(post_delete, sender=KnowledgeDraft, dispatch_uid="approval_index_draft_deleted")
def _draft_deleted(sender: Any, instance: KnowledgeDraft, **kwargs: Any) -> None:
    _later(approval_entry_removed, kind=instance.kind, object_id=instance.pk)


@receiver(post_save, sender=BotConfigVersion, dispatch_uid="approval_index_version_saved")
def _version_saved(sender: Any, instance: BotConfigVersion, created: bool, **kwargs: Any) -> None:
    if instance.status == BotConfigVersion.Status.SUBMITTED:
        _later(approval_entry_upsert, **_version_row(instance))
    elif not created:
        _later(approval_entry_removed, kind=CONFIG, object_id=instance.pk)


@receiver(post_delete, sender=BotConfigVersion, dispatch_uid="approval_index_version_deleted")
def _version_deleted(sender: Any, instance: BotConfigVersion, **kwargs: Any) -> None:
    if instance.status == BotConfigVersion.Status.SUBMITTED:
        _later(approval_entry_removed, kind=CONFIG, object_id=instance.pk)


def approval_index_rebuild() -> int:
    """Repair: rebuild this client's rows from its pending changes (run inside the client's schema)."""
    schema = _schema()
    if schema is None:
        return 0
    rows = ([_faq_row(f) for f in Faq.objects.filter(approved=False)]
            + [_draft_row(d) for d in KnowledgeDraft.objects.all()]
            + [_version_row(v) for v in BotConfigVersion.objects.filter(status=BotConfigVersion.Status.SUBMITTED)])
    return approval_entries_replace(schema_name=schema, rows=rows)
