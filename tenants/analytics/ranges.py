"""The date range every analytics page, export and report is read for (7, 30, 90 days or custom)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

PRESETS = (7, 30, 90)
DEFAULT_DAYS = 30
MAX_DAYS = 366


@dataclass(frozen=True)
class DateRange:
    """Whole local days [first_day, last_day] in the client's time zone."""

    first_day: date
    last_day: date
    tz_name: str
    preset: int | None  # 7/30/90, or None for custom

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.tz_name)

    @property
    def days(self) -> int:
        return (self.last_day - self.first_day).days + 1

    @property
    def start(self) -> datetime:
        return datetime.combine(self.first_day, time.min, tzinfo=self.tz)

    @property
    def end(self) -> datetime:
        """Exclusive end: local midnight after last_day."""
        return datetime.combine(self.last_day + timedelta(days=1), time.min, tzinfo=self.tz)

    def previous(self) -> DateRange:
        return DateRange(self.first_day - timedelta(days=self.days), self.first_day - timedelta(days=1),
                         self.tz_name, self.preset)

    def day_list(self) -> list[date]:
        return [self.first_day + timedelta(days=i) for i in range(self.days)]

    def label(self) -> str:
        if self.preset:
            return f"Last {self.preset} days"
        return f"{self.first_day:%b %-d, %Y} – {self.last_day:%b %-d, %Y}"

    def query(self) -> dict[str, str]:
        if self.preset:
            return {"range": str(self.preset)}
        return {"range": "custom", "start": self.first_day.isoformat(), "end": self.last_day.isoformat()}


def today_in(tz_name: str) -> date:
    return timezone.now().astimezone(ZoneInfo(tz_name)).date()


def range_preset(days: int, tz_name: str) -> DateRange:
    today = today_in(tz_name)
    return DateRange(today - timedelta(days=days - 1), today, tz_name, days)


def range_from_params(params: object, tz_name: str) -> DateRange:
    """From ?range=7|30|90 or ?range=custom&start=YYYY-MM-DD&end=YYYY-MM-DD; anything invalid → 30 days."""
    get = getattr(params, "get", lambda key, default=None: default)
    raw = (get("range") or "").strip()
    if raw == "custom":
        try:
            first = date.fromisoformat(get("start") or "")
            last = date.fromisoformat(get("end") or "")
        except ValueError:
            return range_preset(DEFAULT_DAYS, tz_name)
        today = today_in(tz_name)
        last = min(last, today)
        if first > last:
            first, last = last, first
        first = max(first, last - timedelta(days=MAX_DAYS - 1))
        return DateRange(first, last, tz_name, None)
    days = int(raw) if raw.isdigit() and int(raw) in PRESETS else DEFAULT_DAYS
    return range_preset(days, tz_name)
