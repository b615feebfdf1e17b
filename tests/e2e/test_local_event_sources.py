"""The SQS event source mapping emulator and the AWS emulator, with stand-in handlers.

moto's server runs in this process on a free loopback port; queues and topics come from
template.yaml through ``provision``, exactly as ``make run`` creates them.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pytest

from infra.local.aws_emulator import MotoServer, aws_session, provision
from infra.local.child import free_port
from infra.local.event_sources import ScheduleTick, SqsPoller, failed_message_ids, inquiry_id_of
from infra.local.lambda_runtime import LocalFunction
from infra.template import TemplateResources

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient


@dataclass
class LocalAws:
    resources: TemplateResources
    sqs: SQSClient
    urls: dict[str, str]
    arns: dict[str, str]
    endpoint: str


@pytest.fixture
def local_aws() -> Iterator[LocalAws]:
    port = free_port()
    server = MotoServer(port)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    try:
        resources = TemplateResources()
        session = aws_session("us-east-1")
        created = provision(resources, session, endpoint, visibility_timeout_seconds=1)
        yield LocalAws(resources, session.client("sqs", endpoint_url=endpoint), created.queue_urls,
                       created.queue_arns, endpoint)
    finally:
        server.stop()


class StandInConsumer:
    """Reports the messages whose body says ``fail`` as failures (or raises, when told to)."""

    def __init__(self, raises: bool = False) -> None:
        self.raises = raises
        self.events: list[dict[str, Any]] = []

    def __call__(self, event: dict[str, Any], context: Any) -> dict[str, Any]:
        self.events.append(event)
        if self.raises:
            raise RuntimeError("stand-in failure")
        return {"batchItemFailures": [{"itemIdentifier": r["messageId"]} for r in event["Records"]
                                      if json.loads(r["body"]).get("fail")]}


def poller_for(aws: LocalAws, consumer: StandInConsumer, function: str = "SendConfirmationFunction",
               queue: str = "ConfirmationQueue") -> SqsPoller:
    batch_size = next(int(p["BatchSize"]) for f, q, p in aws.resources.sqs_event_sources() if f == function)
    local_function = LocalFunction.from_template(aws.resources, function, consumer)
    return SqsPoller(local_function, aws.sqs, aws.urls[queue], aws.arns[queue], batch_size, "us-east-1",
                     on_result=lambda *_: None)


def count(aws: LocalAws, queue: str) -> int:
    attrs = aws.sqs.get_queue_attributes(
        QueueUrl=aws.urls[queue],
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"])["Attributes"]
    return int(attrs["ApproximateNumberOfMessages"]) + int(attrs["ApproximateNumberOfMessagesNotVisible"])


def test_local_queues_keep_the_templates_redrive_policy_with_a_short_visibility_timeout(local_aws: LocalAws) -> None:
    attrs = local_aws.sqs.get_queue_attributes(QueueUrl=local_aws.urls["ConfirmationQueue"],
                                               AttributeNames=["All"])["Attributes"]
    redrive = json.loads(attrs["RedrivePolicy"])
    template_redrive = local_aws.resources.properties("ConfirmationQueue")["RedrivePolicy"]
    assert int(redrive["maxReceiveCount"]) == int(template_redrive["maxReceiveCount"])
    assert redrive["deadLetterTargetArn"] == local_aws.arns["ConfirmationDLQ"]
    assert attrs["VisibilityTimeout"] == "1"


def test_the_ses_sender_is_verified(local_aws: LocalAws) -> None:
    sesv2 = aws_session("us-east-1").client("sesv2", endpoint_url=local_aws.endpoint)
    sender = local_aws.resources.function_environment("SendConfirmationFunction")["SENDER_EMAIL"]
    identities = [i["IdentityName"] for i in sesv2.list_email_identities()["EmailIdentities"]]
    assert sender in identities


def test_successes_are_deleted_and_reported_failures_come_back_after_the_visibility_timeout(
        local_aws: LocalAws) -> None:
    url = local_aws.urls["ConfirmationQueue"]
    for body in ({"inquiry_id": "01OK1"}, {"inquiry_id": "01BAD", "fail": True}, {"inquiry_id": "01OK2"}):
        local_aws.sqs.send_message(QueueUrl=url, MessageBody=json.dumps(body))
    consumer = StandInConsumer()
    poller = poller_for(local_aws, consumer)

    handled = 0
    while handled < 3:
        handled += poller.poll_once()
    records = [r for e in consumer.events for r in e["Records"]]
    assert {json.loads(r["body"])["inquiry_id"] for r in records} == {"01OK1", "01BAD", "01OK2"}
    first = records[0]
    assert first["eventSource"] == "aws:sqs" and first["eventSourceARN"] == local_aws.arns["ConfirmationQueue"]
    assert first["awsRegion"] == "us-east-1" and first["attributes"]["ApproximateReceiveCount"] == "1"
    assert {"messageId", "receiptHandle", "md5OfBody", "messageAttributes"} <= set(first)
    assert count(local_aws, "ConfirmationQueue") == 1  # only the failure is left

    deadline = time.monotonic() + 10
    retried: list[dict[str, Any]] = []
    while not retried and time.monotonic() < deadline:
        poller.poll_once()
        retried = [r for e in consumer.events[1:] for r in e["Records"] if json.loads(r["body"]).get("fail")]
    assert retried and retried[0]["attributes"]["ApproximateReceiveCount"] == "2"


def test_a_raising_handler_fails_its_whole_batch_until_the_queue_redrives_it_to_the_dlq(
        local_aws: LocalAws) -> None:
    local_aws.sqs.send_message(QueueUrl=local_aws.urls["CareTeamQueue"], MessageBody='{"inquiry_id": "01X"}')
    consumer = StandInConsumer(raises=True)
    poller = poller_for(local_aws, consumer, "NotifyCareTeamFunction", "CareTeamQueue")
    max_receives = int(local_aws.resources.properties("CareTeamQueue")["RedrivePolicy"]["maxReceiveCount"])

    deadline = time.monotonic() + 20
    while count(local_aws, "CareTeamDLQ") == 0 and time.monotonic() < deadline:
        poller.poll_once()
    assert count(local_aws, "CareTeamDLQ") == 1
    assert count(local_aws, "CareTeamQueue") == 0
    assert len(consumer.events) == max_receives


def test_partial_batch_responses_follow_lambdas_rules() -> None:
    batch = {"m1", "m2"}
    assert failed_message_ids(None, batch) == set()
    assert failed_message_ids({}, batch) == set()
    assert failed_message_ids({"batchItemFailures": []}, batch) == set()
    assert failed_message_ids({"batchItemFailures": [{"itemIdentifier": "m2"}]}, batch) == {"m2"}
    # An identifier that is not in the batch, or an unreadable answer, fails everything.
    assert failed_message_ids({"batchItemFailures": [{"itemIdentifier": "zz"}]}, batch) == batch
    assert failed_message_ids({"batchItemFailures": [{}]}, batch) == batch
    assert failed_message_ids("ok", batch) == batch


def test_only_an_identifier_is_ever_read_from_a_message_body() -> None:
    assert inquiry_id_of('{"inquiry_id": "01M8E40NVSW568AQD4E4HJJKYM"}') == "01M8E40NVSW568AQD4E4HJJKYM"
    assert inquiry_id_of('{"inquiry_id": "Jane Doe <jane@example.com>"}') is None
    assert inquiry_id_of("not json") is None


def test_the_schedule_tick_invokes_its_function_with_a_scheduled_event() -> None:
    calls: list[dict[str, Any]] = []
    resources = TemplateResources()
    function = LocalFunction.from_template(resources, "RedispatchFunction", lambda event, _ctx: calls.append(event))
    tick = ScheduleTick(function, every_seconds=0.05, region="us-east-1")
    tick.start()
    deadline = time.monotonic() + 5
    while len(calls) < 2 and time.monotonic() < deadline:
        time.sleep(0.02)
    tick.stop()
    tick.join(timeout=2)
    assert len(calls) >= 2 and not tick.is_alive()
    assert calls[0]["source"] == "aws.events" and calls[0]["detail-type"] == "Scheduled Event"
    assert function.timeout_seconds == 60  # RedispatchFunction's own Timeout, not the Globals' 10


def test_the_data_key_alias_points_at_the_local_key(local_aws: LocalAws) -> None:
    kms = aws_session("us-east-1").client("kms", endpoint_url=local_aws.endpoint)
    aliases = {a["AliasName"]: a.get("TargetKeyId") for a in kms.list_aliases()["Aliases"]}
    assert aliases["alias/inquiry-intake-dev"] == local_aws.resources.names.refs["DataKey"]
