"""CXI-6: the weekly summary email: last week (Monday to Sunday in the client's time zone), the same
numbers as the dashboard (one metric definition: tenants.analytics), and the dashboard's PDF report.

Sent through the notification outbox to the client's recipients who asked for it (unless the owner
turned the email off). Built inside the client's schema.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from controlplane.clients.selectors import client_public_url
from controlplane.core import tenancy
from controlplane.notifications.models import EventKind, OutboxEvent
from controlplane.notifications.services import notification_emit
from tenants.analytics.questions import top_questions
from tenants.analytics.ranges import DateRange
from tenants.analytics.selectors import overview_read
from tenants.bots.selectors import bot_primary, bot_published_config
from tenants.dashboard import exports, overview

SEND_FROM_HOUR = 8  # Monday 08:00 local time or later


@dataclass(frozen=True)
class WeeklySummary:
    subject: str
    text: str
    html: str
    pdf: bytes
    pdf_filename: str
    week: DateRange


def last_full_week(*, tz_name: str, now: datetime | None = None) -> DateRange:
    today = (now or timezone.now()).astimezone(DateRange(date.min, date.min, tz_name, None).tz).date()
    last_sunday = today - timedelta(days=today.weekday() + 1)
    return DateRange(last_sunday - timedelta(days=6), last_sunday, tz_name, None)


def weekly_summary_build(*, client: Any, week: DateRange | None = None) -> WeeklySummary:
    week = week or last_full_week(tz_name=client.timezone)
    bot = bot_primary()
    hours = bot_published_config(bot).business.hours if bot else ()
    data = overview_read(rng=week, default_sale_cents=client.avg_sale_value_cents, hours=hours)
    totals = data.current.totals
    questions = top_questions(start=week.start, end=week.end, limit=3)
    found = overview.insights(data)
    insight = found[0] if found else None
    numbers = [("Messages", totals.messages), ("Leads", totals.leads), ("Hot leads", totals.hot_leads),
               ("Booking clicks", totals.booking_clicks)]
    label = f"{week.first_day:%b %-d} – {week.last_day:%b %-d, %Y}"
    context = {"client": client, "label": label, "numbers": numbers, "questions": questions, "insight": insight,
               "dashboard_url": client_public_url(client, "/")}
    pdf = exports.client_report_pdf(client=client, data=data, range_label=label, tz=ZoneInfo(client.timezone))
    return WeeklySummary(
        subject=f"{client.name}: your chatbot's week ({label})",
        text=render_to_string("notifications/weekly_summary.txt", context),
        html=render_to_string("notifications/weekly_summary.html", context),
        pdf=pdf, pdf_filename=f"{client.slug}-week-{week.first_day}.pdf", week=week)


def weekly_summary_emit(*, client: Any, summary: WeeklySummary, manual: bool = False) -> OutboxEvent | None:
    """One email per week and client (a scheduled run twice sends once); "send now" always sends."""
    key = f"{client.schema_name}:{EventKind.WEEKLY_SUMMARY}:{summary.week.first_day}"
    if manual:
        key += f":now:{timezone.now().isoformat()}"
    payload = {"subject": summary.subject, "text": summary.text, "html": summary.html,
               "week": summary.week.first_day.isoformat(),
               "attachments": [{"filename": summary.pdf_filename, "content_type": "application/pdf",
                                "content_b64": base64.b64encode(summary.pdf).decode()}]}
    with transaction.atomic():
        return notification_emit(client_id=client.pk, kind=EventKind.WEEKLY_SUMMARY, payload=payload, dedupe_key=key)


def weekly_summary_due(*, client: Any, now: datetime | None = None) -> bool:
    local = (now or timezone.now()).astimezone(DateRange(date.min, date.min, client.timezone, None).tz)
    if local.weekday() != 0 or local.hour < SEND_FROM_HOUR:
        return False
    week = last_full_week(tz_name=client.timezone, now=now)
    key = f"{client.schema_name}:{EventKind.WEEKLY_SUMMARY}:{week.first_day}"
    return not OutboxEvent.objects.filter(dedupe_key=key).exists()


def weekly_summary_send_if_due(*, now: datetime | None = None) -> bool:
    from controlplane.clients.models import Client

    client = Client.objects.get(schema_name=tenancy.schema_name())
    if not weekly_summary_due(client=client, now=now):
        return False
    weekly_summary_emit(client=client, summary=weekly_summary_build(
        client=client, week=last_full_week(tz_name=client.timezone, now=now)))
    return True
