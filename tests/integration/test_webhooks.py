"""Issue 22 items 1-3 against moto: InquiriesTable's real stream -> PublishEventsFunction -> event log, bus and
delivery queue -> DeliverWebhookFunction -> a receiver on 127.0.0.1 (the local-only setting on), verified with
``standardwebhooks``; retries on the schedule, 410, the DLQ, replay, rotation and the ops command.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from inquiries import aws
from inquiries.data.webhooks import Destinations, EventLog
from inquiries.handoff.delivery import MAX_ATTEMPTS, SCHEDULE
from inquiries.handoff.events import InquiryEvent
from standardwebhooks.webhooks import Webhook

from infra import webhooks
from infra.local.event_sources import dynamodb_stream_event
from tests.support import streams
from tests.support.consumers import put_inquiry
from tests.support.lambda_context import FakeLambdaContext
from tests.support.loopback_server import WebhookReceiver, running
from tests.support.phi import submitted_by_this_test
from tests.support.stack import Stack

Receiver = WebhookReceiver  # answers each POST with the next of its statuses; keeps what it got


@pytest.fixture
def hooks(stack: Stack) -> webhooks.Webhooks:
    stack.configure(WEBHOOK_ALLOW_LOOPBACK_HTTP="1")
    session = boto3.Session(region_name=stack.region)
    return webhooks.Webhooks(session, webhooks.WebhookResources.from_environ(session))


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with running(Receiver()) as server:
        yield server


def stream_records(stack: Stack) -> list[dict[str, Any]]:
    return streams.stream_records(stack, "InquiriesTable")


def publish(stack: Stack, records: list[dict[str, Any]]) -> dict[str, Any]:
    event = dynamodb_stream_event(records, stack.resources.names.attrs[("InquiriesTable", "StreamArn")], stack.region)
    result: dict[str, Any] = stack.handler("publish_events")(event, FakeLambdaContext("PublishEventsFunction"))
    return result


def receive(stack: Stack, queue: str = "WebhookDeliveryQueue") -> list[dict[str, Any]]:
    """One receive (each counts as an attempt), left visible for the next."""
    sqs = boto3.client("sqs", region_name=stack.region)
    got = sqs.receive_message(QueueUrl=stack.url(queue), MaxNumberOfMessages=10, VisibilityTimeout=0,
                              MessageSystemAttributeNames=["All"]).get("Messages", [])
    return [dict(m) for m in got]


def deliver(stack: Stack, messages: list[dict[str, Any]]) -> dict[str, Any]:
    event = {"Records": [{"messageId": m["MessageId"], "receiptHandle": m["ReceiptHandle"], "body": m["Body"],
                          "attributes": m.get("Attributes", {}), "messageAttributes": {}, "md5OfBody": m["MD5OfBody"],
                          "eventSource": "aws:sqs", "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:q",
                          "awsRegion": "us-east-1"} for m in messages]}
    result: dict[str, Any] = stack.handler("deliver_webhook")(event, FakeLambdaContext("DeliverWebhookFunction"))
    return result


def add(hooks: webhooks.Webhooks, destination: str, url: str) -> str:
    secret: str = hooks.add(destination, url, allow_loopback_http=True)["secret"]
    return secret


def one_event_queued(stack: Stack, hooks: webhooks.Webhooks, receiver: Receiver) -> tuple[str, str]:
    secret = add(hooks, "crm", receiver.url)
    inquiry_id = put_inquiry(topic="ptsd")
    assert publish(stack, stream_records(stack)) == {"batchItemFailures": []}
    return secret, inquiry_id


def test_a_stored_inquiry_is_kept_put_on_the_bus_and_queued_once_per_enabled_destination(
        stack: Stack, hooks: webhooks.Webhooks, receiver: Receiver) -> None:
    events = boto3.client("events", region_name=stack.region)
    sqs = boto3.client("sqs", region_name=stack.region)
    clinic_queue = sqs.create_queue(QueueName="clinic-own-target")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=clinic_queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    events.put_rule(Name="clinic-rule", EventBusName="InquiryEventBus",
                    EventPattern=json.dumps({"source": ["inquiry-intake"]}))
    events.put_targets(Rule="clinic-rule", EventBusName="InquiryEventBus", Targets=[{"Id": "q", "Arn": arn}])
    add(hooks, "crm", receiver.url)
    add(hooks, "ehr", receiver.url)
    hooks.set_enabled("ehr", False)
    inquiry_id = put_inquiry(topic="ptsd")

    assert publish(stack, stream_records(stack)) == {"batchItemFailures": []}

    queued = receive(stack)
    assert [json.loads(m["Body"])["destination_id"] for m in queued] == ["crm"]
    event = InquiryEvent.from_body(json.loads(queued[0]["Body"])["event"])
    assert (event.type.value, event.data["inquiry_id"], event.data["topic"]) == ("inquiry.received", inquiry_id, "ptsd")
    on_bus = sqs.receive_message(QueueUrl=clinic_queue, MaxNumberOfMessages=10).get("Messages", [])
    assert len(on_bus) == 1
    bus_event = json.loads(on_bus[0]["Body"])
    assert bus_event["detail-type"] == "inquiry.received"
    assert bus_event["detail"]["id"] == event.event_id
    logged = list(EventLog(aws.dynamodb(), "InquiryEventLogTable").since(datetime.now(UTC) - timedelta(hours=1)))
    assert logged == [event]
    everything = json.dumps([m["Body"] for m in queued]) + json.dumps(bus_event) + json.dumps(
        stack.items("InquiryEventLogTable"), default=str)
    assert submitted_by_this_test().leaks(everything) == []


def test_a_retried_stream_batch_sends_the_same_event_id_again(
        stack: Stack, hooks: webhooks.Webhooks, receiver: Receiver) -> None:
    add(hooks, "crm", receiver.url)
    put_inquiry()
    records = stream_records(stack)
    publish(stack, records)
    publish(stack, records)
    ids = {InquiryEvent.from_body(json.loads(m["Body"])["event"]).event_id for m in receive(stack)}
    assert len(ids) == 1
    assert len(stack.items("InquiryEventLogTable")) == 1


def test_a_record_whose_event_is_not_taken_is_retried(
        stack: Stack, hooks: webhooks.Webhooks, receiver: Receiver, monkeypatch: pytest.MonkeyPatch) -> None:
    add(hooks, "crm", receiver.url)
    put_inquiry()
    records = stream_records(stack)
    monkeypatch.setattr(aws.events(), "put_events", lambda **_: {"FailedEntryCount": 1, "Entries": [{}]})
    result = publish(stack, records)
    assert [f["itemIdentifier"] for f in result["batchItemFailures"]] == [str(records[0]["dynamodb"]["SequenceNumber"])]
    assert receive(stack) == []


def test_a_delivery_is_signed_and_verifies(stack: Stack, hooks: webhooks.Webhooks, receiver: Receiver,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    secret, inquiry_id = one_event_queued(stack, hooks, receiver)
    capsys.readouterr()
    assert deliver(stack, receive(stack)) == {"batchItemFailures": []}
    metrics = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith('{"_aws"')]
    [delivered] = [m for m in metrics if "WebhookDelivered" in m]
    assert delivered["destination"] == "crm"  # per destination, by its id
    assert "127.0.0.1" not in json.dumps(metrics)  # never its URL
    [(_path, headers, body)] = receiver.received
    payload = Webhook(secret).verify(body, headers)
    assert payload["data"]["inquiry_id"] == inquiry_id
    assert headers["webhook-id"] == payload["id"]
    assert submitted_by_this_test().leaks(body.decode()) == []


@pytest.mark.parametrize(("status", "attempt"), [(500, 1), (503, 4), (500, 7), (500, MAX_ATTEMPTS), (429, 2),
                                                (302, 3), (301, 1)])
def test_a_failed_attempt_waits_the_schedules_next_delay(
        stack: Stack, hooks: webhooks.Webhooks, receiver: Receiver, monkeypatch: pytest.MonkeyPatch,
        status: int, attempt: int) -> None:
    receiver.statuses = [status]
    one_event_queued(stack, hooks, receiver)
    waits: list[int] = []
    monkeypatch.setattr(aws.sqs(), "change_message_visibility", lambda **kw: waits.append(kw["VisibilityTimeout"]))
    [message] = receive(stack)
    message["Attributes"]["ApproximateReceiveCount"] = str(attempt)
    result = deliver(stack, [message])
    assert result == {"batchItemFailures": [{"itemIdentifier": message["MessageId"]}]}
    assert waits == [SCHEDULE[attempt] if attempt < MAX_ATTEMPTS else 0]
    assert [path for path, _h, _b in receiver.received] == ["/hooks"]  # a redirect is never followed


def test_the_schedule_is_standard_webhooks_and_the_queue_gives_up_after_it() -> None:
    assert SCHEDULE == (0, 5, 300, 1800, 7200, 18000, 36000, 36000)
    from infra.template import TemplateResources

    resources = TemplateResources()
    queue = resources.properties("WebhookDeliveryQueue")
    assert queue["RedrivePolicy"]["maxReceiveCount"] == MAX_ATTEMPTS
    assert int(queue["MessageRetentionPeriod"]) > sum(SCHEDULE) + 2 * 86400
    assert all(d < 12 * 3600 for d in SCHEDULE)  # ChangeMessageVisibility's limit


def test_eight_failed_attempts_end_in_the_dlq(
        stack: Stack, hooks: webhooks.Webhooks, receiver: Receiver, monkeypatch: pytest.MonkeyPatch) -> None:
    receiver.statuses = [503]
    one_event_queued(stack, hooks, receiver)
    monkeypatch.setattr(aws.sqs(), "change_message_visibility", lambda **_: None)  # no waiting in a test
    for attempt in range(1, MAX_ATTEMPTS + 1):
        [message] = receive(stack)
        assert message["Attributes"]["ApproximateReceiveCount"] == str(attempt)
        assert deliver(stack, [message])["batchItemFailures"]
    assert receive(stack) == []
    assert len(receive(stack, "WebhookDeliveryDLQ")) == 1
    assert len(receiver.received) == MAX_ATTEMPTS


def test_410_disables_the_destination_and_nothing_more_is_sent_to_it(
        stack: Stack, hooks: webhooks.Webhooks, receiver: Receiver) -> None:
    receiver.statuses = [410]
    one_event_queued(stack, hooks, receiver)
    messages = receive(stack)
    assert deliver(stack, messages) == {"batchItemFailures": []}
    destination = Destinations(aws.dynamodb(), "WebhookDestinationsTable").get("crm")
    assert destination is not None and (destination.enabled, destination.disabled_reason) == (False, "gone")
    assert deliver(stack, messages) == {"batchItemFailures": []}
    assert len(receiver.received) == 1
    later = put_inquiry()
    publish(stack, stream_records(stack))
    assert [m for m in receive(stack) if later in m["Body"]] == []


def test_a_private_address_is_refused_and_never_connected(
        stack: Stack, hooks: webhooks.Webhooks, receiver: Receiver, monkeypatch: pytest.MonkeyPatch) -> None:
    add(hooks, "internal", "https://10.0.0.8/hooks")
    add(hooks, "metadata", "https://169.254.169.254/latest")
    put_inquiry()
    publish(stack, stream_records(stack))
    monkeypatch.setattr(aws.sqs(), "change_message_visibility", lambda **_: None)
    messages = receive(stack)
    assert len(messages) == 2
    assert len(deliver(stack, messages)["batchItemFailures"]) == 2


def test_without_the_local_setting_a_loopback_receiver_is_refused(
        stack: Stack, hooks: webhooks.Webhooks, receiver: Receiver, monkeypatch: pytest.MonkeyPatch) -> None:
    one_event_queued(stack, hooks, receiver)
    stack.configure(WEBHOOK_ALLOW_LOOPBACK_HTTP="")
    monkeypatch.setattr(aws.sqs(), "change_message_visibility", lambda **_: None)
    assert deliver(stack, receive(stack))["batchItemFailures"]
    assert receiver.received == []


def test_replay_sends_the_kept_events_since_a_time_with_their_ids(
        stack: Stack, hooks: webhooks.Webhooks, receiver: Receiver) -> None:
    add(hooks, "crm", receiver.url)
    put_inquiry()
    put_inquiry()
    publish(stack, stream_records(stack))
    original = sorted(json.loads(m["Body"])["event"] for m in receive(stack))
    boto3.client("sqs", region_name=stack.region).purge_queue(QueueUrl=stack.url("WebhookDeliveryQueue"))

    out = io.StringIO()
    since = (datetime.now(UTC) - timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert webhooks.main(["replay", "--destination", "crm", "--since", since], out) == 0
    assert json.loads(out.getvalue())["events"] == 2
    assert sorted(json.loads(m["Body"])["event"] for m in receive(stack)) == original

    later = (datetime.now(UTC) + timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%SZ")
    out = io.StringIO()
    assert webhooks.main(["replay", "--destination", "crm", "--since", later], out) == 0
    assert json.loads(out.getvalue())["events"] == 0
    hooks.set_enabled("crm", False)
    assert webhooks.main(["replay", "--destination", "crm", "--since", since], io.StringIO()) == 2


def test_a_rotation_signs_with_both_secrets_until_the_overlap_ends(
        stack: Stack, hooks: webhooks.Webhooks, receiver: Receiver) -> None:
    old, _inquiry = one_event_queued(stack, hooks, receiver)
    messages = receive(stack)
    deliver(stack, messages)  # a warm function: it has read (and keeps) the secret in use
    new = hooks.rotate("crm", overlap_hours=1)["secret"]
    deliver(stack, messages)
    _path, headers, body = receiver.received[-1]
    assert headers["webhook-signature"].count("v1,") == 2
    assert Webhook(old).verify(body, headers) == Webhook(new).verify(body, headers)
    hooks.destinations.start_rotation("crm", previous_valid_until=0)
    stack.configure(WEBHOOK_ALLOW_LOOPBACK_HTTP="1")
    deliver(stack, messages)
    _path, headers, body = receiver.received[-1]
    assert headers["webhook-signature"].count("v1,") == 1
    Webhook(new).verify(body, headers)


def test_the_ops_command_adds_lists_and_alarms_per_destination_without_showing_secrets(stack: Stack) -> None:
    out = io.StringIO()
    assert webhooks.main(["add", "--destination", "crm-east", "--url", "https://crm.example.com/hooks"], out) == 0
    added = json.loads(out.getvalue())
    assert added["secret"].startswith("whsec_")
    out = io.StringIO()
    assert webhooks.main(["list"], out) == 0
    listed = json.loads(out.getvalue())
    assert listed == [{"destination_id": "crm-east", "url": "https://crm.example.com/hooks", "enabled": True,
                       "disabled_reason": None, "rotation_until": None}]
    assert "whsec_" not in out.getvalue()
    [alarm] = boto3.client("cloudwatch", region_name=stack.region).describe_alarms(
        AlarmNamePrefix="inquiry-intake-dev-webhook-")["MetricAlarms"]
    assert alarm["AlarmName"] == "inquiry-intake-dev-webhook-crm-east-failing"
    assert "crm-east" in alarm["AlarmDescription"]
    assert {d["Name"]: d["Value"] for d in alarm["Dimensions"]} == {
        "service": "inquiry-intake", "stage": "dev", "destination": "crm-east"}
    assert alarm["AlarmActions"] and alarm["AlarmActions"][0].endswith(":OpsAlarmTopic")
    secret = boto3.client("secretsmanager", region_name=stack.region).describe_secret(
        SecretId="inquiry-intake/dev/webhooks/crm-east")
    assert secret["Name"] == "inquiry-intake/dev/webhooks/crm-east"


@pytest.mark.parametrize("argv", [
    ["add", "--destination", "crm", "--url", "http://crm.example.com/hooks"],
    ["add", "--destination", "crm", "--url", "http://127.0.0.1:9000/hooks"],
    ["add", "--destination", "Bad_Id", "--url", "https://crm.example.com/hooks"],
    ["disable", "--destination", "nobody"],
])
def test_the_ops_command_refuses_what_it_cannot_do(stack: Stack, argv: list[str]) -> None:
    out = io.StringIO()
    assert webhooks.main(argv, out) == 2
    assert out.getvalue() == ""
    assert stack.items("WebhookDestinationsTable") == []


def test_a_status_change_and_an_erasure_are_events_in_order(
        stack: Stack, hooks: webhooks.Webhooks, receiver: Receiver) -> None:
    add(hooks, "crm", receiver.url)
    inquiry_id = put_inquiry()
    ddb = aws.dynamodb()
    key = {"inquiry_id": {"S": inquiry_id}}
    ddb.update_item(TableName="InquiriesTable", Key=key, UpdateExpression="SET #s = :s",
                    ExpressionAttributeNames={"#s": "status"}, ExpressionAttributeValues={":s": {"S": "contacted"}})
    ddb.update_item(TableName="InquiriesTable", Key=key, UpdateExpression="SET confirmation_sent_at = :t",
                    ExpressionAttributeValues={":t": {"S": "2026-12-05T10:00:00.000Z"}})
    ddb.delete_item(TableName="InquiriesTable", Key=key)  # what an erasure does
    assert publish(stack, stream_records(stack)) == {"batchItemFailures": []}
    queued = [json.loads(json.loads(m["Body"])["event"]) for m in receive(stack)]
    assert [(e["type"], e["data"].get("status"), e["data"].get("reason")) for e in queued] == [
        ("inquiry.received", "new", None), ("inquiry.status_changed", "contacted", None),
        ("inquiry.erased", None, "request")]
    assert submitted_by_this_test().leaks(json.dumps(queued)) == []
    # The log keeps the erasure alone: a replay tells a receiver to erase, and never resends what was erased.
    logged = list(EventLog(ddb, "InquiryEventLogTable").since(datetime.now(UTC) - timedelta(hours=1)))
    assert [(e.type.value, e.data["inquiry_id"]) for e in logged] == [("inquiry.erased", inquiry_id)]


def test_an_erasure_removes_only_that_inquirys_earlier_events_from_the_log(
        stack: Stack, hooks: webhooks.Webhooks, receiver: Receiver) -> None:
    add(hooks, "crm", receiver.url)
    erased, kept = put_inquiry(), put_inquiry()
    assert publish(stack, stream_records(stack)) == {"batchItemFailures": []}
    ddb = aws.dynamodb()
    ddb.delete_item(TableName="InquiriesTable", Key={"inquiry_id": {"S": erased}})
    assert publish(stack, stream_records(stack)) == {"batchItemFailures": []}
    logged = list(EventLog(ddb, "InquiryEventLogTable").since(datetime.now(UTC) - timedelta(hours=1)))
    assert sorted((e.type.value, e.data["inquiry_id"]) for e in logged) == sorted([
        ("inquiry.received", kept), ("inquiry.erased", erased)])
