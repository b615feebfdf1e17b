"""Feeding queues and schedules to functions, as Lambda's event source mappings and rules do.

``SqsPoller`` is the SQS event source mapping: it receives up to the template's BatchSize,
invokes the function with an SQS event, deletes the messages that succeeded and leaves the
ones reported in ``batchItemFailures`` (or the whole batch when the handler raises). Those
come back after the queue's visibility timeout; after ``maxReceiveCount`` receives the queue's
redrive policy moves them to the DLQ (moto does that on receive, as SQS does).
"""

from __future__ import annotations

import base64
import json
import logging
import re
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from infra.local.lambda_runtime import HandlerUnavailable, LocalFunction
from infra.template import ACCOUNT_ID

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient
    from mypy_boto3_sqs.type_defs import MessageTypeDef

log = logging.getLogger("infra.local")

_SAFE_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def sqs_event(messages: list[MessageTypeDef], queue_arn: str, region: str) -> dict[str, Any]:
    """The event Lambda passes for a batch of SQS messages."""
    records = []
    for message in messages:
        attributes = {str(k): str(v) for k, v in message.get("Attributes", {}).items()}
        message_attributes = {}
        for name, attr in message.get("MessageAttributes", {}).items():
            value: dict[str, Any] = {"dataType": attr["DataType"], "stringListValues": [], "binaryListValues": []}
            if "StringValue" in attr:
                value["stringValue"] = attr["StringValue"]
            if "BinaryValue" in attr:
                value["binaryValue"] = base64.b64encode(attr["BinaryValue"]).decode("ascii")
            message_attributes[name] = value
        records.append({
            "messageId": message["MessageId"],
            "receiptHandle": message["ReceiptHandle"],
            "body": message["Body"],
            "attributes": attributes,
            "messageAttributes": message_attributes,
            "md5OfBody": message["MD5OfBody"],
            "eventSource": "aws:sqs",
            "eventSourceARN": queue_arn,
            "awsRegion": region,
        })
    return {"Records": records}


def failed_message_ids(result: Any, batch_ids: set[str]) -> set[str]:
    """Which messages failed, by the partial batch response rules Lambda applies.

    No ``batchItemFailures`` (or an empty list) means all succeeded. An unreadable response,
    or an identifier that is not in the batch, fails the whole batch.
    """
    if result is None:
        return set()
    if not isinstance(result, dict):
        return set(batch_ids)
    failures = result.get("batchItemFailures")
    if failures is None:
        return set()
    if not isinstance(failures, list):
        return set(batch_ids)
    failed = set()
    for item in failures:
        ident = item.get("itemIdentifier") if isinstance(item, dict) else None
        if not isinstance(ident, str) or ident not in batch_ids:
            return set(batch_ids)
        failed.add(ident)
    return failed


def inquiry_id_of(body: str) -> str | None:
    """The claim check's inquiry id, when the body is one (messages carry identifiers only)."""
    try:
        value = json.loads(body).get("inquiry_id")
    except (ValueError, AttributeError):
        return None
    return value if isinstance(value, str) and _SAFE_ID.match(value) else None


class SqsPoller(threading.Thread):
    """One SQS event source mapping: a queue feeding one function in batches."""

    def __init__(
        self,
        function: LocalFunction,
        sqs: SQSClient,
        queue_url: str,
        queue_arn: str,
        batch_size: int,
        region: str,
        wait_seconds: int = 1,
        on_result: Callable[[str, str, str | None, bool, int], None] | None = None,
    ) -> None:
        super().__init__(name=f"poller-{function.logical_id}", daemon=True)
        self.function = function
        self.sqs = sqs
        self.queue_url = queue_url
        self.queue_arn = queue_arn
        self.batch_size = batch_size
        self.region = region
        self.wait_seconds = wait_seconds
        self.on_result = on_result or _log_result
        self._stop_event = threading.Event()

    def stop(self) -> None:
        """Ask the poller to finish its current batch and end."""
        self._stop_event.set()

    def run(self) -> None:
        """Poll until stopped; an error in one round is logged and the next round goes on."""
        while not self._stop_event.is_set():
            if not self.function.is_available():
                self._stop_event.wait(1.0)
                continue
            try:
                self.poll_once()
            except Exception as exc:
                log.error("%s poller: %s", self.function.logical_id, type(exc).__name__)
                self._stop_event.wait(1.0)

    def poll_once(self) -> int:
        """Receive one batch, invoke the function, delete what succeeded; return the batch size."""
        received = self.sqs.receive_message(
            QueueUrl=self.queue_url,
            MaxNumberOfMessages=self.batch_size,
            WaitTimeSeconds=self.wait_seconds,
            MessageSystemAttributeNames=["All"],
            MessageAttributeNames=["All"],
        )
        messages = received.get("Messages", [])
        if not messages:
            return 0
        batch_ids = {m["MessageId"] for m in messages}
        try:
            result = self.function.invoke(sqs_event(messages, self.queue_arn, self.region))
        except HandlerUnavailable:
            failed = set(batch_ids)
        except Exception as exc:  # the whole batch failed; its text could hold PHI, so log the type
            log.error("%s raised %s: the batch of %d returns after the visibility timeout",
                      self.function.logical_id, type(exc).__name__, len(messages))
            failed = set(batch_ids)
        else:
            failed = failed_message_ids(result, batch_ids)
        done = [m for m in messages if m["MessageId"] not in failed]
        for start in range(0, len(done), 10):
            chunk = done[start:start + 10]
            self.sqs.delete_message_batch(
                QueueUrl=self.queue_url,
                Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(chunk)],
            )
        for message in messages:
            receive_count = int(message.get("Attributes", {}).get("ApproximateReceiveCount", "1"))
            self.on_result(self.function.logical_id, message["MessageId"], inquiry_id_of(message["Body"]),
                           message["MessageId"] not in failed, receive_count)
        return len(messages)


def _log_result(function: str, message_id: str, inquiry_id: str | None, ok: bool, receive_count: int) -> None:
    inquiry = f" inquiry={inquiry_id}" if inquiry_id else ""
    if ok:
        # "handled": sent, or skipped on purpose (already sent, spam, a malformed message dropped).
        log.info("handled by %s:%s sqs_message=%s", function, inquiry, message_id)
    else:
        log.warning("failed in %s (receive %d; it returns after the visibility timeout, or goes to the DLQ "
                    "after maxReceiveCount):%s sqs_message=%s", function, receive_count, inquiry, message_id)


def scheduled_event(rule_name: str, region: str) -> dict[str, Any]:
    """The event an EventBridge schedule rule passes to its target."""
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": ACCOUNT_ID,
        "time": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": region,
        "resources": [f"arn:aws:events:{region}:{ACCOUNT_ID}:rule/{rule_name}"],
        "detail": {},
    }


class ScheduleTick(threading.Thread):
    """Invokes a function with a scheduled event every ``every_seconds`` (first after one interval)."""

    def __init__(self, function: LocalFunction, every_seconds: float, region: str) -> None:
        super().__init__(name=f"schedule-{function.logical_id}", daemon=True)
        self.function = function
        self.every_seconds = every_seconds
        self.region = region
        self._stop_event = threading.Event()

    def stop(self) -> None:
        """Stop ticking."""
        self._stop_event.set()

    def run(self) -> None:
        """Tick until stopped."""
        while not self._stop_event.wait(self.every_seconds):
            self.tick()

    def tick(self) -> None:
        """One scheduled invocation; failures are logged by type and the next tick goes on."""
        if not self.function.is_available():
            return
        try:
            self.function.invoke(scheduled_event(f"{self.function.logical_id}Schedule", self.region))
        except Exception as exc:
            log.error("%s raised %s on its schedule", self.function.logical_id, type(exc).__name__)


def dynamodb_stream_event(records: list[Any], stream_arn: str, region: str) -> dict[str, Any]:
    """The event Lambda passes for a batch of DynamoDB stream records (as GetRecords gives them)."""
    return {"Records": [{**record, "eventSourceARN": stream_arn, "awsRegion": region,
                         "dynamodb": {**record["dynamodb"],
                                      "SequenceNumber": str(record["dynamodb"]["SequenceNumber"])}}
                        for record in records]}


class StreamPages:
    """DynamoDB Streams ``GetRecords`` read as DynamoDB JSON, straight from the local emulator's answer.

    botocore's parser walks every attribute value of every record against the service model: in the stack's
    process (which is moto's) that was ~7% of its time in the end-to-end run (issue 23), work Lambda's mapping
    does outside the function and the benchmark's floor does in its own process. The page is the emulator's
    JSON as it is, which is also what Lambda's event carries: ``ApproximateCreationDateTime`` in epoch
    seconds, a binary attribute as base64 text. The request names its service in the credential scope only
    (the emulator does not check signatures); only loopback URLs are read.
    """

    def __init__(self, endpoint_url: str, region: str) -> None:
        if not endpoint_url.startswith(("http://127.0.0.1:", "http://localhost:")):
            raise ValueError("StreamPages reads only the local emulator")
        self.url = endpoint_url.rstrip("/") + "/"
        self.region = region

    def get_records(self, ShardIterator: str, Limit: int) -> dict[str, Any]:  # noqa: N803 - boto3's names
        """One page: ``{"Records": [...], "NextShardIterator": ...}``; raises RuntimeError on an error answer."""
        day = datetime.now(UTC).strftime("%Y%m%d")
        request = urllib.request.Request(  # noqa: S310 - a loopback URL (checked above)
            self.url, method="POST", data=json.dumps({"ShardIterator": ShardIterator, "Limit": Limit}).encode(),
            headers={"Content-Type": "application/x-amz-json-1.0",
                     "X-Amz-Target": "DynamoDBStreams_20120810.GetRecords",
                     "Authorization": f"AWS4-HMAC-SHA256 Credential=local/{day}/{self.region}/dynamodb/aws4_request, "
                                      "SignedHeaders=host, Signature=local"})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - loopback
                page: dict[str, Any] = json.loads(response.read())
        except urllib.error.HTTPError as exc:  # the answer's error type only (its text is the emulator's)
            raise RuntimeError(f"GetRecords answered {exc.code}") from None
        return page


def failed_sequence_numbers(result: Any, batch: list[str]) -> list[str]:
    """The records to retry, by the partial batch response rules of a stream mapping: from the lowest
    failed sequence number on (an unreadable response, or one naming a record not in the batch: all)."""
    failed = failed_message_ids(result, set(batch))
    if not failed:
        return []
    first = min(batch.index(seq) for seq in failed)
    return batch[first:]


class StreamPoller(threading.Thread):
    """One DynamoDB stream event source mapping: each shard read from TRIM_HORIZON, batches invoked in
    order; a failed record is retried (from it on) up to ``max_retries`` times, then the batch's
    description goes to the on-failure queue and reading goes on, as Lambda does."""

    def __init__(self, function: LocalFunction, streams: Any, stream_arn: str, batch_size: int, region: str,
                 on_failure: Callable[[dict[str, Any]], None], max_retries: int = 2,
                 every_seconds: float = 0.5, describe_every_seconds: float = 60.0,
                 pages: StreamPages | None = None) -> None:
        super().__init__(name=f"stream-{function.logical_id}", daemon=True)
        self.function = function
        self.streams = streams
        self.stream_arn = stream_arn
        self.batch_size = batch_size
        self.region = region
        self.on_failure = on_failure
        self.max_retries = max_retries
        self.every_seconds = every_seconds
        # Lambda's mapping lists the stream's shards now and then, not before every read (a DescribeStream per
        # poll was the emulator's own load: issue 23); a shard that closes makes the next poll list them again.
        self.describe_every_seconds = describe_every_seconds
        self.pages: Any = pages or streams  # what reads GetRecords: StreamPages in the stack, else the client
        self._iterators: dict[str, str | None] = {}
        self._shard_ids: list[str] = []
        self._described_at: float | None = None
        self._stop_event = threading.Event()

    def stop(self) -> None:
        """Ask the poller to finish its current batch and end."""
        self._stop_event.set()

    def _shards(self) -> list[str]:
        """The stream's shard ids: listed on the first poll, after a shard closed, and every
        ``describe_every_seconds``."""
        now = time.monotonic()
        if self._described_at is None or now - self._described_at >= self.describe_every_seconds:
            description = self.streams.describe_stream(StreamArn=self.stream_arn)["StreamDescription"]
            self._shard_ids = [str(shard["ShardId"]) for shard in description["Shards"]]
            self._described_at = now
        return self._shard_ids

    def run(self) -> None:
        """Poll until stopped; an error in one round is logged and the next round goes on."""
        while not self._stop_event.wait(self.every_seconds):
            if not self.function.is_available():
                continue
            try:
                self.poll_once()
            except Exception as exc:
                log.error("%s stream poller: %s", self.function.logical_id, type(exc).__name__)

    def poll_once(self) -> int:
        """Read each shard once and hand its new records to the function; how many records were handled."""
        handled = 0
        for shard_id in self._shards():
            if shard_id not in self._iterators:
                self._iterators[shard_id] = self.streams.get_shard_iterator(
                    StreamArn=self.stream_arn, ShardId=shard_id, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
            iterator = self._iterators[shard_id]
            if iterator is None:
                continue
            page = self.pages.get_records(ShardIterator=iterator, Limit=self.batch_size)
            self._iterators[shard_id] = page.get("NextShardIterator")
            if self._iterators[shard_id] is None:  # closed: its children are listed on the next poll
                self._described_at = None
            records = list(page.get("Records", []))
            if records:
                handled += self._deliver(shard_id, records)
        return handled

    def _deliver(self, shard_id: str, records: list[Any]) -> int:
        for attempt in range(self.max_retries + 1):
            batch = [str(r["dynamodb"]["SequenceNumber"]) for r in records]
            try:
                result = self.function.invoke(dynamodb_stream_event(records, self.stream_arn, self.region))
            except Exception as exc:  # the whole batch failed; its text is not logged
                log.error("%s raised %s on a stream batch of %d", self.function.logical_id, type(exc).__name__,
                          len(records))
                retry = batch
            else:
                retry = failed_sequence_numbers(result, batch)
            if not retry:
                return len(records)
            records = [r for r in records if str(r["dynamodb"]["SequenceNumber"]) in set(retry)]
            log.warning("%s: %d stream record(s) failed (attempt %d)", self.function.logical_id, len(records),
                        attempt + 1)
        sequence = [str(r["dynamodb"]["SequenceNumber"]) for r in records]
        self.on_failure({"requestContext": {"condition": "RetryAttemptsExhausted",
                                            "functionArn": self.function.logical_id},
                         "DDBStreamBatchInfo": {"shardId": shard_id, "streamArn": self.stream_arn,
                                                "startSequenceNumber": sequence[0],
                                                "endSequenceNumber": sequence[-1], "batchSize": len(sequence)}})
        return len(records)
