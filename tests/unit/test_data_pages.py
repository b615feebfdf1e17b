"""The one paged Query/Scan loop of the data layer (``inquiries.data.pages``), under moto."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from botocore.stub import Stubber
from inquiries.data.errors import DataUnavailable, Throttled
from inquiries.data.pages import query_count, query_pages, scan_pages
from moto import mock_aws

_TABLE = "PagesTable"


@pytest.fixture
def ddb(aws_credentials: None) -> Iterator[Any]:
    with mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")
        client.create_table(TableName=_TABLE, BillingMode="PAY_PER_REQUEST",
                            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                                       {"AttributeName": "sk", "KeyType": "RANGE"}],
                            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                                  {"AttributeName": "sk", "AttributeType": "S"}])
        for i in range(25):
            client.put_item(TableName=_TABLE, Item={"pk": {"S": "a" if i < 23 else "b"}, "sk": {"S": f"{i:03}"}})
        yield client


def _query(limit: int) -> dict[str, Any]:
    return {"TableName": _TABLE, "KeyConditionExpression": "pk = :p",
            "ExpressionAttributeValues": {":p": {"S": "a"}}, "Limit": limit}


def test_query_pages_follow_last_evaluated_key_to_the_end(ddb: Any) -> None:
    request = _query(10)
    pages = list(query_pages(ddb, request))
    assert [len(p["Items"]) for p in pages] == [10, 10, 3]
    assert [i["sk"]["S"] for p in pages for i in p["Items"]] == [f"{i:03}" for i in range(23)]
    assert "ExclusiveStartKey" not in request  # the caller's request is not changed


def test_scan_pages_read_every_item_once(ddb: Any) -> None:
    pages = list(scan_pages(ddb, {"TableName": _TABLE, "Limit": 7}))
    assert len(pages) == 4
    assert sorted(i["sk"]["S"] for p in pages for i in p["Items"]) == [f"{i:03}" for i in range(25)]


def test_a_caller_that_stops_early_fetches_no_further_page(ddb: Any) -> None:
    calls: list[str] = []
    ddb.meta.events.register("before-call.dynamodb.Query", lambda **_: calls.append("q"))
    for page in query_pages(ddb, _query(10)):
        assert len(page["Items"]) == 10
        break
    assert calls == ["q"]


def test_query_count_adds_every_page(ddb: Any) -> None:
    assert query_count(ddb, {**_query(4), "Select": "COUNT"}) == 23


def test_domain_errors_only_when_asked() -> None:
    client = boto3.client("dynamodb", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    with Stubber(client) as stub:
        stub.add_client_error("query", service_error_code="ProvisionedThroughputExceededException")
        with pytest.raises(Throttled):
            list(query_pages(client, {"TableName": _TABLE}, domain=True))
        stub.add_client_error("scan", service_error_code="InternalServerError")
        with pytest.raises(DataUnavailable):
            list(scan_pages(client, {"TableName": _TABLE}, domain=True))
        stub.add_client_error("scan", service_error_code="InternalServerError")
        with pytest.raises(ClientError) as raw:
            list(scan_pages(client, {"TableName": _TABLE}))
        assert raw.value.response["Error"]["Code"] == "InternalServerError"
