"""Closing the loop on what the bot could not handle: dismiss, resolve, or turn into an FAQ."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Count, Max
from django.utils import timezone

from controlplane.audit.services import audit_record
from controlplane.review_queue.services import review_count_lock, review_count_store
from tenants.conversations.models import ReviewItem
from tenants.knowledge.models import Faq
from tenants.knowledge.services import faq_upsert


def review_counts_refresh() -> None:
    """Recount this schema's open items into the public rollup (ClientReviewCount)."""
    schema = connection.schema_name
    if not schema or schema == "public":
        return
    with transaction.atomic():
        row = review_count_lock(schema_name=schema)
        if row is None:
            return
        open_items = ReviewItem.objects.filter(status=ReviewItem.Status.OPEN)
        by_kind = dict(open_items.values_list("kind").annotate(n=Count("id")).order_by())
        latest = open_items.aggregate(latest=Max("created_at"))["latest"]
        review_count_store(row=row, open_by_kind=by_kind, latest_open_at=latest)


def _close(*, item: ReviewItem, status: str, actor: Any, note: str = "", data: dict[str, Any] | None = None,
           request: Any = None) -> ReviewItem:
    if item.status != ReviewItem.Status.OPEN:
        raise ValidationError(f"This item is already {item.get_status_display().lower()}.")
    with transaction.atomic():
        item.status = status
        item.resolved_at = timezone.now()
        item.resolved_by = getattr(actor, "email", "") or "system"
        item.save(update_fields=["status", "resolved_at", "resolved_by"])
        audit_record(action=f"review.{status}", actor=actor, target=item, request=request,
                     data={"kind": item.kind, "note": note[:300], **(data or {})})
        review_counts_refresh()
    return item


def review_item_dismiss(*, item: ReviewItem, actor: Any, note: str = "", request: Any = None) -> ReviewItem:
    return _close(item=item, status=ReviewItem.Status.DISMISSED, actor=actor, note=note, request=request)


def review_item_resolve(*, item: ReviewItem, actor: Any, note: str = "", request: Any = None) -> ReviewItem:
    return _close(item=item, status=ReviewItem.Status.RESOLVED, actor=actor, note=note, request=request)


def review_item_to_faq(*, item: ReviewItem, question: str, answer: str, actor: Any,
                       request: Any = None) -> Faq:
    """A draft FAQ from the visitor's question. It answers nobody until an admin approves it."""
    with transaction.atomic():
        faq = faq_upsert(bot_id=item.conversation.bot_id, question=question, answer=answer, approved=False, new=True,
                         actor=actor)
        _close(item=item, status=ReviewItem.Status.RESOLVED, actor=actor, note="Turned into a draft FAQ",
               data={"faq_id": faq.pk}, request=request)
    return faq
