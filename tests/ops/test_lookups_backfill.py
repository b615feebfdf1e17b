"""``python -m infra.lookups backfill``: lookup items for inquiries stored before InquiryLookupTable existed."""

from __future__ import annotations

import json
import logging

import boto3
import pytest
from inquiries.data.items import plain_values

from infra import lookups
from tests.support.care import CARE_MEMBER, care_request
from tests.support.consumers import put_inquiry, record_of
from tests.support.events import json_post, response_json
from tests.support.phi import distinctive_inquiry, submitted_by_this_test
from tests.support.stack import Stack


def lookup_items() -> list[dict[str, object]]:
    ddb = boto3.client("dynamodb", region_name="us-east-1")
    return [plain_values(item) for item in ddb.scan(TableName="InquiryLookupTable")["Items"]]


def old_inquiry() -> str:
    """An inquiry as intake stored it before the lookup table: no phone hash, no lookup keys, no items."""
    return put_inquiry(phone_hash=None, lookup_keys=None)


def test_backfill_indexes_old_inquiries_once_in_bounded_pages(stack: Stack, capsys: pytest.CaptureFixture[str],
                                                              caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="infra.lookups")
    old = [old_inquiry() for _ in range(3)]
    response = stack.intake(json_post(distinctive_inquiry()))
    assert response["statusCode"] == 202
    indexed_at_intake = len(lookup_items())
    assert all("phone_hash" not in record_of(i) for i in old)
    capsys.readouterr()

    assert lookups.main(["backfill", "--page-size", "2", "--region", "us-east-1"]) == 0

    report = json.loads(capsys.readouterr().out)
    assert (report["scanned"], report["backfilled"], report["already_indexed"]) == (4, 3, 1)
    assert report["pages"] >= 2, "two items a page"
    items = lookup_items()
    assert len(items) == indexed_at_intake * 4
    for inquiry_id in old:
        stored = record_of(inquiry_id)
        mine = [item for item in items if item["inquiry_id"] == inquiry_id]
        assert {item["lookup_key"] for item in mine} == set(stored["lookup_keys"])
        assert all(item["ttl"] == stored["ttl"] for item in mine)
        assert stored["phone_hash"] and stored["version"] == 1, "not a care-team change"
    assert f"ref#{old[0][-8:]}" in {item["lookup_key"] for item in items}
    assert submitted_by_this_test().leaks(caplog.text + json.dumps(report)) == []

    # Found by name afterwards, through the care API.
    name = record_of(old[1])["name"]
    found = care_request(stack, "GET", "/care/search", claims=CARE_MEMBER, query={"q": name})
    assert [item["inquiry_id"] for item in response_json(found)["items"]] == [old[1]]


def test_a_second_backfill_writes_nothing(stack: Stack, capsys: pytest.CaptureFixture[str]) -> None:
    old_inquiry()
    assert lookups.main(["backfill", "--region", "us-east-1"]) == 0
    capsys.readouterr()
    before = sorted(json.dumps(item, default=str, sort_keys=True) for item in lookup_items())

    assert lookups.main(["backfill", "--region", "us-east-1"]) == 0

    assert json.loads(capsys.readouterr().out)["backfilled"] == 0
    assert sorted(json.dumps(item, default=str, sort_keys=True) for item in lookup_items()) == before


def test_backfill_can_stop_after_a_number_of_pages(stack: Stack, capsys: pytest.CaptureFixture[str]) -> None:
    for _ in range(3):
        old_inquiry()

    assert lookups.main(["backfill", "--page-size", "1", "--max-pages", "2", "--region", "us-east-1"]) == 0

    report = json.loads(capsys.readouterr().out)
    assert (report["pages"], report["scanned"], report["backfilled"]) == (2, 2, 2)
