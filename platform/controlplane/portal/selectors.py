"""What the agency portal lists about every client, from public tables only (no schema hopping)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from controlplane.clients.models import Client
from controlplane.clients.selectors import client_list, client_public_url
from controlplane.review_queue.models import ClientReviewCount
from controlplane.rollups.selectors import client_totals_between
from controlplane.widgets.models import UsagePeriod
from controlplane.widgets.services import current_period

# BILL-6/AX-5: a client at or above this share of its quota needs a conversation about upgrading.
NEAR_QUOTA_SHARE = 0.8


@dataclass(frozen=True)
class PortalClientRow:
    client: Client
    dashboard_url: str
    messages_this_period: int
    quota: int
    open_reviews: int
    leads_30d: int
    replies_30d: int

    @property
    def usage_percent(self) -> int:
        return min(999, round(100 * self.messages_this_period / self.quota)) if self.quota else 0

    @property
    def near_quota(self) -> bool:
        return bool(self.quota) and self.messages_this_period >= NEAR_QUOTA_SHARE * self.quota

    @property
    def over_quota(self) -> bool:
        """At or past the quota: worded "Over limit", not "Near limit"."""
        return bool(self.quota) and self.messages_this_period >= self.quota


def portal_client_rows() -> list[PortalClientRow]:
    """One row per client in four queries, whatever the number of clients (BILL-4, ADM-1 counts)."""
    clients = list(client_list())
    usage = dict(UsagePeriod.objects.filter(period=current_period()).values_list("client_id", "messages"))
    reviews = dict(ClientReviewCount.objects.values_list("client_id", "open_count"))
    today = timezone.localdate()
    totals = client_totals_between(first_day=today - timedelta(days=29), last_day=today)
    return [
        PortalClientRow(
            client=c, dashboard_url=client_public_url(c), messages_this_period=usage.get(c.pk, 0),
            quota=c.plan.monthly_message_quota if c.plan else 0, open_reviews=reviews.get(c.pk, 0),
            leads_30d=int(totals.get(c.pk, {}).get("leads") or 0),
            replies_30d=int(totals.get(c.pk, {}).get("bot_replies") or 0),
        )
        for c in clients
    ]
