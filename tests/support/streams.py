"""Reading a moto table's DynamoDB stream the way Lambda's poller gets it."""

from __future__ import annotations

from typing import Any

import boto3
from botocore.config import Config

from tests.support.stack import Stack


def stream_records(stack: Stack, table: str) -> list[dict[str, Any]]:
    """Every record ``table``'s stream holds (its logical id: ``InquiriesTable``, ``AuditTable``), oldest first
    per shard, as DynamoDB Streams gives them."""
    # botocore addresses a stream's account endpoint (<account>.streams-ddb...), which moto does not answer.
    streams = boto3.client("dynamodbstreams", region_name=stack.region,
                           config=Config(account_id_endpoint_mode="disabled"))
    arn = stack.resources.names.attrs[(table, "StreamArn")]
    records: list[dict[str, Any]] = []
    for shard in streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]:
        iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard["ShardId"],
                                              ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        records += [dict(r) for r in streams.get_records(ShardIterator=iterator)["Records"]]
    return records
