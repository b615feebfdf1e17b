"""The local stack's moto shims keep what moto promises while dropping its whole-table and quadratic paths.

Each test runs moto in this process (``mock_aws``) through boto3, as the handlers use it, with the shims
installed for the test only (``infra.local.moto_shims.install``/``uninstall``).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
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
