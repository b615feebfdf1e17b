"""Issue 18: staff move a ``new`` inquiry to spam (audited, stops reminders, not a first contact), and any spam
is released the same way: one message on each queue, ``SpamReleased`` counted once, at most one email and one
notification over the inquiry's whole life (issue 18, item 12)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from inquiries.care.reminders import remind_care_team
from inquiries.settings import RemindCareTeamSettings

from tests.support.care import CARE_MEMBER, audit_trail, care_request
from tests.support.consumers import notifications, prepare_email, record_of, run_consumer, sent_emails
from tests.support.events import json_post, response_json
from tests.support.phi import distinctive_inquiry
from tests.support.stack import Stack


def submit(stack: Stack, **fields: Any) -> str:
    response = stack.intake(json_post(distinctive_inquiry(**fields)))
    assert response["statusCode"] == 202, response
    inquiry_id: str = response_json(response)["inquiry_id"]
    return inquiry_id


def patch(stack: Stack, inquiry_id: str, body: dict[str, Any], version: int) -> dict[str, Any]:
    return care_request(stack, "PATCH", f"/care/inquiries/{inquiry_id}", claims=CARE_MEMBER, body=body,
                        headers={"If-Match": str(version)})


def emitted_metric(out: str, name: str) -> list[float]:
    """The values of ``name`` in the EMF lines printed (Powertools' metrics)."""
    values: list[float] = []
    for line in out.splitlines():
        if line.startswith('{"_aws"') and name in (doc := json.loads(line)):
            value = doc[name]
            values += [float(v) for v in value] if isinstance(value, list) else [float(value)]
    return values


def deliver(stack: Stack) -> None:
    run_consumer(stack, "send_confirmation", "ConfirmationQueue")
    run_consumer(stack, "notify_care_team", "CareTeamQueue")


def test_staff_mark_a_new_inquiry_as_spam_audited_and_not_a_first_contact(
    stack: Stack, capsys: pytest.CaptureFixture[str]
) -> None:
    inquiry_id = submit(stack)
    capsys.readouterr()

    response = patch(stack, inquiry_id, {"status": "spam"}, version=1)

    assert response["statusCode"] == 200, response
    body = response_json(response)
    assert body["status"] == "spam" and body["version"] == 2
    assert body["history"][-1]["action"] == "status"
    assert (body["history"][-1]["from"], body["history"][-1]["to"]) == ("new", "spam")
    stored = record_of(inquiry_id)
    assert stored["status"] == "spam" and "first_contact_at" not in stored
    assert emitted_metric(capsys.readouterr().out, "TimeToFirstContact") == []
    [entry] = [e for e in audit_trail(stack, inquiry_id) if e["action"] == "update"]
    assert entry["fields"] == ["status"]


def test_an_inquiry_marked_spam_is_no_longer_reminded(stack: Stack) -> None:
    inquiry_id = submit(stack)
    assert patch(stack, inquiry_id, {"status": "spam"}, version=1)["statusCode"] == 200
    later = datetime.now(UTC) + timedelta(days=10)

    summary = remind_care_team(RemindCareTeamSettings.from_environ(), clock=lambda: later)

    assert summary.overdue == 0 and summary.reminded == 0
    assert [n for n in notifications(stack.url("CareTeamTopic")) if "still waiting" in str(n["subject"])] == []


@pytest.mark.parametrize("status", ["contacted", "scheduled", "closed", "not_a_fit"])
def test_only_a_new_or_attempting_inquiry_can_be_marked_spam(stack: Stack, status: str) -> None:
    inquiry_id = submit(stack)
    version = 1
    for step in {"contacted": ["contacted"], "scheduled": ["contacted", "scheduled"],
                 "closed": ["closed"], "not_a_fit": ["not_a_fit"]}[status]:
        body = {"status": step, **({"close_reason": "duplicate"} if step == "closed" else {})}
        assert patch(stack, inquiry_id, body, version=version)["statusCode"] == 200
        version += 1

    assert patch(stack, inquiry_id, {"status": "spam"}, version=version)["statusCode"] == 422
    assert record_of(inquiry_id)["status"] == status


def test_releasing_spam_puts_one_message_on_each_queue_and_counts_once(
    stack: Stack, capsys: pytest.CaptureFixture[str]
) -> None:
    inquiry_id = submit(stack, website="http://cheap-pills.example")  # the honeypot: held back
    assert stack.drain("ConfirmationQueue") == [] and stack.drain("CareTeamQueue") == []
    capsys.readouterr()

    assert patch(stack, inquiry_id, {"status": "new"}, version=1)["statusCode"] == 200

    assert stack.drain("ConfirmationQueue") == [{"inquiry_id": inquiry_id}]
    assert stack.drain("CareTeamQueue") == [{"inquiry_id": inquiry_id}]
    assert emitted_metric(capsys.readouterr().out, "SpamReleased") == [1.0]


def test_a_staff_marked_spam_released_before_delivery_is_confirmed_and_notified_once(stack: Stack) -> None:
    prepare_email(stack)
    inquiry_id = submit(stack)
    assert patch(stack, inquiry_id, {"status": "spam"}, version=1)["statusCode"] == 200
    deliver(stack)  # the messages intake sent find it spam: nothing goes out
    assert sent_emails() == [] and notifications(stack.url("CareTeamTopic")) == []

    assert patch(stack, inquiry_id, {"status": "new"}, version=2)["statusCode"] == 200
    deliver(stack)
    stack.redispatch()
    deliver(stack)

    assert len(sent_emails()) == 1
    assert len(notifications(stack.url("CareTeamTopic"))) == 1
    stored = record_of(inquiry_id)
    assert stored["status"] == "new" and stored["spam"] is False and stored["released_at"]


def test_a_staff_marked_spam_already_delivered_is_not_sent_again_when_released(stack: Stack) -> None:
    prepare_email(stack)
    inquiry_id = submit(stack)
    deliver(stack)
    assert len(sent_emails()) == 1

    assert patch(stack, inquiry_id, {"status": "spam"}, version=1)["statusCode"] == 200
    assert patch(stack, inquiry_id, {"status": "new"}, version=2)["statusCode"] == 200
    deliver(stack)

    assert len(sent_emails()) == 1, "the person was answered once: a release does not write again"
    assert len(notifications(stack.url("CareTeamTopic"))) == 1
