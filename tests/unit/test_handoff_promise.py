"""BEY-1: what a visitor who asks for a person is told, from the business's hours and time zone."""

from __future__ import annotations

import datetime as dt

import pytest

from tenants.bots.availability import NO_HOURS, OPEN_NOW, contact_expectation, zone_words
from tenants.bots.config import BusinessInfo, HolidayException, OpeningHours

UTC = dt.UTC
WEEK = tuple(OpeningHours(weekday=d, opens="09:00", closes="17:00") for d in range(5)) + (
    OpeningHours(weekday=5, opens="10:00", closes="14:00"),)  # Sunday closed


def business(zone: str = "America/New_York", **extra: object) -> BusinessInfo:
    return BusinessInfo(name="Harbor", timezone=zone, hours=WEEK, **extra)  # type: ignore[arg-type]


def closed(when: str, at: str = "9:00", zone: str = "New York time") -> str:
    return f"We're closed right now; we open {when} at {at} ({zone}) — we'll get back to you then."


@pytest.mark.parametrize(("utc", "expected"), [
    (dt.datetime(2026, 12, 9, 15, 0, tzinfo=UTC), OPEN_NOW),  # Wednesday 10:00 in New York
    (dt.datetime(2026, 12, 9, 14, 0, tzinfo=UTC), OPEN_NOW),  # 9:00 sharp: open
    (dt.datetime(2026, 12, 9, 22, 0, tzinfo=UTC), closed("tomorrow")),  # 17:00 sharp: closed
    (dt.datetime(2026, 12, 9, 23, 30, tzinfo=UTC), closed("tomorrow")),  # Wednesday 18:30
    (dt.datetime(2026, 12, 11, 12, 0, tzinfo=UTC), closed("later today")),  # Friday 07:00
    (dt.datetime(2026, 12, 11, 23, 0, tzinfo=UTC), closed("tomorrow", "10:00")),  # Friday 18:00 → Saturday 10:00
    (dt.datetime(2026, 12, 12, 20, 0, tzinfo=UTC), closed("Monday")),  # Saturday 15:00, Sunday closed
    (dt.datetime(2026, 12, 13, 3, 0, tzinfo=UTC), closed("Monday")),  # Saturday 22:00 in New York, Sunday in UTC
])
def test_new_york_business_at_several_times(utc: dt.datetime, expected: str) -> None:
    assert contact_expectation(business(), utc) == expected


def test_the_same_instant_reads_differently_in_other_zones() -> None:
    instant = dt.datetime(2026, 12, 9, 15, 0, tzinfo=UTC)  # Wednesday 15:00 UTC
    assert contact_expectation(business("Europe/London"), instant) == OPEN_NOW
    # Thursday 00:00 in Tokyo: opens the same day, later.
    assert contact_expectation(business("Asia/Tokyo"), instant) == closed("later today", zone="Tokyo time")
    # Wednesday 07:00 in Los Angeles.
    assert contact_expectation(business("America/Los_Angeles"), instant) == closed(
        "later today", zone="Los Angeles time")


def test_a_holiday_replaces_its_weekday() -> None:
    christmas_eve = HolidayException(date=dt.date(2026, 12, 24), name="Christmas Eve")  # closed
    christmas = HolidayException(date=dt.date(2026, 12, 25), name="Christmas")
    facts = business(holidays=(christmas_eve, christmas))
    # Wednesday 23 December 20:00 in New York: Thursday and Friday are holidays, Saturday opens at 10.
    assert contact_expectation(facts, dt.datetime(2026, 12, 24, 1, 0, tzinfo=UTC)) == closed("Saturday", "10:00")
    short_day = HolidayException(date=dt.date(2026, 12, 24), name="Christmas Eve", opens="09:00", closes="12:00")
    at_eleven = dt.datetime(2026, 12, 24, 16, 0, tzinfo=UTC)
    assert contact_expectation(business(holidays=(short_day,)), at_eleven) == OPEN_NOW
    assert contact_expectation(business(holidays=(short_day,)), at_eleven + dt.timedelta(hours=2)) == closed("tomorrow")


def test_no_hours_means_no_promise() -> None:
    assert contact_expectation(BusinessInfo(name="Harbor"), dt.datetime(2026, 12, 9, 15, tzinfo=UTC)) == NO_HOURS


def test_wording_never_shows_a_raw_zone_or_the_old_promise() -> None:
    assert zone_words("America/New_York") == "New York time"
    for hour in range(0, 24 * 7, 5):
        text = contact_expectation(business(), dt.datetime(2026, 12, 7, tzinfo=UTC) + dt.timedelta(hours=hour))
        assert "/" not in text
        assert "_" not in text
        assert "business day" not in text
