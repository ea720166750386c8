from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from tenants.conversations.models import ReviewItem
from tenants.review.services import review_counts_refresh


@receiver(post_save, sender=ReviewItem)
@receiver(post_delete, sender=ReviewItem)
def keep_review_counts_current(sender: Any, instance: ReviewItem, **kwargs: Any) -> None:
    """Every review item created anywhere (widget turns, feedback, handoffs) updates the public
    rollup in the same transaction, so the portal's counts never drift from the schema."""
    review_counts_refresh()
