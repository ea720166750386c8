"""AX-8: model token usage and its estimated cost, per client and model, per month and per day.

Read from the public daily rollups (ClientDailyRollup.model_usage, published by each client's rollup
job), so the page costs the same two queries for 5 clients or 5,000: one for the month's rows (with
their clients), one for the months that have any usage. Days are each client's local days.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.db.models.functions import TruncMonth

from controlplane.rollups.models import ClientDailyRollup


@dataclass
class UsageLine:
    client_slug: str
    client_name: str
    model: str
    day: date | None = None  # None on a month line
    replies: int = 0
    input_tokens: int = 0
    output_tokens: int = 0

    @property
    def tokens(self) -> int:
        return self.input_tokens + self.output_tokens

    @property
    def priced(self) -> bool:
        return self.model in settings.MODEL_PRICES_USD_PER_MILLION

    @property
    def cost_usd(self) -> float | None:
        """input × input price + output × output price, per million tokens; None without a price."""
        price = settings.MODEL_PRICES_USD_PER_MILLION.get(self.model)
        if price is None:
            return None
        return (self.input_tokens * price[0] + self.output_tokens * price[1]) / 1_000_000

    @property
    def cost_label(self) -> str:
        cost = self.cost_usd
        return "no price set" if cost is None else usd(cost)

    def add(self, usage: dict[str, Any]) -> None:
        self.replies += int(usage.get("replies", 0))
        self.input_tokens += int(usage.get("input_tokens", 0))
        self.output_tokens += int(usage.get("output_tokens", 0))


@dataclass
class TokenReport:
    month: date  # the first day
    months: list[date]  # months with any usage, newest first (for the picker)
    by_client: list[UsageLine]  # one line per client and model for the month
    by_day: list[UsageLine]  # one line per day, client and model, newest day first
    unpriced_models: list[str]

    @property
    def total_tokens(self) -> int:
        return sum(line.tokens for line in self.by_client)

    @property
    def total_cost_usd(self) -> float:
        return sum(line.cost_usd or 0.0 for line in self.by_client)

    @property
    def total_cost_label(self) -> str:
        return usd(self.total_cost_usd)


def usd(amount: float) -> str:
    """Dollars with cents, and sub-cent amounts visible (model calls cost fractions of a cent)."""
    return f"${amount:,.2f}" if amount >= 1 or amount == 0 else f"${amount:.4f}"


def month_start(value: date) -> date:
    return value.replace(day=1)


def _next_month(first: date) -> date:
    return (first + timedelta(days=32)).replace(day=1)


def token_report(*, month: date, client_slug: str = "") -> TokenReport:
    first, after = month_start(month), _next_month(month_start(month))
    rows = (ClientDailyRollup.objects.filter(day__gte=first, day__lt=after).exclude(model_usage={})
            .select_related("client").only("day", "model_usage", "client__slug", "client__name"))
    if client_slug:
        rows = rows.filter(client__slug=client_slug)
    by_client: dict[tuple[str, str], UsageLine] = {}
    by_day: list[UsageLine] = []
    for row in rows:
        for model, usage in sorted((row.model_usage or {}).items()):
            key = (row.client.slug, model)
            if key not in by_client:
                by_client[key] = UsageLine(client_slug=row.client.slug, client_name=row.client.name, model=model)
            by_client[key].add(usage)
            line = UsageLine(client_slug=row.client.slug, client_name=row.client.name, model=model, day=row.day)
            line.add(usage)
            by_day.append(line)
    months = sorted({m.date() if hasattr(m, "date") else m for m in ClientDailyRollup.objects.exclude(model_usage={})
                     .annotate(m=TruncMonth("day")).values_list("m", flat=True).distinct()}, reverse=True)
    client_lines = sorted(by_client.values(), key=lambda line: (-(line.cost_usd or 0.0), -line.tokens,
                                                               line.client_name, line.model))
    by_day.sort(key=lambda line: (line.day or first, line.client_name, line.model), reverse=True)
    unpriced = sorted({line.model for line in client_lines if not line.priced})
    return TokenReport(month=first, months=months or [first], by_client=client_lines, by_day=by_day,
                       unpriced_models=unpriced)
