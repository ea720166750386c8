"""The outbox events a conversation produces (issue 14): built here, inside the transaction that
records the change, and delivered after commit by controlplane.notifications.

Dedupe keys carry the schema and the object, so an event is emitted once however often the code
path runs (a hot lead stays one "hot lead" alert; a second handoff request is not a second alert).
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from django.db import connection

from controlplane.clients.models import Client
from controlplane.clients.selectors import client_public_url
from controlplane.notifications.models import EventKind
from controlplane.notifications.services import notification_emit, notifications_emit


def current_client() -> Any:
    """The client whose schema is active; schema_context() sets a stand-in without the model's fields."""
    tenant = connection.tenant
    if isinstance(tenant, Client):
        return tenant
    return Client.objects.get(schema_name=connection.schema_name)


_client = current_client


def _lead_type_label(value: str) -> str:
    return (value or "other").replace("_", " ").capitalize()


def _link(conversation_id: Any) -> str:
    return client_public_url(_client(), f"/conversations/{conversation_id}/")


def _emit(kind: str, key: str, payload: dict[str, Any]) -> None:
    client = _client()
    notification_emit(client_id=client.pk, kind=kind, payload=payload,
                      dedupe_key=f"{client.schema_name}:{kind}:{key}")


_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
_PHONE = re.compile(r"\+?\(?\d[\d\s().-]{5,}\d")  # "(555) 201-3344" loses its bracket too


def _one_line(text: str) -> str:
    """The visitor's words for an alert, without the phone numbers or emails they typed: alerts travel
    over SMS and email and show on lock screens; the contact details stay behind the link."""
    line = " ".join((text or "").split())
    line = _PHONE.sub("[phone]", _EMAIL.sub("[email]", line))
    return f"Asked: “{line[:117]}…”" if len(line) > 120 else (f"Asked: “{line}”" if line else "")


def lead_events_emit(*, lead: Any, created: bool, last_question: str) -> None:
    """lead.created once, lead.hot the first time the score is hot, lead.updated when its facts change."""
    data = {"id": lead.pk, "name": lead.name, "email": lead.email, "phone": lead.phone, "score": lead.score,
            "lead_type": lead.lead_type, "lead_type_label": _lead_type_label(lead.lead_type),
            "summary": _one_line(last_question), "conversation_id": str(lead.conversation_id),
            "created_at": lead.created_at.isoformat()}
    payload = {"lead": data, "link": _link(lead.conversation_id)}
    if created:
        events = [(EventKind.LEAD_CREATED, str(lead.pk))]
    else:
        facts = f"{lead.name}|{lead.email}|{lead.phone}|{lead.score}|{lead.lead_type}"
        events = [(EventKind.LEAD_UPDATED, f"{lead.pk}:{hashlib.sha256(facts.encode()).hexdigest()[:16]}")]
    if lead.score == "hot":
        events.append((EventKind.LEAD_HOT, str(lead.pk)))
    client = _client()
    # One statement for both events of a lead that is hot at once (issue 17: a turn's statement budget).
    notifications_emit(client_id=client.pk, events=[(str(kind), f"{client.schema_name}:{kind}:{key}", payload)
                                                   for kind, key in events])


def crisis_event_emit(*, conversation: Any) -> None:
    """BOT-2: one alert per conversation, sent at once whatever the quiet hours."""
    _emit(EventKind.CRISIS, str(conversation.pk), {
        "conversation_id": str(conversation.pk), "link": _link(conversation.pk),
        "summary": "The assistant shared the crisis resources and told the visitor staff would be alerted."})


def handoff_event_emit(*, conversation: Any, question: str) -> None:
    """BEY-1: the visitor asked for a person."""
    _emit(EventKind.HANDOFF_REQUESTED, str(conversation.pk), {
        "conversation_id": str(conversation.pk), "link": _link(conversation.pk), "summary": _one_line(question),
        "requested_at": conversation.handoff_requested_at.isoformat()})


def conversation_ended_emit(*, conversation: Any) -> None:
    _emit(EventKind.CONVERSATION_ENDED, f"{conversation.pk}:{conversation.ended_at.isoformat() if conversation.ended_at else ''}", {
        "conversation_id": str(conversation.pk), "link": _link(conversation.pk), "summary": conversation.summary,
        "tags": list(conversation.tags or []), "message_count": conversation.message_count,
        "ended_at": conversation.ended_at.isoformat() if conversation.ended_at else None})
