"""Driving the queue consumers against moto the way the SQS event source mapping does.

Also: reading back what was sent (moto's SES and SNS backends), putting inquiry records straight
into the table, and injecting SES faults at the boto3 level (a ``before-call`` hook on the very
client the code uses, so nothing below boto3 is faked).
"""

from __future__ import annotations

import copy
import json
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, cast

import boto3
from inquiries import aws
from inquiries.data.items import InquiryItem, plain_values
from inquiries.ids import new_inquiry_id
from inquiries.models import InquiryIn
from inquiries.settings import ResponseTimeSettings
from inquiries.triage import NOT_URGENT
from moto.ses.models import ses_backends
from moto.sns.models import sns_backends

from infra.template import ACCOUNT_ID
from tests.support import phi
from tests.support.lambda_context import FakeLambdaContext
from tests.support.stack import Stack

REGION = "us-east-1"
FUNCTIONS = {"send_confirmation": "SendConfirmationFunction", "notify_care_team": "NotifyCareTeamFunction"}


def put_inquiry(**overrides: Any) -> str:
    """Store an inquiry exactly as intake builds it (distinctive PHI values, ``InquiryItem``); its id.

    ``overrides`` replace fields of the item (``topic="not-a-topic"`` stores an unreadable one).
    """
    submitted = InquiryIn.model_validate(phi.distinctive_inquiry())
    inquiry_id = str(overrides.pop("inquiry_id", new_inquiry_id()))
    item = InquiryItem.for_submission(submitted, inquiry_id=inquiry_id, now=time.time(), triage=NOT_URGENT, spam=False,
                                      retention_days=1, targets=ResponseTimeSettings())
    aws.dynamodb().put_item(TableName="InquiriesTable", Item=replace(item, **overrides).to_item())
    return inquiry_id


def record_of(inquiry_id: str) -> dict[str, Any]:
    """The stored item, as plain values."""
    item = aws.dynamodb().get_item(TableName="InquiriesTable", Key={"inquiry_id": {"S": inquiry_id}},
                                   ConsistentRead=True)["Item"]
    return plain_values(item)


def claim_check(inquiry_id: str) -> str:
    """A message body exactly as intake sends it."""
    return json.dumps({"inquiry_id": inquiry_id})


def prepare_email(stack: Stack) -> None:
    """Verify the sender identity and create the configuration set the function is configured with."""
    sesv2 = boto3.client("sesv2", region_name=REGION)
    sesv2.create_email_identity(EmailIdentity=stack.resources.function_environment(
        "SendConfirmationFunction")["SENDER_EMAIL"])
    config_set = stack.resources.function_environment("SendConfirmationFunction")["SES_CONFIGURATION_SET"]
    sesv2.create_configuration_set(ConfigurationSetName=config_set)


def sent_emails() -> list[Any]:
    """Every email moto's SES accepted (its backend keeps subject, destinations and the HTML body)."""
    return list(ses_backends[ACCOUNT_ID][REGION].sent_messages)


def notifications(topic_arn: str) -> list[dict[str, Any]]:
    """Every message published to an SNS topic: subject, message and attributes."""
    topic = sns_backends[ACCOUNT_ID][REGION].topics[topic_arn]
    return [{"subject": subject, "message": message, "attributes": attrs or {}}
            for _id, message, subject, attrs, _group in topic.sent_notifications]


def sqs_event(messages: Sequence[Mapping[str, Any]], queue_arn: str) -> dict[str, Any]:
    """A Lambda SQS event holding received messages, as the event source mapping builds it."""
    return {"Records": [{
        "messageId": m["MessageId"],
        "receiptHandle": m["ReceiptHandle"],
        "body": m["Body"],
        "attributes": m.get("Attributes", {}),
        "messageAttributes": {},
        "md5OfBody": m["MD5OfBody"],
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn,
        "awsRegion": REGION,
    } for m in messages]}


def single_message_event(body: str, queue_arn: str, message_id: str = "msg-1") -> dict[str, Any]:
    """A one-record SQS event with a given body (for redelivering the very same message)."""
    return sqs_event([{"MessageId": message_id, "ReceiptHandle": f"rh-{message_id}", "Body": body,
                       "MD5OfBody": "0" * 32}], queue_arn)


@dataclass
class QueueRun:
    """What happened while a queue was polled: receives per message id, failures reported."""

    receives: dict[str, int] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    responses: list[dict[str, Any]] = field(default_factory=list)


def run_consumer(stack: Stack, module: str, queue: str, *, max_polls: int = 50) -> QueueRun:
    """Poll ``queue`` like the event source mapping: receive a batch, invoke the handler, delete
    what did not fail. Stops at the first empty receive (set VisibilityTimeout 0 to see retries)."""
    sqs = boto3.client("sqs", region_name=REGION)
    url = stack.url(queue)
    arn = stack.resources.names.attrs[(queue, "Arn")]
    handler = stack.handler(module)
    run = QueueRun()
    for _ in range(max_polls):
        messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0,
                                       AttributeNames=["All"]).get("Messages", [])
        if not messages:
            break
        for m in messages:
            run.receives[m["MessageId"]] = run.receives.get(m["MessageId"], 0) + 1
        response = handler(sqs_event(messages, arn), FakeLambdaContext(FUNCTIONS[module], timeout_seconds=30))
        run.responses.append(response)
        failed = {f["itemIdentifier"] for f in response["batchItemFailures"]}
        run.failures.extend(sorted(failed))
        for m in messages:
            if m["MessageId"] not in failed:
                sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
    return run


def send(stack: Stack, queue: str, body: str) -> str:
    """Put one message on a queue; its id."""
    return boto3.client("sqs", region_name=REGION).send_message(QueueUrl=stack.url(queue), MessageBody=body)[
        "MessageId"]


@dataclass
class _FakeHttp:
    status_code: int
    headers: dict[str, str] = field(default_factory=dict)


class SesFaults:
    """SES v2 SendEmail faults for chosen recipients, answered at the boto3 level; records every call."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []
        self._faults: dict[str, str] = {}
        self._all: str | None = None
        client = aws.sesv2()
        client.meta.events.register("provide-client-params.sesv2.SendEmail", self._remember)
        # A before-call handler that returns (http, parsed) answers instead of the service; the stubs
        # type event handlers as returning None.
        client.meta.events.register_first("before-call.sesv2.SendEmail", cast(Callable[..., None], self._answer))

    def fail_for(self, address: str, code: str) -> None:
        """Answer SendEmail to ``address`` with the AWS error ``code``."""
        self._faults[address] = code

    def fail_all(self, code: str) -> None:
        """Answer every SendEmail with the AWS error ``code``."""
        self._all = code

    def clear(self) -> None:
        """Let every send through again."""
        self._faults.clear()
        self._all = None

    def _remember(self, params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        self.calls.append(copy.deepcopy(params))
        context["test_recipient"] = params["Destination"]["ToAddresses"][0]

    def _answer(self, context: dict[str, Any], **_: Any) -> tuple[_FakeHttp, dict[str, Any]] | None:
        code = self._all or self._faults.get(context.get("test_recipient", ""))
        if code is None:
            return None
        status = 429 if code == "TooManyRequestsException" else 400
        return _FakeHttp(status), {"Error": {"Code": code, "Message": "injected by the test"},
                                   "ResponseMetadata": {"HTTPStatusCode": status}}
