"""Response-time targets: urgent within the hour at any time, others within one business day."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from inquiries.care.response_time import due_at
from inquiries.settings import ResponseTimeSettings

SETTINGS = ResponseTimeSettings(clinic_time_zone="America/Los_Angeles", clinic_opens_at="09:00",
                                clinic_closes_at="17:00")


def pacific(text: str) -> datetime:
    """A wall-clock time in Los Angeles, as UTC (2026: PDT until Sunday 1 November, then PST)."""
    from zoneinfo import ZoneInfo

    return datetime.fromisoformat(text).replace(tzinfo=ZoneInfo("America/Los_Angeles")).astimezone(UTC)


@pytest.mark.parametrize(("received", "due"), [
    ("2026-03-09 10:00", "2026-03-10 10:00"),  # Monday morning: Tuesday, same time
    ("2026-03-13 16:00", "2026-03-16 16:00"),  # Friday afternoon: over the weekend, Monday
    ("2026-03-14 12:00", "2026-03-16 17:00"),  # Saturday: a whole Monday
    ("2026-03-09 07:00", "2026-03-09 17:00"),  # before opening: that day's close
    ("2026-03-09 18:30", "2026-03-10 17:00"),  # after closing: the next day's close
    ("2026-03-09 09:00", "2026-03-09 17:00"),  # at opening: the same day's close
    ("2026-10-30 16:00", "2026-11-02 16:00"),  # across the end of daylight saving time
])
def test_a_normal_inquiry_is_due_one_business_day_later(received: str, due: str) -> None:
    assert due_at(pacific(received), level="none", settings=SETTINGS) == pacific(due)


def test_two_business_days_count_twice_the_opening_hours() -> None:
    settings = SETTINGS.replace(normal_response_business_days=2)

    assert due_at(pacific("2026-03-12 10:00"), level="none", settings=settings) == pacific("2026-03-16 10:00")


def test_an_urgent_inquiry_is_due_within_the_hour_even_at_night_and_weekends() -> None:
    received = pacific("2026-03-15 03:10")  # a Sunday night

    assert due_at(received, level="urgent", settings=SETTINGS) == pacific("2026-03-15 04:10")


def test_the_clinics_own_time_zone_decides_what_business_hours_are() -> None:
    new_york = SETTINGS.replace(clinic_time_zone="America/New_York")
    received = datetime(2026, 3, 9, 21, 30, tzinfo=UTC)  # 17:30 in New York (closed), 14:30 in Los Angeles (open)

    assert due_at(received, level="none", settings=new_york) == datetime(2026, 3, 10, 21, 0, tzinfo=UTC)
    assert due_at(received, level="none", settings=SETTINGS) == pacific("2026-03-10 14:30")


@pytest.mark.parametrize(
    ("received", "due"),
    [
        ("2026-03-09 10:00", "2026-03-09 14:00"),  # Monday morning: four opening hours later
        ("2026-03-09 15:00", "2026-03-10 11:00"),  # two hours today, two tomorrow
        ("2026-03-13 16:00", "2026-03-16 12:00"),  # Friday afternoon: one hour, then Monday
        ("2026-03-14 12:00", "2026-03-16 13:00"),  # Saturday: from Monday's opening
        ("2026-03-09 02:00", "2026-03-09 13:00"),  # night: from the morning's opening
    ],
)
def test_a_priority_inquiry_is_due_after_four_opening_hours(received: str, due: str) -> None:
    assert due_at(pacific(received), level="priority", settings=SETTINGS) == pacific(due)


def test_priority_is_always_due_before_an_ordinary_inquiry_received_at_the_same_moment() -> None:
    for hour in range(0, 24 * 7, 5):
        received = pacific("2026-03-09 00:00") + timedelta(hours=hour)
        urgent, priority, ordinary = (due_at(received, level=level, settings=SETTINGS)
                                      for level in ("urgent", "priority", "none"))
        assert urgent <= priority < ordinary
