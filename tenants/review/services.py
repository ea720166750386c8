"""The Needs Review queue's writes: open an item, dismiss, resolve, or turn it into an FAQ.

Every change to an item's open/closed state goes through here, and each one adjusts the client's
public count (controlplane.rollups.ClientReviewCount) by one after the transaction commits — an
explicit call, not a model signal, and an increment rather than a recount under a lock
(docs/decisions/0014-review-in-one-app.md).
"""

from __future__ import annotations

from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Max
from django.utils import timezone

from controlplane.audit.services import audit_record
from controlplane.core import tenancy
from controlplane.rollups.services import review_count_closed, review_count_opened, review_count_replace
from tenants.knowledge.services import faq_upsert
from tenants.review.models import ReviewItem

if TYPE_CHECKING:
    from tenants.conversations.models import Conversation, Message
    from tenants.knowledge.models import Faq


AUDIT_TARGET_TYPE = "conversations.reviewitem"


def _client_schema() -> str | None:
    schema = tenancy.schema_name()
    return schema if schema and schema != "public" else None


def review_item_open(*, kind: str, conversation: Conversation, question: str, reason: str, created_at: datetime,
                     message: Message | None = None) -> ReviewItem:
    """A new open item in the current client's schema; its count moves once the transaction commits."""
    item = ReviewItem.objects.create(kind=kind, conversation=conversation, message=message, question=question,
                                     reason=reason[:255], created_at=created_at)
    schema = _client_schema()
    if schema:
        transaction.on_commit(partial(review_count_opened, schema_name=schema, kind=kind, opened_at=created_at))
    return item


def review_counts_recount() -> None:
    """Repair: recount this schema's open items into the public count (after bulk deletions, e.g. a
    privacy erase that cascades to review items, or to heal drift). Not on any hot path."""
    schema = _client_schema()
    if schema is None:
        return
    open_items = ReviewItem.objects.filter(status=ReviewItem.Status.OPEN)
    by_kind = dict(open_items.values_list("kind").annotate(n=Count("id")).order_by())
    latest = open_items.aggregate(latest=Max("created_at"))["latest"]
    review_count_replace(schema_name=schema, open_by_kind=by_kind, latest_open_at=latest)


def _close(*, item: ReviewItem, status: str, actor: Any, note: str = "", data: dict[str, Any] | None = None,
           request: Any = None) -> ReviewItem:
    if item.status != ReviewItem.Status.OPEN:
        raise ValidationError(f"This item is already {item.get_status_display().lower()}.")
    with transaction.atomic():
        item.status = status
        item.resolved_at = timezone.now()
        item.resolved_by = getattr(actor, "email", "") or "system"
        item.save(update_fields=["status", "resolved_at", "resolved_by"])
        # The audit target type stays the label the item had before it moved apps, so the audit
        # history of review items reads as one series.
        audit_record(action=f"review.{status}", actor=actor, target=item, target_type=AUDIT_TARGET_TYPE,
                     request=request,
                     data={"kind": item.kind, "note": note[:300], **(data or {})})
        schema = _client_schema()
        if schema:
            latest = (ReviewItem.objects.filter(status=ReviewItem.Status.OPEN)
                      .aggregate(latest=Max("created_at"))["latest"])
            transaction.on_commit(partial(review_count_closed, schema_name=schema, kind=item.kind,
                                          latest_open_at=latest))
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
