"""What each event says by SMS and by email. Payloads are built by the code that emits the event;
SMS carries only what the recipient may see on a lock screen: no phone number or email of the lead."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.template.loader import render_to_string

from controlplane.notifications.models import ACCOUNT_KINDS, EventKind

SMS_MAX_CHARS = 320  # two SMS segments


@dataclass(frozen=True)
class EmailContent:
    subject: str
    text: str
    html: str


def _lead_line(lead: dict[str, Any]) -> str:
    name = lead.get("name") or "A visitor"
    return f"{name} · {str(lead.get('score', '')).title()} lead · {lead.get('lead_type_label', '')}".strip(" ·")


def sms_body(*, kind: str, client_name: str, payload: dict[str, Any]) -> str:
    lead = payload.get("lead") or {}
    summary = (payload.get("summary") or lead.get("summary") or "").strip()
    link = payload.get("link", "")
    if kind == EventKind.CRISIS:
        head = f"URGENT {client_name}: a visitor may be in crisis. Please check the conversation now."
    elif kind == EventKind.HANDOFF_REQUESTED:
        head = f"{client_name}: a visitor asked to talk to a person."
    elif kind == EventKind.LEAD_HOT:
        head = f"{client_name} hot lead: {_lead_line(lead)}."
    else:
        head = f"{client_name} new lead: {_lead_line(lead)}."
    tail = f" {link}" if link else ""
    room = SMS_MAX_CHARS - len(head) - len(tail) - 1
    if summary and room > 20:
        summary = summary if len(summary) <= room else summary[: room - 1].rstrip() + "…"
        return f"{head} {summary}{tail}"
    return head + tail


def _account_email(*, kind: str, client_name: str, payload: dict[str, Any]) -> EmailContent:
    """Plan usage and payment alerts (to the client's owners and the agency)."""
    used, quota, plan = payload.get("used", 0), payload.get("quota", 0), payload.get("plan_name", "")
    month = payload.get("month_label", "this month")
    link, link_label = payload.get("link", ""), "Open billing"
    urgent = False
    if kind == EventKind.USAGE_NEAR_LIMIT:
        subject = f"{client_name} has used 80 % of its monthly messages"
        body = f"{client_name} has used {used:,} of the {quota:,} messages in its {plan} plan for {month}."
        body += (" When the limit is reached, the chat answers with its short fallback message until the next month "
                 "or an upgrade." if payload.get("pauses") else
                 " Messages past the limit keep being answered and are billed as extra usage.")
    elif kind == EventKind.USAGE_LIMIT_REACHED:
        subject = f"{client_name} has reached its monthly message limit"
        body = f"{client_name} has used all {quota:,} messages in its {plan} plan for {month}."
        body += (" The chat now answers with its short fallback message until the next month or an upgrade."
                 if payload.get("pauses") else
                 " The chat keeps answering; messages past the limit are billed as extra usage.")
        urgent = bool(payload.get("pauses"))
    else:
        subject = f"Payment failed for {client_name}"
        amount = payload.get("amount_label", "")
        grace = int(payload.get("grace_days") or 0)
        body = (f"Stripe could not collect invoice {payload.get('invoice', '')}"
                f"{' (' + amount + ')' if amount else ''} from {client_name}. "
                + (f"The chat keeps answering for {grace} more day{'s' if grace != 1 else ''}, then pauses until "
                   "the invoice is paid." if grace else "The chat pauses until the invoice is paid."))
        link_label, urgent = "Open the client", True
    context = {"subject": subject, "body": body, "client_name": client_name, "link": link,
               "link_label": link_label, "urgent": urgent}
    return EmailContent(subject=subject, text=render_to_string("notifications/email_account.txt", context),
                        html=render_to_string("notifications/email_account.html", context))


def email_content(*, kind: str, client_name: str, payload: dict[str, Any]) -> EmailContent:
    if kind == EventKind.WEEKLY_SUMMARY:
        return EmailContent(subject=payload["subject"], text=payload["text"], html=payload["html"])
    if kind in ACCOUNT_KINDS:
        return _account_email(kind=kind, client_name=client_name, payload=payload)
    titles = {
        EventKind.CRISIS: f"Urgent: a visitor may be in crisis ({client_name})",
        EventKind.HANDOFF_REQUESTED: f"A visitor asked to talk to a person ({client_name})",
        EventKind.LEAD_HOT: f"Hot lead for {client_name}",
        EventKind.LEAD_CREATED: f"New lead for {client_name}",
    }
    subject = titles.get(kind, f"Update for {client_name}")  # type: ignore[call-overload]
    context = {"subject": subject, "client_name": client_name, "lead": payload.get("lead") or {},
               "summary": payload.get("summary") or (payload.get("lead") or {}).get("summary", ""),
               "link": payload.get("link", ""), "urgent": kind == EventKind.CRISIS}
    return EmailContent(subject=subject, text=render_to_string("notifications/email_alert.txt", context),
                        html=render_to_string("notifications/email_alert.html", context))
