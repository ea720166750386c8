"""The Needs Review queue's writes: open an item, dismiss, resolve, or turn it into an FAQ.

Every change to an item's open/closed state goes through here, and each one adjusts the client's
public count (controlplane.rollups.ClientReviewCount) by one after the transaction commits — an
explicit call, not a model signal, and an increment rather than a recount under a lock
(docs/decisions/0014-review-in-one-app.md).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Max, QuerySet
from django.utils import timezone
from django_tenants.utils import schema_context

from controlplane.audit.services import audit_record
from controlplane.core import tenancy
from controlplane.core.prepared import model_insert
from controlplane.rollups.services import (
    review_count_closed,
    review_count_replace,
    review_entries_context,
    review_entries_owner,
    review_entries_replace,
    review_entry_closed,
    review_item_indexed,
)
from tenants.knowledge.services import faq_upsert
from tenants.leads.models import Lead
from tenants.review.models import ReviewItem

if TYPE_CHECKING:
    from tenants.conversations.models import Conversation, Message
    from tenants.knowledge.models import Faq


AUDIT_TARGET_TYPE = "conversations.reviewitem"


def _client_schema() -> str | None:
    schema = tenancy.schema_name()
    return schema if schema and schema != "public" else None


# --- ADM-1 duplicate grouping ------------------------------------------------------------------------
# Two visitors asking the same thing rarely type the same bytes: case, punctuation, accents, greetings
# and filler words differ. The group key drops exactly those, so "Hi! Do you open on Sundays?" and
# "do you open on sundays" are one row "asked 2 times". Crises and handoffs are people, never grouped.
_FILLER = frozenset({"hi", "hello", "hey", "please", "pls", "thanks", "thank", "um", "uh", "so", "ok", "okay",
                     "a", "an", "the", "just", "quick", "question"})
_GROUPED_KINDS = frozenset({ReviewItem.Kind.UNKNOWN_QUESTION, ReviewItem.Kind.FALLBACK, ReviewItem.Kind.THUMBS_DOWN})
_NON_WORD = re.compile(r"[^a-z0-9]+")


def question_normalise(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return " ".join(w for w in _NON_WORD.split(folded) if w and w not in _FILLER)


def review_group_key(*, kind: str, question: str, item_id: int) -> str:
    normalised = question_normalise(question)
    if kind in _GROUPED_KINDS and normalised:
        # Unknown questions and fallbacks are the same problem (nothing answered it): one group.
        family = "thumbs" if kind == ReviewItem.Kind.THUMBS_DOWN else "unanswered"
        return f"{family}:{normalised}"[:300]
    return f"item:{item_id}"


def _lead_score(conversation: Conversation) -> str:
    """The conversation's lead score; no query when the caller loaded the lead with the conversation
    (the widget's turn does: issue 17's statement budget)."""
    if type(conversation).lead.is_cached(conversation):
        try:
            return str(conversation.lead.score or "")
        except Lead.DoesNotExist:
            return ""
    return Lead.objects.filter(conversation_id=conversation.pk).values_list("score", flat=True).first() or ""


def _conversation_context(conversation: Conversation) -> dict[str, Any]:
    score = _lead_score(conversation)
    return {"summary": conversation.summary, "tags": list(conversation.tags or []),
            "intent": conversation.lead_type, "lead_score": score or ""}


def _entry_row(item: ReviewItem, context: dict[str, Any]) -> dict[str, Any]:
    return {"item_id": item.pk, "conversation_id": item.conversation_id, "bot_id": item.conversation.bot_id,
            "kind": item.kind, "question": item.question[:500], "created_at": item.created_at,
            "group_key": review_group_key(kind=item.kind, question=item.question, item_id=item.pk),
            "owner_id": item.assigned_to_id, **context}


def review_item_open(*, kind: str, conversation: Conversation, question: str, reason: str, created_at: datetime,
                     message: Message | None = None) -> ReviewItem:
    """A new open item in the current client's schema; its count and its triage row appear once the
    transaction commits."""
    # The INSERT is built once per process (issue 17: a fallback turn's CPU); ReviewItem has no receivers.
    item = model_insert(ReviewItem(kind=kind, conversation=conversation, message=message, question=question,
                                   reason=reason[:255], created_at=created_at))
    assert item is not None
    schema = _client_schema()
    if schema:
        row = _entry_row(item, _conversation_context(conversation))
        context = {k: row.pop(k) for k in ("summary", "tags", "intent", "lead_score")}
        transaction.on_commit(partial(review_item_indexed, schema_name=schema, context=context, **row))
    return item


def review_context_refresh(*, conversation: Conversation) -> None:
    """The conversation's summary, tags, intent or lead score changed: its open items in the agency's
    triage list show the new values (after commit). The update touches only the conversation's
    entries, so a conversation without open items costs one statement that changes nothing, instead
    of a check first (issue 17: one statement fewer on a lead turn that has items)."""
    schema = _client_schema()
    if schema:
        transaction.on_commit(partial(review_entries_context, schema_name=schema, conversation_id=conversation.pk,
                                      context=_conversation_context(conversation)))


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
    items = list(open_items.select_related("conversation"))
    scores = dict(Lead.objects.filter(conversation_id__in={i.conversation_id for i in items})
                  .values_list("conversation_id", "score"))
    review_entries_replace(schema_name=schema, rows=[_entry_row(i, {
        "summary": i.conversation.summary, "tags": list(i.conversation.tags or []), "intent": i.conversation.lead_type,
        "lead_score": scores.get(i.conversation_id, "")}) for i in items])


def _recount_schema(schema: str) -> None:
    with schema_context(schema):
        review_counts_recount()


def review_items_delete(*, items: QuerySet[ReviewItem]) -> int:
    """Delete items outright (a privacy erase, the retention purge). After commit the client's counts and
    triage rows are recounted from what is left, so no erased visitor's question stays in the agency's list."""
    deleted = items.delete()[0]
    schema = _client_schema()
    if schema and deleted:
        transaction.on_commit(partial(_recount_schema, schema))
    return deleted


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
            transaction.on_commit(partial(review_entry_closed, schema_name=schema, item_id=item.pk))
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


# --- ADM-1 bulk actions from the cross-client triage list --------------------------------------------
# Each runs inside one client's schema (the portal view enters it per client of the selection).
FAQ_DRAFT_ANSWER = "(Write the answer here before approving this FAQ.)"


def review_items_assign(*, items: Iterable[ReviewItem], owner: Any, actor: Any, request: Any = None) -> int:
    """Give open items an owner (an agency user), or none. Audited; the triage list follows after commit."""
    owner_id = owner.pk if owner is not None else None
    changed = [i for i in items if i.status == ReviewItem.Status.OPEN]
    with transaction.atomic():
        ReviewItem.objects.filter(pk__in=[i.pk for i in changed]).update(assigned_to_id=owner_id)
        for item in changed:
            item.assigned_to_id = owner_id
            audit_record(action="review.assigned", actor=actor, target=item, target_type=AUDIT_TARGET_TYPE,
                         request=request, data={"kind": item.kind, "owner": getattr(owner, "email", "")})
        schema = _client_schema()
        if schema and changed:
            transaction.on_commit(partial(review_entries_owner, schema_name=schema,
                                          item_ids=[i.pk for i in changed], owner_id=owner_id))
    return len(changed)


def review_items_dismiss(*, items: Iterable[ReviewItem], actor: Any, request: Any = None) -> int:
    done = 0
    with transaction.atomic():
        for item in items:
            if item.status == ReviewItem.Status.OPEN:
                _close(item=item, status=ReviewItem.Status.DISMISSED, actor=actor, note="Dismissed from triage",
                       request=request)
                done += 1
    return done


def review_items_faq_draft(*, items: list[ReviewItem], actor: Any, request: Any = None) -> Faq | None:
    """One draft FAQ for a group of duplicate questions (the first item's wording, an answer to write),
    resolving every item of the group. The draft answers nobody until an admin approves it."""
    open_items = [i for i in items if i.status == ReviewItem.Status.OPEN and i.question.strip()]
    if not open_items:
        return None
    first = open_items[0]
    with transaction.atomic():
        faq = faq_upsert(bot_id=first.conversation.bot_id, question=first.question[:500], answer=FAQ_DRAFT_ANSWER,
                         approved=False, new=True, actor=actor)
        for item in open_items:
            _close(item=item, status=ReviewItem.Status.RESOLVED, actor=actor, note="Turned into a draft FAQ",
                   data={"faq_id": faq.pk}, request=request)
    return faq


def review_question_faq_draft(*, key: str, disliked: bool, actor: Any, request: Any = None) -> Faq | None:
    """PRM-4 "draft an FAQ": every open item asking the question whose normalised wording is `key`
    (unanswered, or thumbs-down when `disliked`) becomes one draft FAQ; None when none is open any more."""
    kinds = ([ReviewItem.Kind.THUMBS_DOWN] if disliked
             else [ReviewItem.Kind.UNKNOWN_QUESTION, ReviewItem.Kind.FALLBACK])
    candidates = (ReviewItem.objects.select_related("conversation")
                  .filter(status=ReviewItem.Status.OPEN, kind__in=kinds).exclude(question="")
                  .order_by("created_at", "id"))
    items = [i for i in candidates if question_normalise(i.question) == key]
    return review_items_faq_draft(items=items, actor=actor, request=request) if key and items else None
