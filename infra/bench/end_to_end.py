"""End to end on the local stack: concurrent clients submit until every inquiry is stored, confirmed,
notified and published as an event; the floor does the same AWS work directly with boto3 against the same moto.

Pipeline: ``clients`` threads POST ``/inquiries`` over HTTP (127.0.0.1 only, each request from its own
127.0.x.y address, as API Gateway's ``sourceIp`` would differ); the clock stops when InquiriesTable
shows ``confirmation_sent_at`` and ``care_team_notified_at`` on every accepted inquiry and the event log
holds its ``inquiry.received`` event (``undone``). The API latency is each POST's round trip.

Floor: the same number of threads make, per inquiry, the calls the handlers make, in the same order,
with items of the same shape (built by ``inquiries.data.items``), on the same moto server:

- intake: the client's rate-limit counter update, the idempotency record put, the transaction writing the
  inquiry, its submission guard, its lookup items and its weekly counters, the two queue sends, the
  dispatch-marker removal and the idempotency record completion (timed as the floor's "API" latency);
- each consumer: receive one message, read the inquiry, claim the step, (the confirmation: count it
  against the mailbox's and the domain's daily caps), send (SES or SNS), record it sent, delete the message;
- the events path: a reader of the floor table's stream, as often as the stack's stream mapping, publishes
  each record's event as PublishEventsFunction does (``inquiries.handoff.publish.Publisher``: the event log,
  the bus with its archive, the enabled destinations' scan); the round ends when every inquiry's
  ``inquiry.received`` is published.

``tests/e2e/test_bench_floor_calls.py`` counts both sides' calls by action and table on one moto and
requires them equal per inquiry, leaving out what mappings and caches do on their own schedule (receives,
deletes, stream reads, a warm function's pepper secret).

It runs on its own tables, queues and topic, created in the same moto from the same template
definitions, so the stack's pollers never see its messages and both start from near-empty tables (moto
copies a whole table for each transaction, so table size matters). Its transactions are made one at a
time: moto's transaction copy is not thread-safe (the local stack runs one invocation at a time anyway).
What it leaves out is what the pipeline adds: HTTP, API Gateway emulation, the handlers' code and
Powertools, the event source mappings' polling (empty receives and stream reads between batches) and the
emulator's outbox (SNS's subscriptions to two local queues).
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import json
import os
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import boto3

from infra.bench.percentiles import percentile, ratio
from infra.bench.processes import cpu_seconds, descendants
from infra.local.aws_emulator import DUMMY_CREDENTIALS
from infra.local.child import LocalStackProcess
from infra.local.config import LOOPBACK
from infra.template import TemplateResources

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

REGION = "us-east-1"
FLOOR_PREFIX = "BenchFloor"
FLOOR_QUEUES = (f"{FLOOR_PREFIX}ConfirmationQueue", f"{FLOOR_PREFIX}CareTeamQueue")
FLOOR_TOPIC = f"{FLOOR_PREFIX}Topic"
FLOOR_TABLES = ("InquiriesTable", "IdempotencyTable", "RateLimitTable", "InquiryLookupTable", "InquiryStatsTable",
                "InquiryEventLogTable", "WebhookDestinationsTable")
FLOOR_BUS = f"{FLOOR_PREFIX}EventBus"
FLOOR_WEBHOOK_QUEUE = f"{FLOOR_PREFIX}WebhookDeliveryQueue"
# How often the floor reads its table's stream: as often as the stack's stream mapping (StreamPoller).
STREAM_POLL_SECONDS = 0.5
PIPELINE = "pipeline (HTTP, handlers, pollers)"
THROUGHPUT_GOAL = 0.9  # pipeline inquiries/s at least this multiple of the floor's (issue 23)
FLOOR = "floor (the same AWS calls, boto3)"


@dataclass(frozen=True)
class Throughput:
    """How fast ``inquiries`` went all the way through, and the API latency (ms) on the way."""

    name: str
    inquiries: int
    seconds: float
    api_p50_ms: float
    api_p99_ms: float

    @property
    def per_second(self) -> float:
        """Inquiries stored, confirmed and notified per second."""
        return round(self.inquiries / self.seconds, 2) if self.seconds else 0.0


@dataclass(frozen=True)
class EndToEnd:
    """The pipeline against its floor, same run, same moto, same concurrency."""

    clients: int
    pipeline: Throughput
    floor: Throughput
    # p50 (ms) of the AWS calls each function makes for one inquiry, as the floor measured them.
    floor_step_ms: dict[str, float]
    # CPU ms per inquiry, each side over its rounds, by process: the stack's own (moto, the API emulator, the
    # pollers), its handler workers together, and this benchmark's (the HTTP clients, or the floor's boto3).
    # What each side needs of the machine, however busy it was: a quiet two-core machine's inquiries/s is
    # about 1000 / the largest single process's figure (one process uses one core at most).
    cpu_ms_per_inquiry: dict[str, dict[str, float]] = field(default_factory=dict)

    @property
    def throughput_ratio(self) -> float:
        """Pipeline inquiries/s as a multiple of the floor's (goal: at least 0.9, ``THROUGHPUT_GOAL``)."""
        return ratio(self.pipeline.per_second, self.floor.per_second)


def _inquiry(n: int) -> dict[str, Any]:
    return {
        # Spread over many domains as real traffic is (one domain gets ConfirmationsPerDomainPerDay a day).
        "name": f"Bench Person {n}", "email": f"bench.{uuid.uuid4().hex[:12]}@inbox{n % 1000}.example.com",
        "phone": "+1 415 555 0100", "topic": "anxiety", "consent_to_contact": True,
        "message": "I would like to learn about ketamine-assisted therapy and what the first visit involves.",
    }


@dataclass(frozen=True)
class Posted:
    """One accepted submission: its id, the POST's round trip (ms) and the address it gave."""

    inquiry_id: str
    ms: float
    email: str


def post_inquiry(port: int, n: int) -> Posted:
    """POST inquiry ``n`` from its own loopback address; raises unless it is accepted (202)."""
    source = f"127.0.{1 + n // 250}.{1 + n % 250}"
    inquiry = _inquiry(n)
    body = json.dumps(inquiry).encode()
    conn = http.client.HTTPConnection(LOOPBACK, port, timeout=30, source_address=(source, 0))
    try:
        started = time.perf_counter()
        conn.request("POST", "/inquiries", body=body, headers={
            "Content-Type": "application/json", "Accept": "application/json", "Idempotency-Key": uuid.uuid4().hex})
        response = conn.getresponse()
        data = response.read()
        elapsed = (time.perf_counter() - started) * 1000
    finally:
        conn.close()
    if response.status != 202:
        raise RuntimeError(f"POST /inquiries answered {response.status}")
    return Posted(str(json.loads(data)["inquiry_id"]), elapsed, str(inquiry["email"]))


def _post(port: int, n: int) -> tuple[str, float]:
    posted = post_inquiry(port, n)
    return posted.inquiry_id, posted.ms


def _session() -> boto3.Session:
    return boto3.Session(region_name=REGION, aws_access_key_id=DUMMY_CREDENTIALS["AWS_ACCESS_KEY_ID"],
                         aws_secret_access_key=DUMMY_CREDENTIALS["AWS_SECRET_ACCESS_KEY"])


def _undelivered(dynamodb: DynamoDBClient, table: str, ids: list[str]) -> list[str]:
    left = []
    for start in range(0, len(ids), 100):
        keys = [{"inquiry_id": {"S": i}} for i in ids[start:start + 100]]
        resp = dynamodb.batch_get_item(RequestItems={table: {
            "Keys": keys, "ConsistentRead": True,
            "ProjectionExpression": "inquiry_id, confirmation_sent_at, care_team_notified_at"}})
        done = {item["inquiry_id"]["S"] for item in resp["Responses"].get(table, [])
                if "confirmation_sent_at" in item and "care_team_notified_at" in item}
        left += [i for i in ids[start:start + 100] if i not in done]
    return left


def _received(dynamodb: DynamoDBClient, event_log: str) -> set[str]:
    """The inquiries with an ``inquiry.received`` event in the event log (one paged Scan)."""
    found: set[str] = set()
    kwargs: dict[str, Any] = {"TableName": event_log, "ProjectionExpression": "inquiry_id",
                              "FilterExpression": "#t = :received", "ExpressionAttributeNames": {"#t": "type"},
                              "ExpressionAttributeValues": {":received": {"S": "inquiry.received"}}}
    while True:
        page = dynamodb.scan(**kwargs)
        found.update(item["inquiry_id"]["S"] for item in page.get("Items", []))
        if "LastEvaluatedKey" not in page:
            return found
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def undone(dynamodb: DynamoDBClient, ids: list[str], table: str = "InquiriesTable",
           event_log: str = "InquiryEventLogTable") -> list[str]:
    """The inquiries not yet all the way through: not confirmed or not notified, or (once every one is) without
    their ``inquiry.received`` event in the event log (the events path runs beside the deliveries)."""
    left = _undelivered(dynamodb, table, ids)
    if left:
        return left
    received = _received(dynamodb, event_log)
    return [i for i in ids if i not in received]


def run_pipeline(stack: LocalStackProcess, inquiries: int, clients: int, deadline: float,
                 start: int = 0) -> tuple[Throughput, list[float]]:
    """Submit inquiries ``start`` to ``start + inquiries`` over HTTP with ``clients`` threads; stop the clock
    when every one is delivered. Also returns each submission's API latency (ms)."""
    dynamodb = _session().client("dynamodb", endpoint_url=stack.aws_url)
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        answers = list(pool.map(lambda n: _post(stack.api_port, n), range(start, start + inquiries)))
    ids = [inquiry_id for inquiry_id, _ms in answers]
    left = ids  # read back only what is not delivered yet: the watching must not load the emulator it measures
    while (left := undone(dynamodb, left)):
        if time.monotonic() > deadline:
            raise TimeoutError(f"{len(left)} of {len(ids)} inquiries not delivered in time")
        # Each read back costs the emulator (the pipeline's own process; the floor has no watcher) ~10 ms, more
        # when the machine is busy: once a second while many are left, often near the end, where it sets when
        # the clock stops.
        time.sleep(1.0 if len(left) > clients else 0.05)
    seconds = time.perf_counter() - started
    latencies = [ms for _id, ms in answers]
    return Throughput(PIPELINE, inquiries, seconds, percentile(latencies, 50), percentile(latencies, 99)), latencies


class Floor:
    """The handlers' AWS calls for one inquiry, made directly with boto3 (see the module docstring)."""

    def __init__(self, aws_url: str, resources: TemplateResources) -> None:
        session = _session()
        self.ddb = session.client("dynamodb", endpoint_url=aws_url)
        self.streams = session.client("dynamodbstreams", endpoint_url=aws_url)
        self.events = session.client("events", endpoint_url=aws_url)
        self.sqs = session.client("sqs", endpoint_url=aws_url)
        self.sns = session.client("sns", endpoint_url=aws_url)
        self.ses = session.client("sesv2", endpoint_url=aws_url)
        self.sender = resources.function_environment("SendConfirmationFunction")["SENDER_EMAIL"]
        self.tables = {lid: FLOOR_PREFIX + lid for lid in FLOOR_TABLES}
        for lid, name in self.tables.items():
            self.ddb.create_table(**{**resources.table_definition(lid), "TableName": name})
        self.transaction_lock = threading.Lock()
        self.queues = []
        for name in FLOOR_QUEUES:
            attributes: Any = resources.queue_attributes("ConfirmationQueue")
            attributes = {k: v for k, v in attributes.items() if k != "RedrivePolicy"}
            self.queues.append(self.sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"])
        self.topic = self.sns.create_topic(Name=FLOOR_TOPIC)["TopicArn"]
        # The events path: a bus with an archive as the template's InquiryEventBus has, the webhook queue, and
        # a reader of the floor table's stream (as PublishEventsFunction's mapping reads InquiriesTable's).
        bus_arn = self.events.create_event_bus(Name=FLOOR_BUS)["EventBusArn"]
        archive = resources.properties("InquiryEventArchive")
        self.events.create_archive(ArchiveName=f"{FLOOR_PREFIX}EventArchive", EventSourceArn=bus_arn,
                                   RetentionDays=int(archive.get("RetentionDays", 0)))
        webhook_queue = self.sqs.create_queue(QueueName=FLOOR_WEBHOOK_QUEUE)["QueueUrl"]
        self.time_zone = str(resources.parameter_defaults().get("ClinicTimeZone") or "UTC")
        self.stream_arn = self.ddb.describe_table(TableName=self.tables["InquiriesTable"])["Table"]["LatestStreamArn"]
        shard = self.streams.describe_stream(StreamArn=self.stream_arn)["StreamDescription"]["Shards"][0]["ShardId"]
        self.iterator: str | None = self.streams.get_shard_iterator(
            StreamArn=self.stream_arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        from inquiries.data.webhooks import Destinations, EventLog
        from inquiries.handoff.publish import Publisher

        self.publisher = Publisher(events=self.events, bus_name=FLOOR_BUS,
                                   log=EventLog(self.ddb, self.tables["InquiryEventLogTable"]), keep_days=35,
                                   destinations=Destinations(self.ddb, self.tables["WebhookDestinationsTable"]),
                                   sqs=self.sqs, delivery_queue_url=webhook_queue)

    def one_inquiry(self, n: int) -> tuple[float, float, float]:
        """Every call for one inquiry; returns the intake, confirmation and care-team parts' durations in ms."""
        from inquiries.data.items import InquiryItem, SubmissionGuardItem, plain_values
        from inquiries.data.lookups import lookup_puts
        from inquiries.data.stats import StatsRecords
        from inquiries.ids import new_inquiry_id
        from inquiries.models import InquiryIn
        from inquiries.peppers import Peppers
        from inquiries.reports.contributions import contributions
        from inquiries.settings import ResponseTimeSettings
        from inquiries.triage import NOT_URGENT

        started = time.perf_counter()
        now = time.time()
        inquiry = InquiryIn.model_validate(_inquiry(n))
        for scope in ("client",):  # intake counts the client's address per hour (intake.rate_limit)
            counter = f"{scope}#{uuid.uuid4().hex}#{int(now) // 3600}"
            self.ddb.update_item(
                TableName=self.tables["RateLimitTable"], Key={"id": {"S": counter}},
                UpdateExpression="ADD hits :one SET expires_at = :expires",
                ConditionExpression="attribute_not_exists(hits) OR hits < :limit",
                ExpressionAttributeValues={":one": {"N": "1"}, ":limit": {"N": "20"},
                                           ":expires": {"N": str(int(now) + 3660)}})
        key = hashlib.sha256(uuid.uuid4().bytes).hexdigest()
        self.ddb.put_item(
            TableName=self.tables["IdempotencyTable"],
            Item={"id": {"S": f"IntakeFunction#{key}"}, "expiration": {"N": str(int(now) + 86400)},
                  "status": {"S": "INPROGRESS"}, "in_progress_expiration": {"N": str(int(now * 1000) + 20000)},
                  "validation": {"S": key}},
            ConditionExpression="attribute_not_exists(#id) OR #expiry < :now",
            ExpressionAttributeNames={"#id": "id", "#expiry": "expiration"},
            ExpressionAttributeValues={":now": {"N": str(int(now))}})
        inquiry_id = new_inquiry_id(int(now * 1000))
        item = InquiryItem.for_submission(inquiry, inquiry_id=inquiry_id, now=now, triage=NOT_URGENT, spam=False,
                                          retention_days=365, targets=ResponseTimeSettings(),
                                          peppers=Peppers(current=b"bench pepper, at least 16 bytes"))
        guard = SubmissionGuardItem(guard_id=key, inquiry_id=inquiry_id, expiration=int(now) + 86400)
        stored = item.to_item()
        stored["stats_counted"] = {"BOOL": True}  # and its weekly counters, in the same transaction
        counted = StatsRecords(self.tables["InquiryStatsTable"]).updates(
            contributions(plain_values(stored), self.time_zone))
        with self.transaction_lock:
            self.ddb.transact_write_items(TransactItems=[
                {"Put": {"TableName": self.tables["IdempotencyTable"], "Item": guard.to_item(),
                         "ConditionExpression": "attribute_not_exists(id) OR expiration < :now",
                         "ExpressionAttributeValues": {":now": {"N": str(int(now))}}}},
                {"Put": {"TableName": self.tables["InquiriesTable"], "Item": stored,
                         "ConditionExpression": "attribute_not_exists(inquiry_id)"}},
                *lookup_puts(self.tables["InquiryLookupTable"], inquiry_id, item.lookup_keys or [], item.ttl),
                *counted,
            ])
        body = json.dumps({"inquiry_id": inquiry_id}, separators=(",", ":"))
        for url in self.queues:
            self.sqs.send_message(QueueUrl=url, MessageBody=body)
        self.ddb.update_item(
            TableName=self.tables["InquiriesTable"], Key={"inquiry_id": {"S": inquiry_id}},
            UpdateExpression="REMOVE dispatch_state, dispatch_pending_since",
            ConditionExpression="dispatch_pending_since = :since",
            ExpressionAttributeValues={":since": {"S": str(item.dispatch_pending_since)}})
        self.ddb.update_item(
            TableName=self.tables["IdempotencyTable"], Key={"id": {"S": f"IntakeFunction#{key}"}},
            UpdateExpression="SET #response_data = :response_data, #expiry = :expiry, #status = :status",
            ExpressionAttributeNames={"#response_data": "data", "#expiry": "expiration", "#status": "status"},
            ExpressionAttributeValues={":response_data": {"S": json.dumps({"inquiry_id": inquiry_id})},
                                       ":expiry": {"N": str(int(now) + 86400)}, ":status": {"S": "COMPLETED"}})
        intake_ms = (time.perf_counter() - started) * 1000
        confirmation_ms = self._consume(self.queues[0], "confirmation_sent_at", self._send_email)
        care_team_ms = self._consume(self.queues[1], "care_team_notified_at", self._publish)
        return intake_ms, confirmation_ms, care_team_ms

    def _send_email(self, values: dict[str, Any]) -> None:
        # The daily caps first: the mailbox's and the domain's count-once counters (delivery.address_cap).
        day = int(time.time()) // 86400 * 86400
        for scope in ("confirm_email", "confirm_domain"):
            self.ddb.update_item(
                TableName=self.tables["RateLimitTable"], Key={"id": {"S": f"{scope}#{uuid.uuid4().hex}#{day}"}},
                UpdateExpression="ADD members :member SET expires_at = :expires",
                ConditionExpression="attribute_not_exists(members) OR size(members) < :limit OR contains(members, :id)",
                ExpressionAttributeValues={":member": {"SS": [values["inquiry_id"]["S"]]},
                                           ":id": {"S": values["inquiry_id"]["S"]}, ":limit": {"N": "50"},
                                           ":expires": {"N": str(day + 86400 + 60)}})
        text = "Thank you for reaching out. " * 20
        self.ses.send_email(FromEmailAddress=self.sender, Destination={"ToAddresses": [values["email"]["S"]]},
                            Content={"Simple": {"Subject": {"Data": "We received your inquiry"},
                                                "Body": {"Text": {"Data": text}, "Html": {"Data": f"<p>{text}</p>"}}}})

    def _publish(self, values: dict[str, Any]) -> None:
        self.sns.publish(TopicArn=self.topic, Subject="New inquiry", Message="New inquiry\nPriority: normal",
                         MessageAttributes={"priority": {"DataType": "String", "StringValue": "normal"}})

    def _consume(self, queue_url: str, sent_attribute: str, send: Callable[[dict[str, Any]], None]) -> float:
        """One consumer step; returns the duration (ms) of the calls the function itself makes."""
        while True:
            messages = self.sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=1,
                                                WaitTimeSeconds=1).get("Messages", [])
            if messages:
                break
        message = messages[0]
        started = time.perf_counter()
        inquiry_id = json.loads(message["Body"])["inquiry_id"]
        key = {"inquiry_id": {"S": inquiry_id}}
        table = self.tables["InquiriesTable"]
        values = self.ddb.get_item(TableName=table, Key=key, ConsistentRead=True)["Item"]
        self.ddb.update_item(
            TableName=table, Key=key, UpdateExpression="SET #token = :token, #expires = :expires",
            ConditionExpression="attribute_exists(inquiry_id) AND attribute_not_exists(#sent)",
            ExpressionAttributeNames={"#token": f"{sent_attribute}_token", "#expires": f"{sent_attribute}_lease",
                                      "#sent": sent_attribute},
            ExpressionAttributeValues={":token": {"S": uuid.uuid4().hex}, ":expires": {"N": "0"}})
        send(values)
        self.ddb.update_item(
            TableName=table, Key=key, UpdateExpression="SET #sent = :now REMOVE #token, #expires",
            ExpressionAttributeNames={"#sent": sent_attribute, "#token": f"{sent_attribute}_token",
                                      "#expires": f"{sent_attribute}_lease"},
            ExpressionAttributeValues={":now": {"S": "2026-01-01T00:00:00Z"}})
        elapsed = (time.perf_counter() - started) * 1000
        # Lambda's event source mapping deletes the message, outside the function's billed time.
        self.sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
        return elapsed


    def publish_new_events(self) -> int:
        """One read of the floor table's stream, each new record's event kept and sent as PublishEventsFunction
        does (event log, bus, a delivery message per enabled destination); how many ``inquiry.received``."""
        from inquiries.handoff.events import EventType, event_from_stream_record

        from infra.local.event_sources import dynamodb_stream_event

        if self.iterator is None:
            return 0
        page = self.streams.get_records(ShardIterator=self.iterator, Limit=100)
        self.iterator = page.get("NextShardIterator")
        received = 0
        for record in dynamodb_stream_event(list(page.get("Records", [])), self.stream_arn, REGION)["Records"]:
            event = event_from_stream_record(record)
            if event is not None:
                self.publisher.publish(event)
                received += event.type is EventType.RECEIVED
        return received


def run_floor(floor: Floor, inquiries: int, clients: int, start: int = 0,
              max_seconds: float = 300.0) -> tuple[Throughput, list[tuple[float, float, float]]]:
    """The floor's calls for inquiries ``start`` to ``start + inquiries`` with ``clients`` threads; and each
    inquiry's step timings (ms: intake, confirmation, notification)."""
    lock = threading.Lock()
    steps: list[tuple[float, float, float]] = []

    def one(n: int) -> None:
        timings = floor.one_inquiry(n)
        with lock:
            steps.append(timings)

    published = 0
    deadline = time.monotonic() + max_seconds

    def publish() -> None:  # beside the clients, as the stack's stream mapping runs beside its handlers
        nonlocal published
        while time.monotonic() < deadline:
            published += floor.publish_new_events()
            if published >= inquiries:
                return
            time.sleep(STREAM_POLL_SECONDS)

    started = time.perf_counter()
    publisher = threading.Thread(target=publish, name="floor-events", daemon=True)
    publisher.start()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        list(pool.map(one, range(start, start + inquiries)))
    publisher.join()
    if published < inquiries:
        raise TimeoutError(f"{inquiries - published} of {inquiries} floor events not published in time")
    seconds = time.perf_counter() - started
    latencies = [intake for intake, _c, _n in steps]
    return Throughput(FLOOR, inquiries, seconds, percentile(latencies, 50), percentile(latencies, 99)), steps


def measure(inquiries: int, clients: int, max_seconds: float = 300.0,
            resources: TemplateResources | None = None, rounds: int = 4) -> EndToEnd:
    """Start the local stack; run the pipeline and the floor on the same moto in alternating rounds (so both
    meet the same tables, as full, and the same moments of the shared machine); stop the stack."""
    resources = resources or TemplateResources()
    log = Path(tempfile.gettempdir()) / "inquiry-intake-bench-stack.log"
    per_round = max(1, inquiries // rounds)
    pipeline_rounds: list[tuple[Throughput, list[float]]] = []
    floor_rounds: list[tuple[Throughput, list[tuple[float, float, float]]]] = []
    # Handlers log warnings only: the stack's console is not what is measured.
    with LocalStackProcess(log_path=log, extra_env={"LOCAL_HANDLER_LOG_LEVEL": "WARNING"}) as stack:
        floor_calls = Floor(stack.aws_url, resources)
        warm_up = min(inquiries, clients)
        run_pipeline(stack, warm_up, clients, time.monotonic() + 60)  # warm-up: cold starts
        run_floor(floor_calls, warm_up, clients)  # warm-up, as the pipeline's
        assert stack.process is not None
        cpu = {"pipeline": _CpuMeter(stack.process.pid), "floor": _CpuMeter(stack.process.pid)}
        for round_number in range(rounds):
            start = warm_up + round_number * per_round
            with cpu["pipeline"]:
                pipeline_rounds.append(run_pipeline(stack, per_round, clients, time.monotonic() + max_seconds,
                                                    start))
            with cpu["floor"]:
                floor_rounds.append(run_floor(floor_calls, per_round, clients, start))
    steps = [timings for _throughput, found in floor_rounds for timings in found]
    step_ms = {name: round(percentile([s[i] for s in steps], 50), 2)
               for i, name in enumerate(("IntakeFunction", "SendConfirmationFunction", "NotifyCareTeamFunction"))}
    pipeline = _together(PIPELINE, [(t, found) for t, found in pipeline_rounds])
    floor = _together(FLOOR, [(t, [intake for intake, _c, _n in found]) for t, found in floor_rounds])
    return EndToEnd(clients=clients, pipeline=pipeline, floor=floor, floor_step_ms=step_ms,
                    cpu_ms_per_inquiry={side: meter.per_inquiry(per_round * rounds) for side, meter in cpu.items()})


class _CpuMeter:
    """CPU seconds used while inside ``with``, summed over uses: the stack's process, its handler workers, and
    this process."""

    def __init__(self, stack_pid: int) -> None:
        self.stack_pid = stack_pid
        self.used = {"stack": 0.0, "handler workers": 0.0, "benchmark clients": 0.0}
        self._before: dict[str, float] = {}

    def _now(self) -> dict[str, float]:
        return {"stack": cpu_seconds(self.stack_pid),
                "handler workers": sum(cpu_seconds(p) for p in descendants(self.stack_pid)),
                "benchmark clients": cpu_seconds(os.getpid())}

    def __enter__(self) -> None:
        self._before = self._now()

    def __exit__(self, *_exc: object) -> None:
        for key, value in self._now().items():
            self.used[key] += max(0.0, value - self._before[key])

    def per_inquiry(self, inquiries: int) -> dict[str, float]:
        """Milliseconds per inquiry, by process."""
        return {key: round(used * 1000 / max(1, inquiries), 1) for key, used in self.used.items()}


def _together(name: str, rounds: list[tuple[Throughput, list[float]]]) -> Throughput:
    """The rounds of one side as one: every inquiry over all their seconds, latencies pooled."""
    latencies = [ms for _throughput, found in rounds for ms in found]
    return Throughput(name, sum(t.inquiries for t, _ in rounds), sum(t.seconds for t, _ in rounds),
                      percentile(latencies, 50), percentile(latencies, 99))


def main(argv: list[str] | None = None) -> int:
    """This section alone (``python -m infra.bench.end_to_end``): the pipeline against its floor, as JSON."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--inquiries", type=int, default=200)
    parser.add_argument("--clients", type=int, default=8)
    args = parser.parse_args(argv)
    result = measure(args.inquiries, args.clients)
    sys.stdout.write(json.dumps({**asdict(result), "throughput_ratio": result.throughput_ratio}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
