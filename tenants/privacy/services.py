"""BEY-6: retention, "delete this visitor", one visitor's data export, and PII redaction.

Runs inside one client's schema (the caller enters it). Deleting a visitor removes their sessions,
conversations, messages, leads and review items (all cascade from the visitor); analytics rollups
are aggregates without personal data and stay. Every deletion is audited without the personal
data itself (the audit keeps a salted hash of what was searched for) and yields a receipt.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from controlplane.audit.services import audit_record
from tenants.conversations.models import Conversation, Event, Message, ReviewItem, Visitor, VisitorSession
from tenants.leads.models import Lead
from tenants.review.services import review_items_delete

MIN_RETENTION_DAYS = 7
MAX_RETENTION_DAYS = 3650
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE = re.compile(r"(?<![\w])\+?\d[\d\s().-]{6,}\d")


class NothingFound(LookupError):
    """No visitor matches the identifier."""


@dataclass(frozen=True)
class Counts:
    visitors: int = 0
    conversations: int = 0
    messages: int = 0
    leads: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"visitors": self.visitors, "conversations": self.conversations, "messages": self.messages,
                "leads": self.leads}


@dataclass(frozen=True)
class Receipt:
    number: str
    at: datetime
    counts: Counts


# --- redaction -------------------------------------------------------------------------------------
def mask_email(value: str) -> str:
    if not value:
        return ""
    local, _, domain = value.partition("@")
    return f"{local[:1]}***@{domain[:1]}***" if domain else "***"


def mask_phone(value: str) -> str:
    digits = re.sub(r"\D", "", value or "")
    return f"***{digits[-2:]}" if digits else ""


def mask_name(value: str) -> str:
    return " ".join(f"{part[:1]}." for part in (value or "").split()) if value else ""


def redact_text(text: str, names: list[str] | tuple[str, ...] = ()) -> str:
    """Emails and phone numbers anywhere in free text, and the given names."""
    text = _EMAIL.sub(lambda m: mask_email(m.group(0)), text or "")
    text = _PHONE.sub(lambda m: mask_phone(m.group(0)), text)
    for name in names:
        for part in (name or "").split():
            if len(part) >= 2:
                text = re.sub(rf"\b{re.escape(part)}\b", part[:1] + ".", text, flags=re.I)
    return text


# --- finding one visitor ------------------------------------------------------------------------------
def _digits(value: str) -> str:
    return re.sub(r"\D", "", value)


def visitors_matching(identifier: str) -> list[Visitor]:
    """By visitor id, or by the email or phone a lead of theirs gave (phone compared by digits)."""
    identifier = identifier.strip()
    if not identifier:
        return []
    ids: set[int] = set(Visitor.objects.filter(visitor_key=identifier).values_list("id", flat=True))
    if "@" in identifier:
        ids |= set(Lead.objects.filter(email__iexact=identifier).values_list("visitor_id", flat=True))
    digits = _digits(identifier)
    if len(digits) >= 7 and "@" not in identifier:
        for visitor_id, phone in Lead.objects.exclude(phone="").values_list("visitor_id", "phone"):
            stored = _digits(phone)
            if stored == digits or (len(digits) >= 10 and stored.endswith(digits[-10:])):
                ids.add(visitor_id)
    return list(Visitor.objects.filter(id__in=ids).order_by("id"))


def _identifier_fingerprint(identifier: str) -> str:
    return hashlib.sha256((settings.SECRET_KEY + "|" + identifier.strip().lower()).encode()).hexdigest()[:16]


def _counts(visitors: Q, conversations: Q, leads: Q) -> Counts:
    return Counts(visitors=Visitor.objects.filter(visitors).count(),
                  conversations=Conversation.objects.filter(conversations).count(),
                  messages=Message.objects.filter(conversation__in=Conversation.objects.filter(conversations)).count(),
                  leads=Lead.objects.filter(leads).count())


def visitor_delete(*, identifier: str, actor: Any = None, request: Any = None) -> Receipt:
    """Erase everything about the visitor(s) matching `identifier`; audited; returns a receipt."""
    visitors = visitors_matching(identifier)
    if not visitors:
        raise NothingFound("No visitor matches that visitor id, email or phone number.")
    ids = [v.pk for v in visitors]
    with transaction.atomic():
        counts = _counts(Q(id__in=ids), Q(visitor_id__in=ids), Q(visitor_id__in=ids))
        number = "DEL-" + secrets.token_hex(4).upper()
        review_items_delete(items=ReviewItem.objects.filter(conversation__visitor_id__in=ids))
        Lead.objects.filter(visitor_id__in=ids).delete()
        Visitor.objects.filter(id__in=ids).delete()  # sessions, conversations, messages cascade
        Event.objects.filter(visitor_id__in=ids).update(visitor_id=None)  # counted events stay, unlinked
        audit_record(action="privacy.visitor_deleted", actor=actor, request=request, target_type="privacy.visitor",
                     target_id=number, data={"receipt": number, "identifier_fingerprint":
                                             _identifier_fingerprint(identifier), **counts.as_dict()})
    return Receipt(number=number, at=timezone.now(), counts=counts)


def visitor_export(*, identifier: str, actor: Any = None, request: Any = None) -> dict[str, Any]:
    """Everything held about the matching visitor(s), for an access request. Audited."""
    visitors = visitors_matching(identifier)
    if not visitors:
        raise NothingFound("No visitor matches that visitor id, email or phone number.")
    payload: dict[str, Any] = {"exported_at": timezone.now().isoformat(), "visitors": []}
    for visitor in visitors:
        payload["visitors"].append({
            "visitor_id": visitor.visitor_key,
            "first_seen_at": visitor.first_seen_at.isoformat(), "last_seen_at": visitor.last_seen_at.isoformat(),
            "sessions": [{"started_at": s.started_at.isoformat(), "page_url": s.page_url, "origin": s.origin}
                         for s in VisitorSession.objects.filter(visitor=visitor).order_by("started_at")],
            "leads": [{"name": lead.name, "phone": lead.phone, "email": lead.email, "type": lead.lead_type,
                       "captured_at": lead.created_at.isoformat()}
                      for lead in Lead.objects.filter(visitor=visitor).order_by("id")],
            "conversations": [{"started_at": c.started_at.isoformat(), "summary": c.summary,
                               "messages": [{"at": m.created_at.isoformat(), "from": m.role, "text": m.text}
                                            for m in c.messages.order_by("created_at", "id")]}
                              for c in Conversation.objects.filter(visitor=visitor).order_by("started_at")],
        })
    audit_record(action="privacy.visitor_exported", actor=actor, request=request, target_type="privacy.visitor",
                 data={"identifier_fingerprint": _identifier_fingerprint(identifier), "visitors": len(visitors)})
    return payload


# --- retention -----------------------------------------------------------------------------------------
def retention_purge(*, days: int, now: datetime | None = None) -> Counts:
    """Delete conversations (with their messages) and leads older than `days`, then visitors with
    nothing left and not seen since. Rollup tables are aggregates and are not touched."""
    cutoff = (now or timezone.now()) - timedelta(days=days)
    old_conversations = Q(last_message_at__lt=cutoff)
    old_leads = Q(created_at__lt=cutoff)
    idle_visitors = Q(last_seen_at__lt=cutoff)
    with transaction.atomic():
        counts = _counts(idle_visitors, old_conversations, old_leads)
        review_items_delete(items=ReviewItem.objects.filter(
            conversation__in=Conversation.objects.filter(old_conversations)))
        Lead.objects.filter(old_leads | Q(conversation__in=Conversation.objects.filter(old_conversations))).delete()
        Conversation.objects.filter(old_conversations).delete()
        VisitorSession.objects.filter(started_at__lt=cutoff).delete()
        gone = Visitor.objects.filter(idle_visitors).exclude(conversations__isnull=False)
        counts = Counts(visitors=gone.count(), conversations=counts.conversations, messages=counts.messages,
                        leads=counts.leads)
        gone.delete()
        if any(counts.as_dict().values()):
            audit_record(action="privacy.retention_purged", target_type="privacy.retention",
                         data={"days": days, "cutoff": cutoff.isoformat(), **counts.as_dict()})
    return counts


def retention_set(*, client: Any, days: int | None, actor: Any = None, request: Any = None) -> None:
    from django.core.exceptions import ValidationError

    if days is not None and not MIN_RETENTION_DAYS <= days <= MAX_RETENTION_DAYS:
        raise ValidationError(f"Choose between {MIN_RETENTION_DAYS} and {MAX_RETENTION_DAYS} days, or keep everything.")
    with transaction.atomic():
        before = client.retention_days
        client.retention_days = days
        client.save(update_fields=["retention_days"])
        audit_record(action="privacy.retention_changed", actor=actor, request=request, target=client,
                     client_slug=client.slug, data={"from": before, "to": days})
