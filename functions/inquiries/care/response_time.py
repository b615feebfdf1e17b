"""When an inquiry is due for a first contact: urgent ones within an hour, others within business hours.

Priority inquiries (a risk told as history, a denial, a bereavement) are due after
``priority_response_business_hours`` of opening hours (4 by default), sooner than ordinary ones.

A normal inquiry is due after ``normal_response_business_days`` days' worth of opening hours, counted
only while the clinic is open (Monday to Friday, ``clinic_opens_at``-``clinic_closes_at`` in the
clinic's time zone). So with 9-17: Monday 10:00 is due Tuesday 10:00, Friday 16:00 is due Monday
16:00, and Saturday noon is due Monday 17:00. Urgent inquiries are due ``urgent_response_minutes``
later, whatever the hour: someone in danger does not wait for opening time.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

    from inquiries.settings import ResponseTimeSettings

_WEEKEND = (5, 6)  # Saturday, Sunday


def _clock(text: str) -> time:
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


def _opening_hours(day: date, settings: ResponseTimeSettings, zone: ZoneInfo) -> tuple[datetime, datetime] | None:
    if day.weekday() in _WEEKEND:
        return None
    opens = datetime.combine(day, _clock(settings.clinic_opens_at), tzinfo=zone)
    closes = datetime.combine(day, _clock(settings.clinic_closes_at), tzinfo=zone)
    return (opens, closes) if closes > opens else None


def shortest_target(settings: ResponseTimeSettings) -> timedelta:
    """The least time from receipt to any due time: an inquiry received more recently cannot be overdue.

    Opening hours pass no faster than the clock, so a priority inquiry is due at least its hours later and
    an ordinary one at least its days' worth of opening hours later; an urgent one exactly its minutes later.
    """
    day_length = datetime.combine(date.min, _clock(settings.clinic_closes_at)) - datetime.combine(
        date.min, _clock(settings.clinic_opens_at))
    return min(timedelta(minutes=settings.urgent_response_minutes),
               timedelta(hours=settings.priority_response_business_hours),
               day_length * settings.normal_response_business_days)


def due_at(received: datetime, level: str, settings: ResponseTimeSettings) -> datetime:
    """When the care team should have made first contact with an inquiry received at ``received`` (UTC),
    triaged at ``level`` (``urgent``, ``priority`` or ``none``)."""
    if level == "urgent":
        return received + timedelta(minutes=settings.urgent_response_minutes)
    # Imported here: zoneinfo loads sysconfig to find the time-zone data, a cost every function would pay
    # at cold start for the few requests that set a due time (IntakeFunction loads it at init).
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(settings.clinic_time_zone)
    day_length = datetime.combine(date.min, _clock(settings.clinic_closes_at)) - datetime.combine(
        date.min, _clock(settings.clinic_opens_at))
    remaining = (timedelta(hours=settings.priority_response_business_hours) if level == "priority"
                 else day_length * settings.normal_response_business_days)
    local = received.astimezone(zone)
    day = local.date()
    for _ in range(366 * settings.normal_response_business_days):  # bounded: opening hours always recur
        hours = _opening_hours(day, settings, zone)
        if hours is not None:
            start = max(hours[0], local)
            if start < hours[1]:
                available = hours[1] - start
                if remaining <= available:
                    return (start + remaining).astimezone(UTC)
                remaining -= available
        day += timedelta(days=1)
    raise ValueError("the clinic's opening hours never come round")

