"""Issue 18, finding 1: SMS is for people, not volume.

Urgent inquiries text the care team's phone (the SMS subscription's filter policy, applied by moto to
what is published) at most ``URGENT_SMS_PER_WINDOW`` times per window; past the cap one text per window
says how many urgent inquiries wait, and every inquiry still reaches the email subscribers. Reminders
escalate by text only for urgent inquiries, at most ``SMS_ESCALATIONS_PER_INQUIRY`` times each, within the
same window budget. A retry never spends the budget twice nor texts twice.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from botocore.exceptions import ClientError
from inquiries import aws
from inquiries.care.reminders import remind_care_team
from inquiries.data.items import iso
from inquiries.delivery.care_team import notify_care_team
from inquiries.delivery.common import RetryableDeliveryError
from inquiries.ids import short_reference
from inquiries.settings import CareTeamSettings, RemindCareTeamSettings

from tests.support.consumers import notifications, put_inquiry, record_of
from tests.support.phi import submitted_by_this_test
from tests.support.stack import Stack
from tests.support.texts import Phone, care_team_phone

# The start of a 15-minute window (fixed windows are aligned on the epoch).
WINDOW_START = datetime(2026, 3, 10, 3, 0, tzinfo=UTC)


@pytest.fixture
def phone(stack: Stack) -> Phone:
    stack.configure(URGENT_SMS_PER_WINDOW="3", URGENT_SMS_WINDOW_SECONDS="900", SMS_ESCALATIONS_PER_INQUIRY="2")
    return care_team_phone(stack)


def notify(inquiry_id: str, when: datetime) -> str:
    return notify_care_team(inquiry_id, CareTeamSettings.from_environ(), now=lambda: when)


def remind(when: datetime) -> dict[str, int]:
    summary = remind_care_team(RemindCareTeamSettings.from_environ(), clock=lambda: when)
    return {"reminded": summary.reminded, "escalated": summary.escalated, "failed": summary.failed}


def assert_no_phi(texts: list[dict[str, Any]]) -> None:
    leaks = submitted_by_this_test().leaks("\n".join(t["message"] for t in texts))
    assert leaks == [], leaks


def test_a_flood_of_urgent_inquiries_texts_the_cap_then_one_count(stack: Stack, phone: Phone) -> None:
    urgent = [put_inquiry(urgent=True, level="urgent") for _ in range(10)]
    normal = put_inquiry()

    for i, inquiry_id in enumerate([*urgent, normal]):
        assert notify(inquiry_id, WINDOW_START + timedelta(seconds=i)) == "sent"

    texts = phone.texts()
    # Every inquiry still reaches the email subscribers (the whole topic).
    assert len(notifications(stack.url("CareTeamTopic"))) == 11
    assert all(record_of(i)["care_team_notified_at"] for i in [*urgent, normal])
    # Three texts for the first three, then one that counts what waits; nothing more this window.
    assert len(texts) == 4
    for inquiry_id, text in zip(urgent[:3], texts[:3], strict=True):
        assert short_reference(inquiry_id) in text["message"]
    assert texts[3]["message"].startswith("10 urgent inquiries waiting")
    assert_no_phi(texts)


def test_the_next_window_texts_again(stack: Stack, phone: Phone) -> None:
    for i in range(5):
        notify(put_inquiry(urgent=True, level="urgent"), WINDOW_START + timedelta(seconds=i))
    assert len(phone.texts()) == 4

    later = put_inquiry(urgent=True, level="urgent")
    notify(later, WINDOW_START + timedelta(minutes=15, seconds=1))

    [text] = phone.texts()
    assert short_reference(later) in text["message"]


def fail_next_publishes(count: int) -> Callable[[], int]:
    """Answer the next ``count`` SNS Publish calls with a throttling error (at the boto3 level)."""
    state = {"left": count, "calls": 0}

    def answer(**_: Any) -> None:
        state["calls"] += 1
        if state["left"] > 0:
            state["left"] -= 1
            raise ClientError({"Error": {"Code": "Throttling", "Message": "injected"}}, "Publish")

    aws.sns().meta.events.register("before-call.sns.Publish", answer)
    return lambda: state["calls"]


def test_a_retried_notification_spends_the_cap_once_and_texts_once(stack: Stack, phone: Phone) -> None:
    stack.configure(URGENT_SMS_PER_WINDOW="1")
    first, second = put_inquiry(urgent=True, level="urgent"), put_inquiry(urgent=True, level="urgent")
    fail_next_publishes(1)

    with pytest.raises(RetryableDeliveryError):
        notify(first, WINDOW_START)
    assert notify(first, WINDOW_START + timedelta(seconds=5)) == "sent"  # the retry
    assert notify(first, WINDOW_START + timedelta(seconds=6)) == "already_sent"  # a duplicate message
    assert notify(second, WINDOW_START + timedelta(seconds=7)) == "sent"

    texts = phone.texts()
    assert [short_reference(first) in t["message"] for t in texts] == [True, False]
    assert texts[1]["message"].startswith("2 urgent inquiries waiting")


DUE = WINDOW_START - timedelta(hours=2)


def overdue(**overrides: object) -> str:
    return put_inquiry(created_at=iso(DUE - timedelta(days=1)), due_at=iso(DUE), version=1, **overrides)


def test_an_urgent_inquiry_escalates_by_text_at_most_twice(stack: Stack, phone: Phone) -> None:
    inquiry_id = overdue(urgent=True, level="urgent")
    interval = RemindCareTeamSettings.from_environ().reminder_interval_minutes

    runs = [remind(WINDOW_START + timedelta(minutes=n * interval)) for n in range(4)]

    assert [r["reminded"] for r in runs] == [1, 1, 1, 1]  # every reminder still reaches the email
    assert len(notifications(stack.url("CareTeamTopic"))) == 4
    texts = phone.texts()
    assert len(texts) == 2
    assert all(short_reference(inquiry_id) in t["message"] for t in texts)
    assert_no_phi(texts)


def test_only_urgent_inquiries_escalate_by_text(stack: Stack, phone: Phone) -> None:
    overdue()
    overdue(level="priority")

    assert remind(WINDOW_START)["reminded"] == 2
    assert phone.texts() == []


def test_escalations_share_the_window_budget(stack: Stack, phone: Phone) -> None:
    for _ in range(8):
        overdue(urgent=True, level="urgent")

    assert remind(WINDOW_START)["reminded"] == 8

    texts = phone.texts()
    assert len(texts) == 4
    assert texts[3]["message"].startswith("8 urgent inquiries waiting")


def test_a_failed_escalation_gives_its_text_back(stack: Stack, phone: Phone) -> None:
    inquiry_id = overdue(urgent=True, level="urgent")
    interval = RemindCareTeamSettings.from_environ().reminder_interval_minutes
    fail_next_publishes(1)

    assert remind(WINDOW_START)["failed"] == 1
    runs = [remind(WINDOW_START + timedelta(minutes=n * interval)) for n in range(1, 4)]

    assert [r["reminded"] for r in runs] == [1, 1, 1]
    texts = phone.texts()
    assert len(texts) == 2  # the failed try spent neither an escalation nor the window's budget
    assert all(short_reference(inquiry_id) in t["message"] for t in texts)


def test_the_count_of_urgent_inquiries_waiting_includes_the_ones_tried_but_not_yet_reached(
        stack: Stack, phone: Phone) -> None:
    waiting = [put_inquiry(urgent=True, level="urgent") for _ in range(4)]
    tried = [put_inquiry(urgent=True, level="urgent", status="attempting") for _ in range(2)]
    put_inquiry(urgent=True, level="urgent", status="contacted")

    for i, inquiry_id in enumerate(waiting):
        assert notify(inquiry_id, WINDOW_START + timedelta(seconds=i)) == "sent"

    texts = phone.texts()
    assert len(texts) == 4 and len(tried) == 2
    assert texts[3]["message"].startswith("6 urgent inquiries waiting"), "4 new and 2 attempting, not the reached one"
