from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet

from tenants.review.models import ReviewItem

if TYPE_CHECKING:
    from tenants.conversations.models import Message


def review_item_list(*, status: str = ReviewItem.Status.OPEN, kind: str = "") -> QuerySet[ReviewItem]:
    items = ReviewItem.objects.select_related("conversation").filter(status=status)
    return items.filter(kind=kind) if kind else items


def review_item_get(*, item_id: int) -> ReviewItem | None:
    return ReviewItem.objects.select_related("conversation", "message").filter(pk=item_id).first()


def review_item_transcript(item: ReviewItem) -> QuerySet[Message]:
    return item.conversation.messages.order_by("created_at", "id")
