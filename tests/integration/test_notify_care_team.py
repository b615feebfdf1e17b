"""NotifyCareTeamFunction against moto: one PHI-free notification per inquiry, chat retried alone."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import boto3
import pytest
from inquiries import aws
from inquiries.delivery import chat
from inquiries.ids import short_reference

from tests.support.consumers import (
    REGION,
    claim_check,
    notifications,
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

QUEUE = "CareTeamQueue"
CHAT_PARAMETER = "/inquiry-intake/test/chat-webhook"


class ChatServer:
    """A Slack-style incoming webhook on 127.0.0.1: records each post, answers with scripted statuses."""

    def __init__(self) -> None:
        self.posts: list[dict[str, Any]] = []
        self.statuses: list[int] = []  # next answers; 200 once they run out
        owner = self

        class _Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                owner.posts.append(json.loads(self.rfile.read(length)))
                status = owner.statuses.pop(0) if owner.statuses else 200
                self.send_response(status)
                self.end_headers()
                self.wfile.write(b"ok" if status == 200 else b"error")

            def log_message(self, *_: Any) -> None:  # keep test output quiet
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/services/T000/B000/xyz"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture
def topic_arn(stack: Stack) -> str:
    return stack.resources.names.refs["CareTeamTopic"]


@pytest.fixture
def chat_server(stack: Stack) -> Iterator[ChatServer]:
    server = ChatServer()
    boto3.client("ssm", region_name=REGION).put_parameter(
        Name=CHAT_PARAMETER, Value=server.url, Type="SecureString")
    stack.configure(CHAT_WEBHOOK_PARAMETER=CHAT_PARAMETER)
    chat.webhook_url.cache_clear()  # a new "cold start"
    yield server
    server.close()
    chat.webhook_url.cache_clear()


def _no_visibility_timeout(stack: Stack) -> None:
    boto3.client("sqs", region_name=REGION).set_queue_attributes(
        QueueUrl=stack.url(QUEUE), Attributes={"VisibilityTimeout": "0"})


def test_one_inquiry_gives_one_notification_with_routing_attributes(stack: Stack, topic_arn: str) -> None:
    inquiry_id = put_inquiry(topic="ptsd", urgent=True, preferred_contact="sms", sms_consent=True)
    send(stack, QUEUE, claim_check(inquiry_id))

    run = run_consumer(stack, "notify_care_team", QUEUE)

    assert run.failures == []
    [note] = notifications(topic_arn)
    reference = short_reference(inquiry_id)
    assert note["subject"] == f"[URGENT] New inquiry {reference} (ptsd)"
    # moto keeps attributes as SNS delivers them to subscribers (Type/Value), so a filter policy sees these
    # page=yes: the first urgent one of the window is texted (tests/integration/test_urgent_texts.py)
    assert note["attributes"] == {"priority": {"Type": "String", "Value": "urgent"},
                                  "topic": {"Type": "String", "Value": "ptsd"},
                                  "language": {"Type": "String", "Value": "en"},
                                  "page": {"Type": "String", "Value": "yes"}}
    console = stack.resources.function_environment("NotifyCareTeamFunction")["CONSOLE_BASE_URL"]
    assert f"{console.rstrip('/')}/{inquiry_id}" in note["message"]
    assert "Preferred contact: sms" in note["message"]
    assert "Arrived: just now" in note["message"]
    assert record_of(inquiry_id)["care_team_notified_at"]


def test_urgent_notification_names_the_triage_category_as_text_and_attribute(stack: Stack, topic_arn: str) -> None:
    inquiry_id = put_inquiry(urgent=True, message="found my husband passed out after too many pills",
                             triage_categories=["overdose"], triage_rules=["overdose.unresponsive"])
    send(stack, QUEUE, claim_check(inquiry_id))

    run = run_consumer(stack, "notify_care_team", QUEUE)

    assert run.failures == []
    [note] = notifications(topic_arn)
    assert note["subject"].startswith("[URGENT] ")
    assert "Priority: URGENT - please reach out first\nCategory: overdose\n" in note["message"]
    assert note["attributes"]["category"] == {"Type": "String", "Value": "overdose"}
    for words in ("passed out", "pills", "husband", "unresponsive"):
        assert words not in note["message"] and words not in json.dumps(note["attributes"])


def test_normal_inquiry_is_routed_as_normal_priority(stack: Stack, topic_arn: str) -> None:
    inquiry_id = put_inquiry(topic="depression")
    send(stack, QUEUE, claim_check(inquiry_id))

    run_consumer(stack, "notify_care_team", QUEUE)

    [note] = notifications(topic_arn)
    assert note["subject"] == f"New inquiry {short_reference(inquiry_id)} (depression)"
    assert note["attributes"]["priority"] == {"Type": "String", "Value": "normal"}


def test_duplicate_delivery_sends_one_notification(stack: Stack, topic_arn: str) -> None:
    inquiry_id = put_inquiry()
    handler = stack.handler("notify_care_team")
    event = single_message_event(claim_check(inquiry_id), stack.resources.names.attrs[(QUEUE, "Arn")])

    first = handler(event, FakeLambdaContext("NotifyCareTeamFunction"))
    redelivered = handler(event, FakeLambdaContext("NotifyCareTeamFunction"))
    send(stack, QUEUE, claim_check(inquiry_id))
    second_message = run_consumer(stack, "notify_care_team", QUEUE)

    assert first == redelivered == {"batchItemFailures": []}
    assert second_message.failures == []
    assert len(notifications(topic_arn)) == 1


def test_spam_inquiry_is_never_notified(stack: Stack, topic_arn: str) -> None:
    inquiry_id = put_inquiry(spam=True, status="spam")
    send(stack, QUEUE, claim_check(inquiry_id))

    run = run_consumer(stack, "notify_care_team", QUEUE)

    assert run.failures == []
    assert notifications(topic_arn) == []


def test_chat_webhook_gets_the_same_text_once(stack: Stack, topic_arn: str, chat_server: ChatServer) -> None:
    inquiry_id = put_inquiry(topic="anxiety")
    send(stack, QUEUE, claim_check(inquiry_id))
    send(stack, QUEUE, claim_check(inquiry_id))

    run = run_consumer(stack, "notify_care_team", QUEUE)

    assert run.failures == []
    [note] = notifications(topic_arn)
    assert chat_server.posts == [{"text": f"{note['subject']}\n{note['message']}"}]
    assert record_of(inquiry_id)["care_team_chat_sent_at"]


def test_chat_failure_is_retried_without_repeating_the_sns_notification(
    stack: Stack, topic_arn: str, chat_server: ChatServer
) -> None:
    chat_server.statuses = [500, 503]
    inquiry_id = put_inquiry()
    message_id = send(stack, QUEUE, claim_check(inquiry_id))
    _no_visibility_timeout(stack)

    run = run_consumer(stack, "notify_care_team", QUEUE)

    assert run.receives == {message_id: 3}  # failed, failed, then posted
    assert run.failures == [message_id, message_id]
    assert len(notifications(topic_arn)) == 1
    assert len(chat_server.posts) == 3
    stored = record_of(inquiry_id)
    assert stored["care_team_notified_at"] and stored["care_team_chat_sent_at"]


def test_chat_disabled_when_no_parameter_is_configured(stack: Stack, topic_arn: str) -> None:
    assert stack.resources.function_environment("NotifyCareTeamFunction")["CHAT_WEBHOOK_PARAMETER"] == ""
    reads: list[str] = []
    aws.ssm().meta.events.register("provide-client-params.ssm.*", lambda params, **_: reads.append("ssm"))
    send(stack, QUEUE, claim_check(put_inquiry()))

    run = run_consumer(stack, "notify_care_team", QUEUE)

    assert run.failures == []
    assert len(notifications(topic_arn)) == 1
    assert reads == []


def test_webhook_url_is_read_from_ssm_once_per_cold_start(stack: Stack, chat_server: ChatServer) -> None:
    reads: list[dict[str, Any]] = []
    aws.ssm().meta.events.register("provide-client-params.ssm.GetParameter",
                                   lambda params, **_: reads.append(dict(params)))
    for _ in range(3):
        send(stack, QUEUE, claim_check(put_inquiry()))
        run_consumer(stack, "notify_care_team", QUEUE)

    assert reads == [{"Name": CHAT_PARAMETER, "WithDecryption": True}]
    assert len(chat_server.posts) == 3


def test_no_inquiry_field_reaches_notification_chat_or_logs(
    stack: Stack, topic_arn: str, chat_server: ChatServer, caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    caplog.set_level(logging.INFO)
    prepare_email(stack)
    with LogCapture() as logs:
        inquiry_id = put_inquiry(urgent=True, preferred_contact="phone")
        record = record_of(inquiry_id)
        phi_values = [str(record[k]) for k in ("name", "email", "phone", "message", "referral_source",
                                               "email_hash")]
        # Pieces of the values too: a truncated or reformatted echo is still a leak.
        phi_values += [record["name"].split()[-1], record["email"].split("@")[0], record["phone"][-7:],
                       record["message"].split()[-1], record["referral_source"].split()[-1]]
        send(stack, "ConfirmationQueue", claim_check(inquiry_id))
        send(stack, QUEUE, claim_check(inquiry_id))

        confirmation = run_consumer(stack, "send_confirmation", "ConfirmationQueue")
        care_team = run_consumer(stack, "notify_care_team", QUEUE)

    assert confirmation.failures == care_team.failures == []
    assert len(sent_emails()) == 1
    [note] = notifications(topic_arn)
    [post] = chat_server.posts
    printed = capsys.readouterr()
    surfaces = {
        "notification subject": note["subject"],
        "notification message": note["message"],
        "notification attributes": json.dumps(note["attributes"]),
        "chat payload": json.dumps(post),
        "function logs": logs.text,
        "other loggers": caplog.text,
        "stdout (metrics)": printed.out + printed.err,
    }
    assert inquiry_id in logs.text  # the logs were captured: ids are there, values are not
    for where, text in surfaces.items():
        for value in phi_values:
            assert value not in text, f"a PHI value reached the {where}"


def test_sample_event_runs_through_the_handler(stack: Stack, topic_arn: str) -> None:
    from tests.support.events import load_event

    event = load_event("sqs_care_team.json")
    put_inquiry(inquiry_id=json.loads(event["Records"][0]["body"])["inquiry_id"])

    response = stack.handler("notify_care_team")(event, FakeLambdaContext("NotifyCareTeamFunction"))

    assert response == {"batchItemFailures": []}
    assert len(notifications(topic_arn)) == 1
