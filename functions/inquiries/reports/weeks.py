"""The weeks a report covers: ``from`` and ``to`` as ISO weeks (``2026-W49``) or dates (``2026-12-01``, its
week), at most ``MAX_WEEKS``; the last ``DEFAULT_WEEKS`` weeks (this one included) when neither is given."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

MAX_WEEKS = 53
DEFAULT_WEEKS = 12
_WEEK = re.compile(r"^([0-9]{4})-W([0-9]{2})$")
_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


class InvalidRange(Exception):
    """A ``from``/``to`` that names no week, or a range backwards or longer than ``MAX_WEEKS`` (422)."""

    def __init__(self, field: str | None, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def _monday(text: str, field: str) -> date:
    week = _WEEK.match(text)
    try:
        if week:
            return date.fromisocalendar(int(week.group(1)), int(week.group(2)), 1)
        if _DATE.match(text):
            day = date.fromisoformat(text)
            return day - timedelta(days=day.weekday())
    except ValueError:
        pass
    raise InvalidRange(field, f"Give {field} as an ISO week (2026-W49) or a date (2026-12-01).")


def week_name(monday: date) -> str:
    """``2026-W49`` for the week starting ``monday``."""
    year, week, _day = monday.isocalendar()
    return f"{year}-W{week:02d}"


def weeks_between(start: str | None, end: str | None, now: datetime, time_zone: str) -> tuple[str, ...]:
    """The ISO weeks from ``start`` to ``end`` inclusive, oldest first. Raises ``InvalidRange``."""
    from zoneinfo import ZoneInfo  # only when a report is read: a cold-start cost (care/response_time.py)

    today = now.astimezone(ZoneInfo(time_zone)).date()
    last = _monday(end, "to") if end else today - timedelta(days=today.weekday())
    first = _monday(start, "from") if start else last - timedelta(weeks=DEFAULT_WEEKS - 1)
    if first > last:
        raise InvalidRange("from", "Give a from that is not after to.")
    count = (last - first).days // 7 + 1
    if count > MAX_WEEKS:
        raise InvalidRange("to", f"Ask for at most {MAX_WEEKS} weeks at a time.")
    return tuple(week_name(first + timedelta(weeks=i)) for i in range(count))
