"""SendConfirmationFunction against moto: one email per inquiry, failures sorted and retried right."""

from __future__ import annotations

import html
import json
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from inquiries import aws
from inquiries.data.delivery import DeliveryLeases
from inquiries.data.items import DeliveryStep
from inquiries.ids import short_reference
from inquiries.rendering import CONFIRMATION_SUBJECT

from tests.support import phi
from tests.support.consumers import (
    REGION,
    SesFaults,
    claim_check,
    prepare_email,
    put_inquiry,
    record_of,
    run_consumer,
    send,
    sent_emails,
    single_message_event,
)
from tests.support.lambda_context import FakeLambdaContext
from tests.support.phi import LogCapture
from tests.support.stack import Stack

QUEUE = "ConfirmationQueue"


@pytest.fixture
def email_stack(stack: Stack) -> Stack:
    prepare_email(stack)
    return stack


def _no_visibility_timeout(stack: Stack) -> None:
    boto3.client("sqs", region_name=REGION).set_queue_attributes(
        QueueUrl=stack.url(QUEUE), Attributes={"VisibilityTimeout": "0"})


def test_one_inquiry_gets_one_email_with_both_parts_and_the_crisis_block(email_stack: Stack) -> None:
    faults = SesFaults()  # records what was handed to SES
    inquiry_id = put_inquiry(name="Ana <b>& Co</b>", preferred_contact="phone", phone="+14155552671")
    record = record_of(inquiry_id)
    send(email_stack, QUEUE, claim_check(inquiry_id))

    run = run_consumer(email_stack, "send_confirmation", QUEUE)

    assert run.failures == []
    [email] = sent_emails()
    assert email.destinations == {"ToAddresses": [record["email"]]}
    assert email.subject == CONFIRMATION_SUBJECT
    [call] = faults.calls
    env = email_stack.resources.function_environment("SendConfirmationFunction")
    assert call["ReplyToAddresses"] == [env["CARE_TEAM_REPLY_TO"]]
    assert call["ConfigurationSetName"] == env["SES_CONFIGURATION_SET"]
    assert env["SENDER_EMAIL"] in call["FromEmailAddress"]
    text = call["Content"]["Simple"]["Body"]["Text"]["Data"]
    body_html = call["Content"]["Simple"]["Body"]["Html"]["Data"]
    assert email.body == body_html
    for part in (text, body_html):
        # The literal sentence, not the constant that renders it: deleting words from it must fail here.
        assert "This inbox is not monitored 24/7. If you are in crisis, call or text 988, or call 911." in part
        assert short_reference(inquiry_id) in part
        assert env["RESPONSE_TIME_TEXT"] in part
        assert "by phone" in part
        assert record["message"] not in part
    for part in (text, body_html):
        assert "Hello," in part
        assert "Ana" not in part and "& Co" not in part and html.escape("<b>") not in part, "no typed text"
    assert '<html lang="en"' in body_html
    assert record_of(inquiry_id)["confirmation_sent_at"]


def test_duplicate_delivery_sends_one_email(email_stack: Stack) -> None:
    inquiry_id = put_inquiry()
    handler = email_stack.handler("send_confirmation")
    arn = email_stack.resources.names.attrs[(QUEUE, "Arn")]
    event = single_message_event(claim_check(inquiry_id), arn)

    first = handler(event, FakeLambdaContext("SendConfirmationFunction"))
    redelivered = handler(event, FakeLambdaContext("SendConfirmationFunction"))
    send(email_stack, QUEUE, claim_check(inquiry_id))  # e.g. redispatch sent a second message
    second_message = run_consumer(email_stack, "send_confirmation", QUEUE)

    assert first == redelivered == {"batchItemFailures": []}
    assert second_message.failures == []
    assert len(sent_emails()) == 1


def test_two_copies_racing_through_read_and_claim_send_one_email(email_stack: Stack) -> None:
    """Copy A has read the inquiry (not sent yet) when copy B reads, claims, sends and records it;
    only then does A try to claim. A's claim must see B's sent marker."""
    inquiry_id = put_inquiry()
    arn = email_stack.resources.names.attrs[(QUEUE, "Arn")]
    handler = email_stack.handler("send_confirmation")
    copy_b = single_message_event(claim_check(inquiry_id), arn, message_id="copy-b")
    b_done: list[dict[str, Any]] = []

    def run_b_before_the_first_claim(params: dict[str, Any], **_: Any) -> None:
        if params.get("UpdateExpression", "").startswith("SET #token") and not b_done:
            b_done.append({})  # B's own claim passes through
            b_done[0] = handler(copy_b, FakeLambdaContext("SendConfirmationFunction"))

    aws.dynamodb().meta.events.register("provide-client-params.dynamodb.UpdateItem", run_b_before_the_first_claim)
    copy_a = single_message_event(claim_check(inquiry_id), arn, message_id="copy-a")

    response_a = handler(copy_a, FakeLambdaContext("SendConfirmationFunction"))

    assert b_done == [{"batchItemFailures": []}]
    assert response_a == {"batchItemFailures": []}
    assert len(sent_emails()) == 1
    assert "confirmation_sent_at" in record_of(inquiry_id)


def test_send_held_by_another_consumer_is_retried_not_duplicated(email_stack: Stack) -> None:
    from datetime import UTC, datetime

    inquiry_id = put_inquiry()
    DeliveryLeases("InquiriesTable", lease_seconds=60).claim(inquiry_id, DeliveryStep.CONFIRMATION, "other-consumer",
                                          datetime.now(UTC))
    event = single_message_event(claim_check(inquiry_id), email_stack.resources.names.attrs[(QUEUE, "Arn")])

    response = email_stack.handler("send_confirmation")(event, FakeLambdaContext("SendConfirmationFunction"))

    assert response == {"batchItemFailures": [{"itemIdentifier": "msg-1"}]}
    assert sent_emails() == []


def test_ses_throttling_fails_only_that_record_and_the_retry_sends_it(email_stack: Stack) -> None:
    faults = SesFaults()
    ids = [put_inquiry() for _ in range(3)]
    throttled = ids[1]
    faults.fail_for(record_of(throttled)["email"], "TooManyRequestsException")
    message_ids = {send(email_stack, QUEUE, claim_check(i)): i for i in ids}
    _no_visibility_timeout(email_stack)  # a failed message is visible again at once

    run = run_consumer(email_stack, "send_confirmation", QUEUE, max_polls=1)

    assert len(run.responses) == 1  # all three in one batch
    assert [message_ids[m] for m in run.failures] == [throttled]
    assert sorted(e.destinations["ToAddresses"][0] for e in sent_emails()) == sorted(
        record_of(i)["email"] for i in ids if i != throttled)
    stored = record_of(throttled)
    assert "confirmation_sent_at" not in stored
    assert "confirmation_claim_token" not in stored  # lease released: the retry need not wait

    faults.clear()
    retry = run_consumer(email_stack, "send_confirmation", QUEUE)
    assert retry.failures == []
    assert len(sent_emails()) == 3


def test_one_address_gets_a_few_confirmations_a_day_and_every_other_is_recorded_as_capped(
    email_stack: Stack,
) -> None:
    """Every inquiry naming the address is stored and shown; only the emails stop at the day's cap."""
    cap = int(email_stack.resources.function_environment("SendConfirmationFunction")[
        "CONFIRMATIONS_PER_EMAIL_PER_DAY"])
    address = "flooded.person@example.org"
    ids = [put_inquiry(email=address) for _ in range(cap + 2)]
    for inquiry_id in ids:
        send(email_stack, QUEUE, claim_check(inquiry_id))

    run = run_consumer(email_stack, "send_confirmation", QUEUE)

    assert run.failures == [], "a capped confirmation is not retried"
    assert len(sent_emails()) == cap
    records = [record_of(i) for i in ids]
    capped = [r for r in records if "confirmation_sent_at" not in r]
    assert len(capped) == 2
    assert all(r["confirmation_failed_reason"] == "address_daily_cap" for r in capped)
    other = put_inquiry()
    send(email_stack, QUEUE, claim_check(other))
    run_consumer(email_stack, "send_confirmation", QUEUE)
    assert record_of(other)["confirmation_sent_at"], "another address is untouched"


def _send_all(stack: Stack, addresses: list[str]) -> list[str]:
    """One stored inquiry per address, each put on the queue, and the consumer run: their ids in order."""
    for address in addresses:
        phi.register({"email": address})
    ids = [put_inquiry(email=address) for address in addresses]
    for inquiry_id in ids:
        send(stack, QUEUE, claim_check(inquiry_id))
    run = run_consumer(stack, "send_confirmation", QUEUE)
    assert run.failures == [], "a capped confirmation is not retried"
    return ids


def test_tagged_dotted_and_cased_spellings_of_one_mailbox_share_its_daily_cap(
    email_stack: Stack, capsys: pytest.CaptureFixture[str],
) -> None:
    """Issue 18, finding 3: ``victim+1@``, ``v.ictim@gmail.com``, ``VICTIM@googlemail.com`` all reach one inbox,
    so they count against one mailbox's cap (the key was the address lower-cased, and each spelling got mail)."""
    cap = int(email_stack.resources.function_environment("SendConfirmationFunction")[
        "CONFIRMATIONS_PER_EMAIL_PER_DAY"])
    spellings = ["victim+1@gmail.com", "v.ictim@gmail.com", "VICTIM@googlemail.com", "vic.tim+clinic@gmail.com",
                 "Victim+2@GoogleMail.com"][: cap + 2]
    with LogCapture() as logs:
        ids = _send_all(email_stack, spellings)

    assert len(sent_emails()) == cap
    capped = [r for r in map(record_of, ids) if "confirmation_sent_at" not in r]
    assert [r["confirmation_failed_reason"] for r in capped] == ["address_daily_cap"] * 2
    printed = capsys.readouterr()
    surfaces = logs.text + printed.out + printed.err
    assert "address_daily_cap" in surfaces, "the skips were logged and counted (by reason)"
    for plain in ("victim", "ictim", "googlemail", "gmail.com"):
        assert plain not in surfaces.lower(), "no address, part of one or domain in a log line or metric"
    elsewhere = _send_all(email_stack, ["v.ictim@example.org"])  # dots are the mailbox outside Gmail
    assert record_of(elsewhere[0])["confirmation_sent_at"]


def test_a_domain_gets_at_most_its_daily_cap_of_confirmations_and_other_domains_are_untouched(
    email_stack: Stack, capsys: pytest.CaptureFixture[str],
) -> None:
    """Random addresses at one domain (the bounce-rate attack) stop at the domain's cap; each inquiry is kept."""
    email_stack.configure(CONFIRMATIONS_PER_DOMAIN_PER_DAY="4")
    assert "CONFIRMATIONS_PER_DOMAIN_PER_DAY" in email_stack.resources.function_environment(
        "SendConfirmationFunction"), "the template sets the per-domain cap"
    with LogCapture() as logs:
        ids = _send_all(email_stack, [f"nobody{n}x@bouncing-domain.example" for n in range(6)])

    assert len(sent_emails()) == 4
    capped = [r for r in map(record_of, ids) if "confirmation_sent_at" not in r]
    assert [r["confirmation_failed_reason"] for r in capped] == ["domain_daily_cap"] * 2
    printed = capsys.readouterr()
    assert "bouncing-domain" not in logs.text + printed.out + printed.err, "the domain is in no log line or metric"
    other = _send_all(email_stack, ["someone@other-domain.example"])
    assert record_of(other[0])["confirmation_sent_at"]


def test_a_throttled_send_retried_until_it_goes_out_uses_one_place_under_the_cap(email_stack: Stack) -> None:
    faults = SesFaults()
    address = "patient.person@example.org"
    first = put_inquiry(email=address)
    faults.fail_for(address, "TooManyRequestsException")
    send(email_stack, QUEUE, claim_check(first))
    _no_visibility_timeout(email_stack)
    for _ in range(4):
        run_consumer(email_stack, "send_confirmation", QUEUE, max_polls=1)
    faults.clear()
    run_consumer(email_stack, "send_confirmation", QUEUE)
    assert record_of(first)["confirmation_sent_at"]

    later = [put_inquiry(email=address) for _ in range(2)]
    for inquiry_id in later:
        send(email_stack, QUEUE, claim_check(inquiry_id))
    run_consumer(email_stack, "send_confirmation", QUEUE)
    assert all(record_of(i).get("confirmation_sent_at") for i in later), "retries did not use up the day"


def test_rejected_address_is_recorded_and_not_retried(email_stack: Stack) -> None:
    faults = SesFaults()
    inquiry_id = put_inquiry()
    faults.fail_for(record_of(inquiry_id)["email"], "BadRequestException")  # SES v2: "Illegal address"
    send(email_stack, QUEUE, claim_check(inquiry_id))

    run = run_consumer(email_stack, "send_confirmation", QUEUE)
    send(email_stack, QUEUE, claim_check(inquiry_id))  # a later redispatch of the same inquiry
    again = run_consumer(email_stack, "send_confirmation", QUEUE)

    assert run.failures == again.failures == []
    assert len(faults.calls) == 1  # SES was asked once, never again
    stored = record_of(inquiry_id)
    assert stored["confirmation_failed_reason"] == "ses_address_rejected"
    assert stored["confirmation_failed_at"]
    assert "confirmation_sent_at" not in stored
    assert sent_emails() == []


def test_unverified_sender_or_sandbox_rejection_is_retried_not_recorded_as_the_persons_fault(
    email_stack: Stack,
) -> None:
    """SES answers MessageRejected for an unverified sender or, in the sandbox, recipient: ops must fix it."""
    faults = SesFaults()
    inquiry_id = put_inquiry()
    faults.fail_all("MessageRejected")
    _no_visibility_timeout(email_stack)
    message_id = send(email_stack, QUEUE, claim_check(inquiry_id))

    run = run_consumer(email_stack, "send_confirmation", QUEUE, max_polls=1)

    assert run.failures == [message_id]
    stored = record_of(inquiry_id)
    assert "confirmation_failed_at" not in stored
    assert "confirmation_claim_token" not in stored
    faults.clear()  # ops verify the sender; the retried message now goes out
    assert run_consumer(email_stack, "send_confirmation", QUEUE).failures == []
    assert len(sent_emails()) == 1


def test_a_failed_record_write_after_the_send_does_not_send_again(email_stack: Stack) -> None:
    inquiry_id = put_inquiry()
    marks = {"n": 0}

    def throttle_the_mark(params: dict[str, object], **_: object) -> None:
        if "confirmation_sent_at" in str(params.get("ExpressionAttributeNames", {})) and "SET #sent" in str(
            params.get("UpdateExpression", "")
        ):
            marks["n"] += 1
            raise ClientError({"Error": {"Code": "ProvisionedThroughputExceededException", "Message": "x"}},
                              "UpdateItem")

    aws.dynamodb().meta.events.register("before-parameter-build.dynamodb.UpdateItem", throttle_the_mark)
    send(email_stack, QUEUE, claim_check(inquiry_id))
    first = run_consumer(email_stack, "send_confirmation", QUEUE)
    send(email_stack, QUEUE, claim_check(inquiry_id))  # a copy arrives while the lease is live
    second = run_consumer(email_stack, "send_confirmation", QUEUE, max_polls=1)

    assert marks["n"] == 1
    assert first.failures == []  # done: a retry would send the email again
    assert len(sent_emails()) == 1
    assert len(second.failures) == 1  # held by the live lease, not sent
    assert "confirmation_claim_token" in record_of(inquiry_id)


@pytest.mark.parametrize("poison", ["unreadable_record", "ses_always_unavailable"])
def test_poison_message_reaches_the_dlq_after_max_receive_count(email_stack: Stack, poison: str) -> None:
    if poison == "unreadable_record":
        inquiry_id = put_inquiry(topic="not-a-topic")  # the consumer cannot read this record
    else:
        inquiry_id = put_inquiry()
        SesFaults().fail_all("ServiceUnavailable")
    max_receives = int(email_stack.resources.properties(QUEUE)["RedrivePolicy"]["maxReceiveCount"])
    _no_visibility_timeout(email_stack)
    message_id = send(email_stack, QUEUE, claim_check(inquiry_id))

    run = run_consumer(email_stack, "send_confirmation", QUEUE)

    assert run.receives == {message_id: max_receives}
    dlq = boto3.client("sqs", region_name=REGION).receive_message(
        QueueUrl=email_stack.url("ConfirmationDLQ"), MaxNumberOfMessages=10)["Messages"]
    assert [json.loads(m["Body"]) for m in dlq] == [{"inquiry_id": inquiry_id}]
    assert sent_emails() == []


def test_unknown_inquiry_and_malformed_messages_are_dropped_not_retried(email_stack: Stack) -> None:
    from inquiries.ids import new_inquiry_id

    bodies = [claim_check(new_inquiry_id()), "not json", json.dumps({"inquiry_id": "../../etc"}),
              json.dumps(["01JD0000000000000000000000"]), json.dumps({})]
    for body in bodies:
        send(email_stack, QUEUE, body)
    _no_visibility_timeout(email_stack)

    run = run_consumer(email_stack, "send_confirmation", QUEUE)

    assert run.failures == []
    assert sorted(run.receives.values()) == [1] * len(bodies)
    assert sent_emails() == []


def test_spam_inquiry_gets_no_email(email_stack: Stack) -> None:
    inquiry_id = put_inquiry(spam=True, status="spam")
    send(email_stack, QUEUE, claim_check(inquiry_id))

    run = run_consumer(email_stack, "send_confirmation", QUEUE)

    assert run.failures == []
    assert sent_emails() == []
    assert "confirmation_sent_at" not in record_of(inquiry_id)


def test_all_failed_batch_reports_every_item_instead_of_raising(email_stack: Stack) -> None:
    SesFaults().fail_all("Throttling")
    ids = [put_inquiry() for _ in range(3)]
    message_ids = {send(email_stack, QUEUE, claim_check(i)) for i in ids}

    run = run_consumer(email_stack, "send_confirmation", QUEUE)

    assert set(run.failures) == message_ids
    assert sent_emails() == []


def test_sample_events_run_through_the_handler(email_stack: Stack) -> None:
    from tests.support.events import load_event

    event = load_event("sqs_confirmation.json")
    put_inquiry(inquiry_id=json.loads(event["Records"][0]["body"])["inquiry_id"])
    handler = email_stack.handler("send_confirmation")

    assert handler(event, FakeLambdaContext("SendConfirmationFunction")) == {"batchItemFailures": []}
    assert handler(load_event("sqs_confirmation_malformed.json"),
                   FakeLambdaContext("SendConfirmationFunction")) == {"batchItemFailures": []}
    assert len(sent_emails()) == 1


def test_inquiry_erased_while_its_email_is_sent_is_not_brought_back(email_stack: Stack) -> None:
    from inquiries import aws

    inquiry_id = put_inquiry()

    def erase(**_: object) -> None:  # the erasure tool runs while SES is being called
        aws.dynamodb().delete_item(TableName="InquiriesTable", Key={"inquiry_id": {"S": inquiry_id}})

    aws.sesv2().meta.events.register("provide-client-params.sesv2.SendEmail", erase)
    send(email_stack, QUEUE, claim_check(inquiry_id))

    run = run_consumer(email_stack, "send_confirmation", QUEUE)

    assert run.failures == []
    assert len(sent_emails()) == 1
    assert "Item" not in aws.dynamodb().get_item(TableName="InquiriesTable", Key={"inquiry_id": {"S": inquiry_id}})
