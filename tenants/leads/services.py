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


def lead_apply_effect(*, conversation: Any, visitor: Any, effect: Any) -> tuple[Lead, bool]:
    """Create or enrich the conversation's lead from a LeadEffect. A score never drops within a conversation."""
    now = timezone.now()
    lead = _LEAD_FOR_UPDATE.first(conversation_id=conversation.pk)
    created = lead is None
    if lead is None:
        lead = Lead(conversation=conversation, visitor=visitor, created_at=now)
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
    if created:
        model_insert(lead)
    else:
        model_update(lead)
    return lead, created
