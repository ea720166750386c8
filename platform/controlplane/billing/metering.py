"""Usage metering (BILL-3/4/5): bot replies per client per calendar month, in the public schema.

The hot path pays for exactly one statement per answered message, the one it always paid for:
an UPDATE ... RETURNING that bumps the counter and hands back the client's quota and overage
policy in the same round trip. No cache can go stale after an upgrade, and no extra query runs.
Counting happens inside the transaction that stores the bot's message, so a message is counted
once exactly when it exists (a rolled-back turn counts nothing; a retry is a new message).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone

from controlplane.billing.models import OveragePolicy, Plan, UsagePeriod
from controlplane.clients.models import Client
from controlplane.clients.selectors import client_public_url
from controlplane.notifications.models import EventKind
from controlplane.notifications.services import notification_emit

NEAR_LIMIT_SHARE = 0.8


def current_period() -> str:
    return timezone.now().strftime("%Y-%m")


@dataclass(frozen=True)
class UsageTick:
    """The counter after one reply, with the limits that apply to it."""

    messages: int
    quota: int | None
    policy: str | None

    @property
    def crossed(self) -> str | None:
        """The threshold this very reply crossed ("80" or "100"), if any. The counter moves by one
        under a row lock, so exactly one reply per period sees each threshold."""
        if not self.quota:
            return None
        if self.messages == self.quota:
            return "100"
        return "80" if self.messages == max(1, math.ceil(self.quota * NEAR_LIMIT_SHARE)) else None

    @property
    def at_pause_limit(self) -> bool:
        """A pause plan's client has used its whole quota: its bots go over_limit now."""
        return self.policy == OveragePolicy.PAUSE and bool(self.quota) and self.messages >= (self.quota or 0)


_BUMP_SQL = """
UPDATE {usage} AS u
   SET messages = u.messages + 1, input_tokens = u.input_tokens + %s, output_tokens = u.output_tokens + %s
  FROM (SELECT c.id AS cid, p.monthly_message_quota AS quota, p.overage_policy AS policy
          FROM {client} AS c LEFT JOIN {plan} AS p ON p.id = c.plan_id WHERE c.id = %s) AS lim
 WHERE u.client_id = lim.cid AND u.period = %s
RETURNING u.messages, lim.quota, lim.policy
"""


def _bump(client_id: int, period: str, input_tokens: int, output_tokens: int) -> UsageTick | None:
    sql = _BUMP_SQL.format(usage=UsagePeriod._meta.db_table, client=Client._meta.db_table, plan=Plan._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(sql, [input_tokens, output_tokens, client_id, period])
        row = cursor.fetchone()
    return UsageTick(messages=row[0], quota=row[1], policy=row[2]) if row else None


def usage_record_reply(*, client_id: int, input_tokens: int = 0, output_tokens: int = 0) -> UsageTick:
    """One bot reply counted against this month's quota. Safe under concurrency."""
    period = current_period()
    if not settings.BILLING_ENFORCE_QUOTAS:  # the pre-enforcement statement (benchmark baseline)
        if UsagePeriod.objects.filter(client_id=client_id, period=period).update(
                messages=F("messages") + 1, input_tokens=F("input_tokens") + input_tokens,
                output_tokens=F("output_tokens") + output_tokens):
            return UsageTick(messages=0, quota=None, policy=None)
    tick = _bump(client_id, period, input_tokens, output_tokens)
    if tick is None:
        try:
            with transaction.atomic():  # the first reply of the month: once per client per month
                UsagePeriod.objects.create(client_id=client_id, period=period, messages=1,
                                           input_tokens=input_tokens, output_tokens=output_tokens)
        except IntegrityError:
            return usage_record_reply(client_id=client_id, input_tokens=input_tokens, output_tokens=output_tokens)
        plan = Plan.objects.filter(client__pk=client_id).first()
        tick = UsageTick(messages=1, quota=plan.monthly_message_quota if plan else None,
                         policy=plan.overage_policy if plan else None)
    if tick.crossed:  # twice a month at most: the only replies that pay for more than the counter
        usage_threshold_emit(client_id=client_id, period=period, tick=tick)
    return tick


def usage_threshold_emit(*, client_id: int, period: str, tick: UsageTick) -> None:
    """BILL-4: at 80 % and at 100 % of the quota the client's owners and the agency get an email,
    once per client, period and threshold (the dedupe key), in the transaction of the reply."""
    client = Client.objects.select_related("plan").get(pk=client_id)
    threshold = tick.crossed
    kind = EventKind.USAGE_LIMIT_REACHED if threshold == "100" else EventKind.USAGE_NEAR_LIMIT
    year, month_number = (int(part) for part in period.split("-"))
    month = date(year, month_number, 1).strftime("%B %Y")
    notification_emit(client_id=client_id, kind=kind, dedupe_key=f"{client.schema_name}:usage:{period}:{threshold}",
                      payload={"used": tick.messages, "quota": tick.quota, "threshold": int(threshold or 0),
                               "plan_name": client.plan.name if client.plan else "", "period": period,
                               "month_label": month, "pauses": tick.policy == OveragePolicy.PAUSE,
                               "link": client_public_url(client, "/billing/")})


def usage_this_period(*, client_id: int) -> int:
    row = UsagePeriod.objects.filter(client_id=client_id, period=current_period()).first()
    return row.messages if row else 0


def usage_allows_answers(*, client_id: int) -> bool:
    """Off the hot path (only for a bot already over_limit): may it answer again? True after a new
    month started or the client moved to a larger or soft-limit plan."""
    plan = Plan.objects.filter(client__pk=client_id).first()
    if plan is None or not plan.pauses_at_quota or not plan.monthly_message_quota:
        return True
    return usage_this_period(client_id=client_id) < plan.monthly_message_quota


@dataclass(frozen=True)
class UsageMeter:
    """What the dashboard and the portal show (BILL-3/4/6)."""

    used: int
    quota: int
    plan_name: str
    policy: str = ""

    @property
    def share(self) -> float:
        return 0.0 if self.quota == 0 else self.used / self.quota

    @property
    def percent(self) -> int:
        return round(self.share * 100)

    @property
    def bar_percent(self) -> int:
        return min(100, self.percent)

    @property
    def over_limit(self) -> bool:
        return self.quota > 0 and self.used >= self.quota

    @property
    def over_by(self) -> int:
        """Messages past the quota (0 within the plan)."""
        return max(0, self.used - self.quota) if self.quota else 0

    @property
    def near_limit(self) -> bool:
        """80 % or more but not yet at the quota."""
        return self.quota > 0 and NEAR_LIMIT_SHARE <= self.share < 1

    @property
    def level(self) -> str:
        return "over" if self.over_limit else "near" if self.near_limit else "ok"

    @property
    def label(self) -> str:
        if self.over_limit:
            return "Over limit" if self.used > self.quota else "Limit reached"
        return "Near limit" if self.near_limit else "Within plan"


def usage_meter(*, client: Client) -> UsageMeter:
    plan = client.plan
    return UsageMeter(used=usage_this_period(client_id=client.pk), quota=plan.monthly_message_quota if plan else 0,
                      plan_name=plan.name if plan else "No plan", policy=plan.overage_policy if plan else "")
