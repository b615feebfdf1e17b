"""Idempotency, dispatch and redispatch: every stored inquiry is delivered, nothing is stored twice."""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from inquiries import aws
from inquiries.data.care import CareRecords
from inquiries.intake.dispatch import Dispatcher
from inquiries.record import InquiryStatus

from tests.support.events import json_post, response_json
from tests.support.phi import distinctive_inquiry
from tests.support.stack import Stack


def fail_sqs_sends(only: Collection[int] | None = None) -> Callable[[], int]:
    """Make the intake's SQS client throttle SendMessage: the ``only`` calls (counted from 1), or every one.
    Returns a call counter."""
    calls = {"n": 0}

    def throttle(**_kwargs: Any) -> None:
        calls["n"] += 1
        if only is None or calls["n"] in only:
            raise ClientError({"Error": {"Code": "ThrottlingException", "Message": "Rate exceeded"}}, "SendMessage")

    aws.sqs().meta.events.register("before-call.sqs.SendMessage", throttle)
    return lambda: calls["n"]


def pending_ids(stack: Stack) -> list[str]:
    return [i["inquiry_id"] for i in stack.items() if i.get("dispatch_state") == "pending"]


# ---- idempotency ----------------------------------------------------------------------------------------
def test_ten_concurrent_submissions_with_one_key_store_one_inquiry_and_send_one_message_per_queue(
    stack: Stack,
) -> None:
    inquiry = distinctive_inquiry()
    event = json_post(inquiry, headers={"Idempotency-Key": "same-key-for-all-ten"})
    stack.handler("intake")  # imported before the threads start, as in one warm container
    start = threading.Barrier(10)

    def submit(_: int) -> dict[str, Any]:
        start.wait()
        return stack.intake(event)

    with ThreadPoolExecutor(max_workers=10) as pool:
        responses = list(pool.map(submit, range(10)))

    statuses = sorted(r["statusCode"] for r in responses)
    assert set(statuses) <= {202, 409}, statuses
    accepted = [response_json(r) for r in responses if r["statusCode"] == 202]
    assert accepted, "at least the first submission is accepted"
    assert len({a["inquiry_id"] for a in accepted}) == 1
    assert len(stack.items()) == 1
    assert len(stack.drain("ConfirmationQueue")) == 1
    assert len(stack.drain("CareTeamQueue")) == 1
    # Once the first has finished, every repeat gets the same 202 body.
    again = stack.intake(event)
    assert again["statusCode"] == 202
    assert response_json(again) == accepted[0]


def test_identical_body_without_a_key_within_the_window_is_the_same_submission(stack: Stack) -> None:
    inquiry = distinctive_inquiry()
    first = stack.intake(json_post(inquiry))
    # Same content, different spacing and case in the domain: the normalised body is identical.
    second = stack.intake(json_post({**inquiry, "name": "  " + inquiry["name"] + " ",
                                     "email": inquiry["email"].replace("example.com", "EXAMPLE.com")}))

    assert first["statusCode"] == second["statusCode"] == 202
    assert response_json(first) == response_json(second)
    assert len(stack.items()) == 1
    assert len(stack.drain("ConfirmationQueue")) == 1


def test_same_body_after_the_window_is_a_new_inquiry_even_before_ttl_removes_the_old_records(
    stack: Stack,
) -> None:
    inquiry = distinctive_inquiry()
    first = response_json(stack.intake(json_post(inquiry)))
    # The window has passed, but DynamoDB's TTL sweep (which can lag by days) has not run yet.
    ddb = boto3.client("dynamodb", region_name="us-east-1")
    for record in ddb.scan(TableName="IdempotencyTable")["Items"]:
        ddb.update_item(TableName="IdempotencyTable", Key={"id": record["id"]},
                        UpdateExpression="SET expiration = :past", ExpressionAttributeValues={":past": {"N": "1000"}})

    second = stack.intake(json_post(inquiry))

    assert second["statusCode"] == 202
    assert response_json(second)["inquiry_id"] != first["inquiry_id"]
    assert len(stack.items()) == 2
    assert len(stack.drain("ConfirmationQueue")) == 2


def test_log_lines_of_one_request_do_not_carry_the_previous_inquiry_id(stack: Stack) -> None:
    from tests.support.phi import LogCapture

    accepted = response_json(stack.intake(json_post(distinctive_inquiry())))
    with LogCapture() as logs:
        stack.intake(json_post({"name": "x"}) | {"body": "{bad"})
        from inquiries.observability import logger

        logger.info("a later line in another request")
    assert "a later line" in logs.text
    assert accepted["inquiry_id"] not in logs.text


def test_different_bodies_without_keys_are_different_inquiries(stack: Stack) -> None:
    inquiry = distinctive_inquiry()
    stack.intake(json_post(inquiry))
    stack.intake(json_post({**inquiry, "topic": "anxiety"}))
    assert len(stack.items()) == 2


def test_reusing_a_key_for_a_different_inquiry_is_refused(stack: Stack) -> None:
    headers = {"Idempotency-Key": "reused-key"}
    assert stack.intake(json_post(distinctive_inquiry(), headers=headers))["statusCode"] == 202
    response = stack.intake(json_post(distinctive_inquiry(), headers=headers))
    assert response["statusCode"] == 422
    assert response_json(response)["errors"][0]["field"] == "Idempotency-Key"
    assert len(stack.items()) == 1


def test_a_crash_after_the_write_makes_the_retry_answer_with_the_stored_inquiry(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The process dies between the DynamoDB write and the queue sends; the client retries with its key."""
    real_send = Dispatcher.send
    crashes = {"left": 1}

    def crash_once(self: Dispatcher, inquiry_id: str) -> None:
        if crashes["left"]:
            crashes["left"] -= 1
            raise RuntimeError("simulated crash between two writes")
        real_send(self, inquiry_id)

    monkeypatch.setattr(Dispatcher, "send", crash_once)
    event = json_post(distinctive_inquiry(), headers={"Idempotency-Key": "retry-after-crash"})

    first = stack.intake(event)
    assert first["statusCode"] == 500
    assert "simulated" not in first["body"]
    retry = stack.intake(event)

    assert retry["statusCode"] == 202
    [item] = stack.items()
    assert response_json(retry)["inquiry_id"] == item["inquiry_id"]
    assert item.get("dispatch_state") == "pending", "the crash left it undelivered: redispatch owns it now"

    stack.configure(REDISPATCH_GRACE_SECONDS="0")
    assert stack.redispatch()["redispatched"] == 1
    assert stack.drain("ConfirmationQueue") == [{"inquiry_id": item["inquiry_id"]}]
    assert stack.drain("CareTeamQueue") == [{"inquiry_id": item["inquiry_id"]}]


# ---- dispatch and redispatch ----------------------------------------------------------------------------
def test_queue_messages_hold_the_inquiry_id_and_nothing_else(stack: Stack) -> None:
    inquiry = distinctive_inquiry()
    body = response_json(stack.intake(json_post(inquiry)))
    for queue in ("ConfirmationQueue", "CareTeamQueue"):
        assert stack.drain(queue) == [{"inquiry_id": body["inquiry_id"]}]


def test_sqs_failure_after_the_write_still_answers_202_and_redispatch_delivers_exactly_once(stack: Stack) -> None:
    stack.handler("intake")
    fail_sqs_sends()  # every send fails: SQS is throttling us
    response = stack.intake(json_post(distinctive_inquiry()))

    assert response["statusCode"] == 202
    inquiry_id = response_json(response)["inquiry_id"]
    assert pending_ids(stack) == [inquiry_id]
    assert stack.drain("ConfirmationQueue") == [] and stack.drain("CareTeamQueue") == []

    # SQS recovers; the scheduled RedispatchFunction runs after the grace period.
    stack.configure(REDISPATCH_GRACE_SECONDS="0")
    summary = stack.redispatch()

    assert summary == {"found": 1, "redispatched": 1, "failed": 0}
    assert stack.drain("ConfirmationQueue") == [{"inquiry_id": inquiry_id}]
    assert stack.drain("CareTeamQueue") == [{"inquiry_id": inquiry_id}]
    assert pending_ids(stack) == []
    assert stack.redispatch() == {"found": 0, "redispatched": 0, "failed": 0}, "a second run sends nothing"


def test_one_failed_queue_send_keeps_the_marker_until_both_are_sent(stack: Stack) -> None:
    stack.handler("intake")
    sends = fail_sqs_sends(only={2})  # the care-team message goes out, the confirmation send fails
    response = stack.intake(json_post(distinctive_inquiry()))

    assert response["statusCode"] == 202
    inquiry_id = response_json(response)["inquiry_id"]
    assert sends() == 2, "both sends were tried"
    assert stack.drain("CareTeamQueue") == [{"inquiry_id": inquiry_id}]
    assert stack.drain("ConfirmationQueue") == []
    assert pending_ids(stack) == [inquiry_id], "half a dispatch is no dispatch: redispatch owns it"

    stack.configure(REDISPATCH_GRACE_SECONDS="0")
    assert stack.redispatch() == {"found": 1, "redispatched": 1, "failed": 0}
    assert stack.drain("ConfirmationQueue") == [{"inquiry_id": inquiry_id}]
    assert pending_ids(stack) == []


def test_redispatch_leaves_inquiries_younger_than_the_grace_period(stack: Stack) -> None:
    stack.handler("intake")
    fail_sqs_sends()
    stack.intake(json_post(distinctive_inquiry()))
    stack.configure(REDISPATCH_GRACE_SECONDS="3600")
    assert stack.redispatch() == {"found": 0, "redispatched": 0, "failed": 0}
    assert len(pending_ids(stack)) == 1


def test_redispatch_that_fails_again_keeps_the_marker_for_the_next_run(stack: Stack) -> None:
    stack.handler("intake")
    fail_sqs_sends()
    stack.intake(json_post(distinctive_inquiry()))
    stack.configure(REDISPATCH_GRACE_SECONDS="0")
    stack.handler("redispatch")
    fail_sqs_sends()
    assert stack.redispatch() == {"found": 1, "redispatched": 0, "failed": 1}
    assert len(pending_ids(stack)) == 1


# ---- storage ---------------------------------------------------------------------------------------------
def test_care_team_lists_inquiries_by_status_newest_first_without_a_scan(stack: Stack) -> None:
    ids = [response_json(stack.intake(json_post(distinctive_inquiry())))["inquiry_id"] for _ in range(3)]
    stack.intake(json_post(distinctive_inquiry(website="bot")))

    calls: list[str] = []
    aws.dynamodb().meta.events.register(
        "provide-client-params.dynamodb",
        lambda event_name, params, **_: calls.append(f"{event_name.rsplit('.', 1)[-1]}:{params.get('IndexName')}"))

    listed = CareRecords("InquiriesTable").list_by_status(InquiryStatus.NEW.value, 50).items

    assert calls == ["Query:StatusIndex"], "one query of the status index, no Scan"

    assert [row["inquiry_id"] for row in listed] == list(reversed(ids))
    # The index projects what a list row shows (the name, to recognise a person), never their words or contacts.
    assert all(set(row) <= {"inquiry_id", "status", "created_at", "topic", "urgent", "level", "language",
                            "preferred_contact", "name", "assignee", "due_at", "version"} for row in listed)
    assert not any({"message", "email", "phone"} & set(row) for row in listed)
