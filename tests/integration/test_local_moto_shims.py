"""The local stack's moto shims keep what moto promises while dropping its whole-table and quadratic paths.

Each test runs moto in this process (``mock_aws``) through boto3, as the handlers use it, with the shims
installed for the test only (``infra.local.moto_shims.install``/``uninstall``).
"""

from __future__ import annotations

import base64
import gc
import json
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from moto import mock_aws
from moto.dynamodb.models import dynamodb_backends
from moto.sqs.models import Message, SQSBackend, sqs_backends

from infra.local import moto_shims

REGION = "us-east-1"
ACCOUNT = "123456789012"


@pytest.fixture
def shimmed() -> Iterator[None]:
    with mock_aws():
        moto_shims.install()
        try:
            yield
        finally:
            moto_shims.uninstall()


def _table(dynamodb: Any, name: str, *, range_key: bool = False) -> None:
    schema = [{"AttributeName": "pk", "KeyType": "HASH"}]
    attrs = [{"AttributeName": "pk", "AttributeType": "S"}]
    if range_key:
        schema.append({"AttributeName": "sk", "KeyType": "RANGE"})
        attrs.append({"AttributeName": "sk", "AttributeType": "S"})
    dynamodb.create_table(TableName=name, KeySchema=schema, AttributeDefinitions=attrs,
                          BillingMode="PAY_PER_REQUEST",
                          StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"})


def _stream_length(name: str) -> int:
    shard = dynamodb_backends[ACCOUNT][REGION].tables[name].stream_shard
    assert shard is not None
    return len(shard.items)


def test_a_failed_transaction_rolls_back_every_item_it_touched_in_every_table(shimmed: None) -> None:
    dynamodb = boto3.client("dynamodb", region_name=REGION)
    _table(dynamodb, "One")
    _table(dynamodb, "Two", range_key=True)
    dynamodb.put_item(TableName="One", Item={"pk": {"S": "kept"}, "v": {"N": "1"}})
    dynamodb.put_item(TableName="One", Item={"pk": {"S": "deleted"}, "v": {"N": "1"}})
    dynamodb.put_item(TableName="Two", Item={"pk": {"S": "a"}, "sk": {"S": "1"}, "v": {"N": "1"}})
    tables_before = dict(dynamodb_backends[ACCOUNT][REGION].tables)
    streams_before = (_stream_length("One"), _stream_length("Two"))

    with pytest.raises(ClientError) as caught:
        dynamodb.transact_write_items(TransactItems=[
            {"Update": {"TableName": "One", "Key": {"pk": {"S": "kept"}}, "UpdateExpression": "SET v = :two",
                        "ExpressionAttributeValues": {":two": {"N": "2"}}}},
            {"Delete": {"TableName": "One", "Key": {"pk": {"S": "deleted"}}}},
            {"Put": {"TableName": "Two", "Item": {"pk": {"S": "a"}, "sk": {"S": "2"}, "v": {"N": "9"}}}},
            {"Update": {"TableName": "Two", "Key": {"pk": {"S": "a"}, "sk": {"S": "1"}},
                        "UpdateExpression": "SET v = :two", "ExpressionAttributeValues": {":two": {"N": "2"}}}},
            {"ConditionCheck": {"TableName": "Two", "Key": {"pk": {"S": "missing"}, "sk": {"S": "1"}},
                                "ConditionExpression": "attribute_exists(pk)"}},
        ])

    assert caught.value.response["Error"]["Code"] == "TransactionCanceledException"
    assert dynamodb.get_item(TableName="One", Key={"pk": {"S": "kept"}})["Item"]["v"] == {"N": "1"}
    assert "Item" in dynamodb.get_item(TableName="One", Key={"pk": {"S": "deleted"}})
    assert "Item" not in dynamodb.get_item(TableName="Two", Key={"pk": {"S": "a"}, "sk": {"S": "2"}})
    assert dynamodb.get_item(TableName="Two", Key={"pk": {"S": "a"}, "sk": {"S": "1"}})["Item"]["v"] == {"N": "1"}
    assert dynamodb.query(TableName="Two", KeyConditionExpression="pk = :a",
                          ExpressionAttributeValues={":a": {"S": "a"}})["Count"] == 1
    # The failed writes left no stream records behind, and no table was swapped for a copy.
    assert (_stream_length("One"), _stream_length("Two")) == streams_before
    tables_after = dynamodb_backends[ACCOUNT][REGION].tables
    assert all(tables_after[name] is table for name, table in tables_before.items())


def test_a_transaction_that_succeeds_writes_every_item_and_its_stream_records(shimmed: None) -> None:
    dynamodb = boto3.client("dynamodb", region_name=REGION)
    _table(dynamodb, "One")
    dynamodb.transact_write_items(TransactItems=[
        {"Put": {"TableName": "One", "Item": {"pk": {"S": "x"}}, "ConditionExpression": "attribute_not_exists(pk)"}},
        {"Put": {"TableName": "One", "Item": {"pk": {"S": "y"}}}},
    ])
    assert dynamodb.scan(TableName="One")["Count"] == 2
    assert _stream_length("One") == 2
    # A second try of the same guarded put is refused, and changes nothing.
    with pytest.raises(ClientError):
        dynamodb.transact_write_items(TransactItems=[
            {"Put": {"TableName": "One", "Item": {"pk": {"S": "z"}}}},
            {"Put": {"TableName": "One", "Item": {"pk": {"S": "x"}, "new": {"S": "1"}},
                     "ConditionExpression": "attribute_not_exists(pk)"}},
        ])
    assert sorted(i["pk"]["S"] for i in dynamodb.scan(TableName="One")["Items"]) == ["x", "y"]
    assert "new" not in dynamodb.get_item(TableName="One", Key={"pk": {"S": "x"}})["Item"]


def test_a_table_can_still_be_copied_outside_a_transaction(shimmed: None) -> None:
    import copy

    dynamodb = boto3.client("dynamodb", region_name=REGION)
    _table(dynamodb, "One")
    dynamodb.put_item(TableName="One", Item={"pk": {"S": "x"}})
    table = dynamodb_backends[ACCOUNT][REGION].tables["One"]
    copied = copy.deepcopy(table)
    assert copied is not table
    assert copied.get_item(next(iter(table.items))) is not None


def test_moto_no_longer_keeps_every_message_it_ever_made(shimmed: None) -> None:
    sqs = boto3.client("sqs", region_name=REGION)
    url = sqs.create_queue(QueueName="q")["QueueUrl"]
    for n in range(40):
        sqs.send_message(QueueUrl=url, MessageBody=str(n))
        for message in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=1).get("Messages", []):
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    gc.collect()
    # moto's own list keeps all 40 (and their copies); tracked weakly, the deleted ones are gone...
    assert len(Message.instances_tracked) < 5  # type: ignore[attr-defined]
    # ...while what is alive is still listed (moto's dashboard reads these lists).
    sqs.send_message(QueueUrl=url, MessageBody="waiting")
    assert any(m.body == "waiting" for m in Message.instances_tracked)  # type: ignore[attr-defined]


def test_a_message_past_its_retention_is_still_dropped_without_counting_the_queue(
        shimmed: None, monkeypatch: pytest.MonkeyPatch) -> None:
    sqs = boto3.client("sqs", region_name=REGION)
    url = sqs.create_queue(QueueName="short", Attributes={"MessageRetentionPeriod": "60"})["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="old")
    sqs.send_message(QueueUrl=url, MessageBody="new")
    queue = sqs_backends[ACCOUNT][REGION].queues["short"]
    old = next(m for m in queue._messages if m.body == "old")
    old.sent_timestamp = int(old.sent_timestamp or 0) - 120_000  # type: ignore[assignment]  # two minutes ago: past the 60 s retention
    counted: list[str] = []
    original = SQSBackend.get_queue_attributes

    def counting(self: SQSBackend, queue_name: str, attribute_names: list[str]) -> Any:
        counted.append(queue_name)
        return original(self, queue_name, attribute_names)

    monkeypatch.setattr(SQSBackend, "get_queue_attributes", counting)
    bodies = [m["Body"] for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])]
    assert "old" not in bodies
    assert counted == []  # the retention check no longer counts every message of the queue


# -- DynamoDB and its streams: data-plane answers written as DynamoDB JSON, not by moto's generic serializer --

_EVERY_TYPE = {"pk": {"S": "x"}, "n": {"N": "1.50"}, "b": {"B": b"\x00\x01bytes"}, "t": {"BOOL": True},
               "z": {"NULL": True}, "ss": {"SS": ["a", "b"]}, "ns": {"NS": ["1", "2"]}, "bs": {"BS": [b"\x02"]},
               "m": {"M": {"inner": {"L": [{"S": "é ünïcode"}, {"N": "3"}, {"M": {}}, {"B": b"\x03"}]}}},
               "l": {"L": []}, "empty": {"S": ""}}


def _streams() -> Any:
    return boto3.client("dynamodbstreams", region_name=REGION, config=Config(account_id_endpoint_mode="disabled"))


def _data_plane_answers(dynamodb: Any, streams: Any) -> dict[str, Any]:
    """What boto3 reads from each data-plane call the handlers and pollers make (request ids left out)."""
    dynamodb.create_table(TableName="Data", BillingMode="PAY_PER_REQUEST",
                          KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                                     {"AttributeName": "sk", "KeyType": "RANGE"}],
                          AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                                {"AttributeName": "sk", "AttributeType": "S"}],
                          StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"})
    item = {**_EVERY_TYPE, "sk": {"S": "1"}}
    key = {"pk": {"S": "x"}, "sk": {"S": "1"}}
    answers: dict[str, Any] = {
        "put": dynamodb.put_item(TableName="Data", Item=item, ReturnValues="ALL_OLD"),
        "put_again": dynamodb.put_item(TableName="Data", Item=item, ReturnValues="ALL_OLD"),
        "update": dynamodb.update_item(TableName="Data", Key=key, UpdateExpression="SET n = n + :one",
                                       ExpressionAttributeValues={":one": {"N": "1"}}, ReturnValues="ALL_NEW"),
        "update_none": dynamodb.update_item(TableName="Data", Key=key, UpdateExpression="SET q = :q",
                                            ExpressionAttributeValues={":q": {"S": "q"}}),
        "get": dynamodb.get_item(TableName="Data", Key=key, ConsistentRead=True),
        "get_missing": dynamodb.get_item(TableName="Data", Key={"pk": {"S": "none"}, "sk": {"S": "1"}}),
        "get_projected": dynamodb.get_item(TableName="Data", Key=key, ProjectionExpression="m.inner, b"),
        "batch_get": dynamodb.batch_get_item(RequestItems={"Data": {"Keys": [key, {"pk": {"S": "no"},
                                                                                   "sk": {"S": "1"}}]}}),
        "query": dynamodb.query(TableName="Data", KeyConditionExpression="pk = :p", Limit=1,
                                ExpressionAttributeValues={":p": {"S": "x"}}),
        "scan": dynamodb.scan(TableName="Data"),
        "transact_get": dynamodb.transact_get_items(TransactItems=[{"Get": {"TableName": "Data", "Key": key}}]),
        "delete": dynamodb.delete_item(TableName="Data", Key=key, ReturnValues="ALL_OLD"),
    }
    arn = dynamodb.describe_table(TableName="Data")["Table"]["LatestStreamArn"]
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard,
                                          ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    page = streams.get_records(ShardIterator=iterator, Limit=100)
    answers["records"] = [{k: v for k, v in r.items() if k != "eventID"} for r in page["Records"]]
    answers["records_end"] = streams.get_records(ShardIterator=page["NextShardIterator"])["Records"]
    for answer in answers.values():
        if isinstance(answer, dict):
            answer.pop("ResponseMetadata", None)
    return answers


def test_data_plane_answers_read_the_same_with_the_shims() -> None:
    with mock_aws():
        plain = _data_plane_answers(boto3.client("dynamodb", region_name=REGION),
                                    _streams())
    with mock_aws():
        moto_shims.install()
        try:
            shimmed_answers = _data_plane_answers(boto3.client("dynamodb", region_name=REGION),
                                                  _streams())
        finally:
            moto_shims.uninstall()
    for records in (plain["records"], shimmed_answers["records"]):
        for record in records:  # moto stamps each record when it is made, and counts the stamp in its size
            assert isinstance(record["dynamodb"].pop("ApproximateCreationDateTime"), datetime)
            assert record["dynamodb"].pop("SizeBytes") > 0
    assert len(plain["records"]) == 5
    assert shimmed_answers == plain


def test_data_plane_answers_skip_motos_generic_serializer(shimmed: None, monkeypatch: pytest.MonkeyPatch) -> None:
    from moto.core.serialize import ResponseSerializer

    serialized: list[str] = []
    original = ResponseSerializer.serialize

    def counting(self: Any, result: Any) -> Any:
        serialized.append(str(self.operation_model.name))
        return original(self, result)

    monkeypatch.setattr(ResponseSerializer, "serialize", counting)
    _data_plane_answers(boto3.client("dynamodb", region_name=REGION),
                        _streams())
    data_plane = {"PutItem", "UpdateItem", "GetItem", "BatchGetItem", "Query", "Scan", "TransactGetItems",
                  "DeleteItem", "GetRecords"}
    assert not data_plane & set(serialized)
    # An error answer is still moto's own.
    dynamodb = boto3.client("dynamodb", region_name=REGION)
    with pytest.raises(ClientError) as caught:
        dynamodb.get_item(TableName="Missing", Key={"pk": {"S": "x"}})
    assert caught.value.response["Error"]["Code"] == "ResourceNotFoundException"


# -- SNS: one signing certificate per subscription ------------------------------------------------------

def _notifications_to_a_queue(count: int) -> list[dict[str, Any]]:
    sns = boto3.client("sns", region_name=REGION)
    sqs = boto3.client("sqs", region_name=REGION)
    topic = sns.create_topic(Name="care")["TopicArn"]
    url = sqs.create_queue(QueueName="outbox")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn, Attributes={"RawMessageDelivery": "false"})
    for n in range(count):
        sns.publish(TopicArn=topic, Message=f"message {n}", Subject=f"subject {n}",
                    MessageAttributes={"priority": {"DataType": "String", "StringValue": "urgent"}})
    envelopes: list[dict[str, Any]] = []
    while len(envelopes) < count:
        envelopes += [json.loads(m["Body"]) for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)
                      .get("Messages", [])]
    return sorted(envelopes, key=lambda e: str(e["Message"]))


def _verifies(envelope: dict[str, Any]) -> bool:
    from cryptography import x509
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding, rsa
    from moto.sns.models import sns_backends

    pem = sns_backends["123456789012"][REGION]._message_public_keys[envelope["SigningCertURL"].rsplit("/", 1)[1]]
    signed = "".join(f"{k}\n{envelope[k]}\n" for k in ("Message", "MessageId", "Timestamp", "TopicArn", "Type"))
    key = x509.load_pem_x509_certificate(pem).public_key()
    assert isinstance(key, rsa.RSAPublicKey)
    try:
        key.verify(base64.b64decode(envelope["Signature"]), signed.encode(), padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature:
        return False
    return True


def test_every_notification_is_still_signed_and_verifiable(shimmed: None) -> None:
    envelopes = _notifications_to_a_queue(4)
    assert [e["Message"] for e in envelopes] == [f"message {n}" for n in range(4)]
    for n, envelope in enumerate(envelopes):
        assert envelope["Subject"] == f"subject {n}"
        assert envelope["MessageAttributes"] == {"priority": {"Type": "String", "Value": "urgent"}}
        assert {"Type", "MessageId", "TopicArn", "Timestamp", "SignatureVersion", "Signature", "SigningCertURL",
                "UnsubscribeURL"} <= set(envelope)
        assert _verifies(envelope)
    assert len({e["MessageId"] for e in envelopes}) == 4
    tampered = {**envelopes[1], "Message": "changed"}
    assert not _verifies(tampered)


def test_a_subscription_signs_with_one_certificate_not_one_per_notification(shimmed: None) -> None:
    from moto.sns.models import sns_backends

    _notifications_to_a_queue(5)
    # moto builds (signs) a new certificate for every notification and keeps every one, forever.
    assert len(sns_backends["123456789012"][REGION]._message_public_keys) == 1


# -- EventBridge: each target's input paths parsed once -------------------------------------------------

def _events_through_a_transformer(count: int) -> list[str]:
    events = boto3.client("events", region_name=REGION)
    sqs = boto3.client("sqs", region_name=REGION)
    url = sqs.create_queue(QueueName="targets")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    events.create_event_bus(Name="bus")
    events.put_rule(Name="all", EventBusName="bus", EventPattern=json.dumps({"source": ["inquiry-intake"]}))
    events.put_targets(Rule="all", EventBusName="bus", Targets=[
        {"Id": "plain", "Arn": arn},
        {"Id": "shaped", "Arn": arn, "InputTransformer": {"InputPathsMap": {"id": "$.detail.id"},
                                                           "InputTemplate": '{"got": "<id>"}'}}])
    for n in range(count):
        events.put_events(Entries=[{"EventBusName": "bus", "Source": "inquiry-intake", "DetailType": "t",
                                    "Detail": json.dumps({"id": f"event-{n}"})}])
    bodies: list[str] = []
    while len(bodies) < 2 * count:
        bodies += [m["Body"] for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)
                   .get("Messages", [])]
    return bodies


def test_event_targets_still_get_each_event_as_it_is_or_transformed(shimmed: None) -> None:
    bodies = _events_through_a_transformer(3)
    shaped = sorted(b for b in bodies if b.startswith('{"got"'))
    assert shaped == [f'{{"got": "event-{n}"}}' for n in range(3)]
    plain = sorted(json.loads(b)["detail"]["id"] for b in bodies if not b.startswith('{"got"'))
    assert plain == [f"event-{n}" for n in range(3)]


def test_event_targets_parse_their_input_paths_once(shimmed: None, monkeypatch: pytest.MonkeyPatch) -> None:
    import jsonpath_ng.ext.parser as jsonpath_parser

    parsed: list[str] = []
    original = jsonpath_parser.ExtendedJsonPathParser.parse

    def counting(self: Any, string: str, *args: Any, **kwargs: Any) -> Any:
        parsed.append(string)
        return original(self, string, *args, **kwargs)

    monkeypatch.setattr(jsonpath_parser.ExtendedJsonPathParser, "parse", counting)
    _events_through_a_transformer(4)
    # moto parses every target's paths for every event (PLY, about a millisecond each).
    assert len(parsed) == len(set(parsed))


def _stream_iterator(dynamodb: Any, streams: Any, table: str) -> str:
    arn = dynamodb.describe_table(TableName=table)["Table"]["LatestStreamArn"]
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    return str(streams.get_shard_iterator(StreamArn=arn, ShardId=shard,
                                          ShardIteratorType="TRIM_HORIZON")["ShardIterator"])


def test_read_stream_iterators_are_forgotten_after_their_lifetime_and_reading_goes_on(
        shimmed: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """A poller that reads every half second must not grow the emulator: AWS lets an iterator be used for
    15 minutes; moto kept each one (and each GetRecords makes one) for ever."""
    from moto.dynamodbstreams.models import dynamodbstreams_backends

    clock = [1000.0]
    monkeypatch.setattr("time.monotonic", lambda: clock[0])
    dynamodb = boto3.client("dynamodb", region_name=REGION)
    streams = boto3.client("dynamodbstreams", region_name=REGION,
                           config=Config(account_id_endpoint_mode="disabled"))
    _table(dynamodb, "One")
    backend = dynamodbstreams_backends[ACCOUNT][REGION]
    iterator = _stream_iterator(dynamodb, streams, "One")
    never_read = _stream_iterator(dynamodb, streams, "One")
    seen: list[str] = []
    for n in range(200):  # a poller's rounds; a record now and then
        if n % 20 == 0:
            dynamodb.put_item(TableName="One", Item={"pk": {"S": f"item-{n}"}})
        page = streams.get_records(ShardIterator=iterator, Limit=100)
        seen += [r["dynamodb"]["Keys"]["pk"]["S"] for r in page["Records"]]
        iterator = page["NextShardIterator"]
        clock[0] += 10.0  # 200 rounds: 2,000 s, past the 15 minutes
    assert seen == [f"item-{n}" for n in range(0, 200, 20)]  # each record once, in order
    # Only the last 15 minutes' iterators (and a sweep's interval) are kept, not one per round.
    lifetime = moto_shims.ITERATOR_LIFETIME_SECONDS + moto_shims.SWEEP_EVERY_SECONDS
    assert moto_shims.ITERATOR_LIFETIME_SECONDS == 15 * 60
    assert len(backend.shard_iterators) <= lifetime / 10 + 3 < 200
    # One never read is kept: reading it now starts where it pointed (the stream's start).
    assert len(streams.get_records(ShardIterator=never_read, Limit=100)["Records"]) == 10
    # A read one within its lifetime can be read again, as AWS allows.
    again = streams.get_records(ShardIterator=iterator, Limit=100)
    assert streams.get_records(ShardIterator=iterator, Limit=100)["Records"] == again["Records"]


def _stream_bytes_after_writes() -> tuple[int, list[dict[str, Any]]]:
    from infra.local.memory_census import deep_size

    dynamodb = boto3.client("dynamodb", region_name=REGION)
    streams = boto3.client("dynamodbstreams", region_name=REGION,
                           config=Config(account_id_endpoint_mode="disabled"))
    dynamodb.create_table(TableName="Images", KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                          AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                          BillingMode="PAY_PER_REQUEST",
                          StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"})
    for n in range(100):  # an inquiry-like item written, then changed twice
        fields = {f"field_{k}": {"S": f"value {k} of {n}"} for k in range(25)}
        item: dict[str, Any] = {"pk": {"S": f"inquiry-{n}"}, **fields,
                "tags": {"SS": ["a", "b"]}, "count": {"N": str(n)}, "flag": {"BOOL": True}, "none": {"NULL": True},
                "nested": {"M": {"inner": {"L": [{"S": "x"}, {"N": "1"}]}}}}
        dynamodb.put_item(TableName="Images", Item=item)
        for step in ("confirmed", "notified"):
            dynamodb.update_item(TableName="Images", Key={"pk": item["pk"]}, UpdateExpression=f"SET {step} = :t",
                                 ExpressionAttributeValues={":t": {"S": "2026-12-06T05:00:00+00:00"}})
    shard = dynamodb_backends[ACCOUNT][REGION].tables["Images"].stream_shard
    assert shard is not None
    held = deep_size(shard.items, set())
    iterator = _stream_iterator(dynamodb, streams, "Images")
    records = streams.get_records(ShardIterator=iterator, Limit=1000)["Records"]
    return held, [{k: v for k, v in r.items() if k != "eventID"} for r in records]


def test_stream_records_are_kept_compactly_and_read_the_same() -> None:
    """moto kept each record's old and new images as trees of small dicts for the stream's whole life."""
    with mock_aws():
        plain_bytes, plain = _stream_bytes_after_writes()
    with mock_aws():
        moto_shims.install()
        try:
            shimmed_bytes, shimmed = _stream_bytes_after_writes()
        finally:
            moto_shims.uninstall()
    assert len(shimmed) == len(plain) == 300
    for record in plain + shimmed:
        record["dynamodb"].pop("ApproximateCreationDateTime")  # the time of the write, and moto's size of
        assert isinstance(record["dynamodb"].pop("SequenceNumber"), str)  # the record with it: per run
        assert record["dynamodb"].pop("SizeBytes") > 0
    assert shimmed == plain
    assert shimmed_bytes < plain_bytes / 10
