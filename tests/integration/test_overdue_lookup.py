"""The reminder job reads only inquiries old enough to be overdue: a backlog of fresh ones costs it nothing.

Every due time lies at least the shortest response target after the inquiry arrived (opening hours pass
no faster than the clock), so StatusIndex's key condition can stop at ``created_at <= now - shortest``;
before, each run read every ``new`` inquiry and filtered, which grew with the backlog (and, in moto's
emulation, quadratically: docs/benchmarks.md).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st
from inquiries.care.reminders import remind_care_team
from inquiries.care.response_time import due_at, shortest_target
from inquiries.data.care import CareRecords
from inquiries.data.items import iso
from inquiries.settings import RemindCareTeamSettings, ResponseTimeSettings

from tests.support.consumers import put_inquiry
from tests.support.stack import Stack

NOW = datetime(2026, 3, 10, 17, 0, tzinfo=UTC)


@settings(max_examples=300, deadline=None)
@given(received=st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(UTC)),
       level=st.sampled_from(["urgent", "priority", "none"]),
       urgent_minutes=st.integers(1, 600), priority_hours=st.integers(1, 12), days=st.integers(1, 3))
def test_no_inquiry_is_due_sooner_than_the_shortest_target(received: datetime, level: str, urgent_minutes: int,
                                                         priority_hours: int, days: int) -> None:
    targets = ResponseTimeSettings(urgent_response_minutes=urgent_minutes,
                                   priority_response_business_hours=priority_hours,
                                   normal_response_business_days=days)
    assert due_at(received, level, targets) - received >= shortest_target(targets)


def test_an_inquiry_too_recent_to_be_overdue_is_not_read(stack: Stack) -> None:
    shortest = shortest_target(RemindCareTeamSettings.from_environ())
    old = put_inquiry(created_at=iso(NOW - shortest - timedelta(minutes=1)), due_at=iso(NOW - timedelta(minutes=1)),
                      version=1)
    # A due time earlier than its arrival allows never happens; here it shows which inquiries are read at all.
    recent = put_inquiry(created_at=iso(NOW - shortest + timedelta(minutes=1)), due_at=iso(NOW - timedelta(minutes=1)),
                         version=1)
    records = CareRecords(RemindCareTeamSettings.from_environ().inquiries_table)

    read = [values["inquiry_id"] for values in records.new_past_due(iso(NOW), iso(NOW - shortest))]

    assert old in read
    assert recent not in read


def test_the_reminder_job_still_reminds_an_overdue_inquiry_at_the_edge(stack: Stack) -> None:
    settings_ = RemindCareTeamSettings.from_environ()
    shortest = shortest_target(settings_)
    put_inquiry(created_at=iso(NOW - shortest), due_at=iso(NOW - timedelta(seconds=1)), version=1)

    summary = remind_care_team(settings_, clock=lambda: NOW)

    assert (summary.overdue, summary.reminded) == (1, 1)
