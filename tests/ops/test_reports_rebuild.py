"""``python -m infra.reports rebuild``: the weekly counters for inquiries stored before InquiryStatsTable existed,
equal to what intake and the care API keep, counted once however often it runs."""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from typing import Any

import boto3
import pytest

from infra import reports
from tests.support.care import CARE_MEMBER, care_request
from tests.support.consumers import put_inquiry, record_of
from tests.support.events import json_post, response_json
from tests.support.phi import distinctive_inquiry, submitted_by_this_test
from tests.support.stack import Stack


def counters() -> dict[tuple[str, str, str], int]:
    """Every counter, the shards added up: (week, figure, counter) -> n, zeros left out."""
    ddb = boto3.client("dynamodb", region_name="us-east-1")
    totals: dict[tuple[str, str, str], int] = defaultdict(int)
    for item in ddb.scan(TableName="InquiryStatsTable")["Items"]:
        figure = item["counter_set"]["S"].rsplit("#", 1)[0]
        for name, value in item.items():
            if name not in ("week", "counter_set"):
                totals[(item["week"]["S"], figure, name)] += int(value["N"])
    return {key: n for key, n in totals.items() if n}


def forget_the_counters() -> None:
    """As before the table existed: no counter, no inquiry marked counted."""
    ddb = boto3.client("dynamodb", region_name="us-east-1")
    for item in ddb.scan(TableName="InquiryStatsTable")["Items"]:
        ddb.delete_item(TableName="InquiryStatsTable", Key={"week": item["week"], "counter_set": item["counter_set"]})
    for item in ddb.scan(TableName="InquiriesTable", ProjectionExpression="inquiry_id")["Items"]:
        ddb.update_item(TableName="InquiriesTable", Key={"inquiry_id": item["inquiry_id"]},
                        UpdateExpression="REMOVE stats_counted")


def change(stack: Stack, inquiry_id: str, version: int, body: dict[str, Any], path: str = "") -> None:
    method = "POST" if path else "PATCH"
    response = care_request(stack, method, f"/care/inquiries/{inquiry_id}{path}", claims=CARE_MEMBER, body=body,
                            headers={"If-Match": str(version)})
    assert response["statusCode"] in (200, 201), response


def submit(stack: Stack, **overrides: Any) -> str:
    inquiry_id: str = response_json(stack.intake(json_post(distinctive_inquiry(**overrides))))["inquiry_id"]
    return inquiry_id


def test_the_rebuild_counts_what_intake_and_the_care_api_counted_once_in_bounded_pages(
        stack: Stack, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="infra.reports")
    reached = submit(stack, topic="anxiety", language="es")
    change(stack, reached, 1, {"channel": "phone", "outcome": "no_answer"}, "/attempts")
    change(stack, reached, 2, {"channel": "phone", "outcome": "reached"}, "/attempts")
    change(stack, reached, 3, {"status": "scheduled"})
    corrected = submit(stack, topic="ptsd", referral_source="A friend")
    change(stack, corrected, 1, {"level": "priority", "level_reason": "missed"})
    released = submit(stack, website="http://bot.example")
    change(stack, released, 1, {"status": "new"})
    submit(stack, website="http://bot.example")  # held back: counts nothing
    kept = counters()
    assert kept[next(k for k in kept if k[1:] == ("volume", "all"))] == 3
    versions = {i: record_of(i)["version"] for i in (reached, corrected, released)}
    forget_the_counters()
    capsys.readouterr()

    assert reports.main(["rebuild", "--page-size", "2", "--region", "us-east-1"]) == 0

    report = json.loads(capsys.readouterr().out)
    assert (report["scanned"], report["counted"], report["already_counted"]) == (4, 4, 0)
    assert report["pages"] >= 2, "two items a page"
    assert counters() == kept, "the same counts as kept change by change"
    assert {i: record_of(i)["version"] for i in versions} == versions, "not a care-team change"
    assert submitted_by_this_test().leaks(caplog.text + json.dumps(report)) == []

    assert reports.main(["rebuild", "--region", "us-east-1"]) == 0
    again = json.loads(capsys.readouterr().out)
    assert (again["counted"], again["already_counted"]) == (0, 4)
    assert counters() == kept, "a second run adds nothing"


def test_an_inquiry_stored_before_the_counters_is_counted_by_the_rebuild_then_by_each_change(
        stack: Stack, capsys: pytest.CaptureFixture[str]) -> None:
    legacy = put_inquiry(topic="depression")  # as stored before reports: no stats_counted
    change(stack, legacy, 1, {"channel": "sms", "outcome": "reached"}, "/attempts")
    assert counters() == {}, "uncounted until the rebuild"

    assert reports.main(["rebuild", "--region", "us-east-1"]) == 0
    capsys.readouterr()
    first = counters()
    assert sum(n for (_w, figure, name), n in first.items() if (figure, name) == ("volume", "reached")) == 1
    assert sum(n for (_w, figure, name), n in first.items() if (figure, name) == ("ttfc", "all#all#on_time")) == 1

    change(stack, legacy, 2, {"status": "closed", "close_reason": "scheduled"})
    after = counters()
    assert sum(n for (_w, figure, name), n in after.items() if (figure, name) == ("volume", "scheduled")) == 1
    assert {k: v for k, v in after.items() if k[2] != "scheduled"} == first


def test_a_change_read_before_the_rebuild_counted_the_inquiry_is_refused_not_lost(stack: Stack) -> None:
    """The care API read the inquiry uncounted; the rebuild counts it before the change commits: the change is a
    412 (read it again), never a change the counters miss."""
    from inquiries.data.care import CareRecords
    from inquiries.data.errors import VersionConflict

    legacy = put_inquiry()
    assert reports.main(["rebuild", "--region", "us-east-1"]) == 0
    with pytest.raises(VersionConflict):
        CareRecords("InquiriesTable").apply_change(legacy, 1, sets={"status": "attempting"}, counted=False)
    assert record_of(legacy)["status"] == "new"
