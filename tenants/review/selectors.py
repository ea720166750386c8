from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet

from tenants.leads.models import Lead
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


def review_item_context(item: ReviewItem) -> dict[str, object]:
    """ADM-1: what the agency needs to judge an item without impersonating: the conversation's summary,
    topic tags, intent (lead type) and lead score."""
    conversation = item.conversation
    score = Lead.objects.filter(conversation_id=conversation.pk).values_list("score", flat=True).first()
    return {"summary": conversation.summary, "tags": list(conversation.tags or []), "intent": conversation.lead_type,
            "lead_score": score or ""}
