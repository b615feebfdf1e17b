"""The maintenance commands' bounded Scan (``infra.bounded_scan``): page size, page count and pauses."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from infra.bounded_scan import add_step_arguments, check_step_arguments, scan_in_steps


@pytest.fixture
def ddb(aws_credentials: None) -> Iterator[Any]:
    with mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")
        client.create_table(TableName="T", BillingMode="PAY_PER_REQUEST",
                            KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
                            AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}])
        for i in range(7):
            client.put_item(TableName="T", Item={"k": {"S": str(i)}})
        yield client


def test_every_page_of_the_size_asked_with_a_pause_between_calls_only(ddb: Any) -> None:
    slept: list[float] = []
    pages = list(scan_in_steps(ddb, {"TableName": "T"}, page_size=3, pause=0.5, sleep=slept.append))
    assert [len(p["Items"]) for p in pages] == [3, 3, 1]
    assert slept == [0.5, 0.5]  # none after the last page


def test_max_pages_stops_early(ddb: Any) -> None:
    pages = list(scan_in_steps(ddb, {"TableName": "T"}, page_size=2, max_pages=2))
    assert sum(len(p["Items"]) for p in pages) == 4


@pytest.mark.parametrize(("argv", "ok"), [([], True), (["--page-size", "0"], False), (["--max-pages", "0"], False),
                                          (["--pause", "-1"], False), (["--max-pages", "1", "--pause", "0"], True)])
def test_the_options_are_checked(argv: list[str], ok: bool) -> None:
    parser = argparse.ArgumentParser()
    add_step_arguments(parser)
    args = parser.parse_args(argv)
    if ok:
        check_step_arguments(parser, args)
    else:
        with pytest.raises(SystemExit):
            check_step_arguments(parser, args)
