"""KB-3 uploads: the web request stores the file and queues it; the knowledge worker reads it.

Decision 0034 (docs/decisions/0034-document-extraction-in-the-worker.md). Parsing a PDF or Word
file is the one step a hostile file can blow up, so no web process ever does it: `document_upload_create`
(web) checks only name and size, keeps the bytes in a `DocumentUpload` row and queues
`tenants.knowledge.process_upload` on the knowledge queue after commit. `document_upload_process`
(worker) parses under the limits of documents.py (zip directory checks, then a child process with an
address-space and CPU limit), then saves it the way the uploader may (admin: live; staff: a draft for
approval). A refused file ends `failed` with the friendly message; the bytes are dropped either way.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from controlplane.core.enqueue import Enqueued, enqueue_after_commit
from tenants.knowledge.documents import DocumentRejected, document_extract, document_precheck
from tenants.knowledge.drafts import document_save_by
from tenants.knowledge.models import DocumentUpload

log = logging.getLogger(__name__)
Status = DocumentUpload.Status
UNEXPECTED_MESSAGE = ("Something went wrong while reading this file. It was not added; try uploading it "
                      "again, or save it again (for example “Save as PDF”) first.")


def document_upload_create(*, bot_id: int, file_name: str, data: bytes, actor: Any,
                           request: Any = None) -> tuple[DocumentUpload, Enqueued]:
    """Store one upload and queue it for the worker. Raises DocumentRejected for a wrong name or size
    (checked without looking inside the file)."""
    # Lazy: tasks imports this module lazily, and this module needs the task object.
    from tenants.knowledge.tasks import document_upload_task

    clean_name = document_precheck(file_name=file_name, size=len(data))
    upload = DocumentUpload.objects.create(
        bot_id=bot_id, file_name=clean_name, size=len(data), data=data,
        uploaded_by_id=getattr(actor, "pk", None), uploaded_by=getattr(actor, "email", "") or "")
    queued = enqueue_after_commit(
        document_upload_task, args=[upload.pk], request=request, queue=settings.KNOWLEDGE_UPLOAD_QUEUE,
        success_message=f"“{clean_name}” uploaded. It is being read now; this page shows the result in a moment.")
    return upload, queued


def _actor(upload: DocumentUpload) -> Any:
    from django.contrib.auth import get_user_model

    if upload.uploaded_by_id is None:
        return None
    return get_user_model().objects.filter(pk=upload.uploaded_by_id).first()


def _finish(upload: DocumentUpload, status: str, message: str, **links: Any) -> DocumentUpload:
    upload.status, upload.message, upload.data = status, message, b""
    upload.finished_at = timezone.now()
    for name, value in links.items():
        setattr(upload, name, value)
    upload.save(update_fields=["status", "message", "data", "finished_at", *links])
    return upload


def document_upload_process(*, upload_id: int) -> DocumentUpload | None:
    """Worker side: parse, then ingest or draft. Idempotent: a finished upload is left alone, and a
    redelivered one (a worker died mid-way) is read again from its kept bytes."""
    with transaction.atomic():
        upload = DocumentUpload.objects.select_for_update().filter(pk=upload_id).first()
        if upload is None or not upload.pending:
            return upload
        upload.status = Status.PROCESSING
        upload.save(update_fields=["status"])
    try:
        document = document_extract(file_name=upload.file_name, data=bytes(upload.data))
    except DocumentRejected as rejected:
        return _finish(upload, Status.FAILED, f"“{upload.file_name}” was not added: {rejected}")
    actor = _actor(upload)
    if actor is None:
        return _finish(upload, Status.FAILED, f"“{upload.file_name}” was not added: the person who uploaded it "
                                              "no longer has access.")
    try:
        outcome = document_save_by(actor=actor, bot_id=upload.bot_id, document=document)
    except Exception:
        log.exception("saving upload %s failed", upload.pk)
        _finish(upload, Status.FAILED, f"“{upload.file_name}” was not added. {UNEXPECTED_MESSAGE}")
        raise
    result = outcome.result
    if result is None:
        return _finish(upload, Status.DONE, f"“{document.file_name}” read ({document.pages} page(s)) and saved as "
                                            "a draft: the bot answers from it once an admin approves it.",
                       draft=outcome.draft)
    message = (f"“{document.file_name}” is already in the knowledge, unchanged." if result.unchanged else
               f"“{document.file_name}” added: {document.pages} page(s), {result.chunks_created} chunk(s).")
    return _finish(upload, Status.DONE, message, source=result.source)


def document_uploads_recent(*, bot_id: int, limit: int = 5) -> list[DocumentUpload]:
    """For the knowledge page: what is being read, and what happened to the last few uploads."""
    return list(DocumentUpload.objects.filter(bot_id=bot_id).defer("data")[:limit])
