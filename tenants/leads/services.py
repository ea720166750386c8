from __future__ import annotations

import uuid
from typing import Any

from django.utils import timezone

from controlplane.core.prepared import PreparedSelect, model_insert, model_update
from tenants.leads.models import Lead

# Compiled once per process (issue 17: a lead turn's CPU); Lead has no model signal receivers.
_LEAD_FOR_UPDATE = PreparedSelect(
    lambda *, conversation_id: Lead.objects.select_for_update().filter(conversation_id=conversation_id)[:1],
    conversation_id=uuid.UUID(int=0x1EAD))
_SCORE_ORDER = {"cold": 0, "warm": 1, "hot": 2}


def lead_apply_effect(*, conversation: Any, visitor: Any, effect: Any, lead_absent: bool = False) -> tuple[Lead, bool]:
    """Create or enrich the conversation's lead from a LeadEffect. A score never drops within a conversation.

    `lead_absent`: the caller read the conversation with its lead and it had none, so the lead is
    inserted straight away (one statement, issue 17); if a concurrent turn inserted one meanwhile, the
    insert does nothing and that lead is locked and enriched as usual."""
    now = timezone.now()
    if lead_absent:
        lead = _with_effect(Lead(conversation=conversation, visitor=visitor, created_at=now), effect,
                            created=True, now=now)
        if model_insert(lead, suffix=f"ON CONFLICT ({Lead._meta.get_field('conversation').column}) DO NOTHING"):
            return lead, True
    found = _LEAD_FOR_UPDATE.first(conversation_id=conversation.pk)
    created = found is None
    lead = found if found is not None else Lead(conversation=conversation, visitor=visitor, created_at=now)
    _with_effect(lead, effect, created=created, now=now)
    if created:
        model_insert(lead)
    else:
        model_update(lead)
    return lead, created


def _with_effect(lead: Lead, effect: Any, *, created: bool, now: Any) -> Lead:
    """`lead` with the effect's contacts, type and score applied (in place)."""
    for contact in effect.contacts:
        if contact.label == "name":
            lead.name = contact.value[:120]
        elif contact.label == "phone":
            lead.phone = contact.value[:32]
        elif contact.label == "email":
            lead.email = contact.value[:254]
    if effect.lead_type not in ("other", "general_question") or created:
        lead.lead_type = effect.lead_type
    if created or _SCORE_ORDER[effect.score] >= _SCORE_ORDER[lead.score]:
        lead.score = effect.score
        lead.score_reasons = list(effect.score_reasons)
    lead.updated_at = now
    return lead
