"""Releasing a held-back submission (spam -> new) dispatches it once, like a new inquiry."""

from __future__ import annotations

from datetime import datetime

from tests.support.care import CARE_MEMBER, audit_trail, care_request
from tests.support.consumers import notifications, prepare_email, record_of, run_consumer, sent_emails
from tests.support.events import json_post, response_json
from tests.support.phi import distinctive_inquiry
from tests.support.stack import Stack


def held_back(stack: Stack) -> str:
    response = stack.intake(json_post(distinctive_inquiry(website="http://cheap-pills.example")))
    inquiry_id: str = response_json(response)["inquiry_id"]
    return inquiry_id


def release(stack: Stack, inquiry_id: str) -> dict[str, object]:
    response = care_request(stack, "PATCH", f"/care/inquiries/{inquiry_id}", claims=CARE_MEMBER,
                            body={"status": "new", "note": "A real person: released"}, headers={"If-Match": "1"})
    assert response["statusCode"] == 200, response
    return dict(response_json(response))


def test_a_held_back_submission_waits_with_no_messages_and_no_due_time(stack: Stack) -> None:
    inquiry_id = held_back(stack)

    stored = record_of(inquiry_id)
    assert stored["status"] == "spam" and stored["spam"] is True
    assert "due_at" not in stored and "dispatch_state" not in stored
    assert stack.drain("ConfirmationQueue") == [] and stack.drain("CareTeamQueue") == []


def test_release_sends_exactly_one_email_and_one_notification(stack: Stack) -> None:
    prepare_email(stack)
    topic = stack.url("CareTeamTopic")
    inquiry_id = held_back(stack)

    body = release(stack, inquiry_id)
    run_consumer(stack, "send_confirmation", "ConfirmationQueue")
    run_consumer(stack, "notify_care_team", "CareTeamQueue")
    # Whatever runs again later (a redispatch, a repeated delivery) sends nothing more.
    stack.redispatch()
    run_consumer(stack, "send_confirmation", "ConfirmationQueue")
    run_consumer(stack, "notify_care_team", "CareTeamQueue")

    assert body["status"] == "new" and body["version"] == 2
    assert len(sent_emails()) == 1
    assert [n for n in notifications(topic) if inquiry_id in n["message"]] != []
    assert len(notifications(topic)) == 1


def test_a_released_inquiry_is_kept_as_long_as_any_other_and_gets_a_response_target(stack: Stack) -> None:
    inquiry_id = held_back(stack)
    spam_ttl = record_of(inquiry_id)["ttl"]

    release(stack, inquiry_id)

    stored = record_of(inquiry_id)
    created = datetime.fromisoformat(stored["created_at"].replace("Z", "+00:00"))
    retention = int(stack.resources.function_environment("CareApiFunction")["RETENTION_DAYS"])
    assert stored["spam"] is False and stored["ttl"] == int(created.timestamp()) + retention * 86400 > spam_ttl
    assert stored["due_at"] > stored["released_at"]
    assert "dispatch_state" not in stored, "both messages went out, so the marker is cleared"
    assert [e["action"] for e in audit_trail(stack, inquiry_id)] == ["update"]


def test_a_held_back_submission_cannot_skip_to_contacted(stack: Stack) -> None:
    inquiry_id = held_back(stack)

    response = care_request(stack, "PATCH", f"/care/inquiries/{inquiry_id}", claims=CARE_MEMBER,
                            body={"status": "contacted"}, headers={"If-Match": "1"})

    assert response["statusCode"] == 422
    assert stack.drain("CareTeamQueue") == []


def test_a_crisis_message_held_back_by_mistake_is_released_as_the_urgent_inquiry_it_is(stack: Stack) -> None:
    prepare_email(stack)
    topic = stack.url("CareTeamTopic")
    response = stack.intake(json_post(distinctive_inquiry(
        website="autofilled by a browser", message="I have the pills counted out and I want to die tonight")))
    inquiry_id = response_json(response)["inquiry_id"]
    assert response_json(response)["urgent"] is True, "the person gets the crisis answer all the same"
    assert record_of(inquiry_id)["level"] == "urgent"

    release(stack, inquiry_id)
    run_consumer(stack, "send_confirmation", "ConfirmationQueue")
    run_consumer(stack, "notify_care_team", "CareTeamQueue")

    stored = record_of(inquiry_id)
    released = datetime.fromisoformat(stored["released_at"].replace("Z", "+00:00"))
    due = datetime.fromisoformat(stored["due_at"].replace("Z", "+00:00"))
    assert (due - released).total_seconds() == 60 * 60, "the urgent target: one hour from the release, any hour"
    [email] = sent_emails()
    assert "988" in email.body, "the email leads with the crisis lines"
    [note] = notifications(topic)
    assert note["subject"].startswith("[URGENT] ")
    assert note["attributes"]["priority"] == {"Type": "String", "Value": "urgent"}
