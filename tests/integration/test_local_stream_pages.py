"""The local stream mapping reads a GetRecords page as DynamoDB JSON, without botocore's parser in the stack's
process (issue 23: py-spy put ~7% of the stack process's time in botocore parsing the pages, work the floor's
reader does in its own process). The records are botocore's, except ``ApproximateCreationDateTime``: epoch
seconds, as Lambda's DynamoDB stream events carry it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest

from infra.local.event_sources import StreamPages, dynamodb_stream_event
from tests.support.moto_server import client_at, moto_endpoint


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    with moto_endpoint() as url:
        yield url


_client = client_at


def test_a_page_read_as_dynamodb_json_holds_botocores_records(endpoint: str) -> None:
    dynamodb = _client("dynamodb", endpoint)
    arn = dynamodb.create_table(
        TableName="Paged", BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    )["TableDescription"]["LatestStreamArn"]
    dynamodb.put_item(TableName="Paged", Item={"k": {"S": "a"}, "n": {"N": "1"}, "l": {"L": [{"BOOL": True}]},
                                               "b": {"B": b"\x00\x01"}, "ss": {"SS": ["x", "y"]}})
    dynamodb.update_item(TableName="Paged", Key={"k": {"S": "a"}}, UpdateExpression="SET n = :two",
                         ExpressionAttributeValues={":two": {"N": "2"}})
    streams = _client("dynamodbstreams", endpoint)
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]

    def iterator() -> str:
        return str(streams.get_shard_iterator(StreamArn=arn, ShardId=shard,
                                              ShardIteratorType="TRIM_HORIZON")["ShardIterator"])

    parsed = streams.get_records(ShardIterator=iterator(), Limit=100)
    raw = StreamPages(endpoint, "us-east-1").get_records(ShardIterator=iterator(), Limit=100)
    assert len(raw["Records"]) == len(parsed["Records"]) == 2 and raw["NextShardIterator"]
    for mine, theirs in zip(raw["Records"], parsed["Records"], strict=True):
        at = mine["dynamodb"].pop("ApproximateCreationDateTime")
        expected = theirs["dynamodb"].pop("ApproximateCreationDateTime")
        assert isinstance(at, int | float) and isinstance(expected, datetime)
        assert abs(at - expected.timestamp()) < 1
        assert mine == {**theirs, "dynamodb": {**theirs["dynamodb"], **_binary_as_text(theirs["dynamodb"])}}
    # The event the function gets: Lambda's shape, the sequence number a string.
    event = dynamodb_stream_event(raw["Records"], arn, "us-east-1")
    assert [r["eventName"] for r in event["Records"]] == ["INSERT", "MODIFY"]
    assert all(isinstance(r["dynamodb"]["SequenceNumber"], str) for r in event["Records"])


def _binary_as_text(stream: dict[str, Any]) -> dict[str, Any]:
    """botocore decodes a binary attribute to bytes; on the wire (and in Lambda's event) it is base64 text."""
    import base64

    out: dict[str, Any] = {}
    for image in ("NewImage", "OldImage"):
        if image in stream:
            out[image] = {k: ({"B": base64.b64encode(v["B"]).decode()} if "B" in v else v)
                          for k, v in stream[image].items()}
    return out


def test_an_expired_or_unknown_iterator_is_an_error_not_an_empty_page(endpoint: str) -> None:
    with pytest.raises(RuntimeError):
        StreamPages(endpoint, "us-east-1").get_records(ShardIterator="no-such-iterator", Limit=10)
