"""ArchiveAuditFunction against moto: AuditTable's real stream records -> object-locked S3, once each."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from infra.local.event_sources import dynamodb_stream_event
from infra.template import ROOT
from tests.support import streams
from tests.support.care import CARE_MEMBER, care_request, listed
from tests.support.consumers import put_inquiry
from tests.support.lambda_context import FakeLambdaContext
from tests.support.phi import submitted_by_this_test
from tests.support.stack import Stack


def stream_records(stack: Stack) -> list[dict[str, Any]]:
    """Every record AuditTable's stream holds, as DynamoDB Streams gives them."""
    return streams.stream_records(stack, "AuditTable")


def run_archiver(stack: Stack, records: list[dict[str, Any]]) -> dict[str, Any]:
    event = dynamodb_stream_event(records, stack.resources.names.attrs[("AuditTable", "StreamArn")], stack.region)
    result: dict[str, Any] = stack.handler("archive_audit")(event, FakeLambdaContext("ArchiveAuditFunction"))
    return result


def bucket(stack: Stack) -> str:
    return stack.resources.names.refs["AuditArchiveBucket"]


def versions(stack: Stack) -> list[dict[str, Any]]:
    s3 = boto3.client("s3", region_name=stack.region)
    return [dict(v) for v in s3.list_object_versions(Bucket=bucket(stack)).get("Versions", [])]


def audited_acts(stack: Stack) -> str:
    """A read and a list of one stored inquiry; its id."""
    inquiry_id = put_inquiry()
    assert care_request(stack, "GET", f"/care/inquiries/{inquiry_id}", claims=CARE_MEMBER)["statusCode"] == 200
    listed(stack, status="new")
    return inquiry_id


def test_every_entry_is_copied_to_the_archive_as_written(stack: Stack) -> None:
    inquiry_id = audited_acts(stack)
    records = stream_records(stack)
    assert [r["eventName"] for r in records] == ["INSERT", "INSERT"]

    assert run_archiver(stack, records) == {"batchItemFailures": []}

    s3 = boto3.client("s3", region_name=stack.region)
    stored = {v["Key"]: json.loads(s3.get_object(Bucket=bucket(stack), Key=v["Key"])["Body"].read())
              for v in versions(stack)}
    table = {f"entries/{i['day']}/{i['entry_id'].replace('#', '_')}.json": i for i in stack.items("AuditTable")}
    assert set(stored) == set(table)
    for key, entry in stored.items():
        expected = {k: v for k, v in table[key].items() if k != "ttl"}
        assert entry == json.loads(json.dumps(expected, default=int)), key
    assert {e["action"] for e in stored.values()} == {"read", "list"}
    assert [e["inquiry_ids"] for e in stored.values() if e["action"] == "list"] == [[inquiry_id]]
    assert submitted_by_this_test().leaks(json.dumps(stored)) == []


def test_a_retried_batch_writes_nothing_twice(stack: Stack) -> None:
    audited_acts(stack)
    records = stream_records(stack)
    run_archiver(stack, records)

    assert run_archiver(stack, records) == {"batchItemFailures": []}

    assert len(versions(stack)) == 2, "one version per entry: the retry's writes were refused, not added"


def test_an_archived_entry_is_locked_in_compliance_mode_for_six_years(stack: Stack) -> None:
    audited_acts(stack)
    run_archiver(stack, stream_records(stack))
    s3 = boto3.client("s3", region_name=stack.region)
    version = versions(stack)[0]

    head = s3.head_object(Bucket=bucket(stack), Key=version["Key"], VersionId=version["VersionId"])
    assert head["ObjectLockMode"] == "COMPLIANCE"
    assert head["ObjectLockRetainUntilDate"] >= datetime.now(UTC) + timedelta(days=6 * 365, minutes=-1)
    assert head.get("ServerSideEncryption") == "aws:kms"

    with pytest.raises(ClientError) as refused:
        s3.delete_object(Bucket=bucket(stack), Key=version["Key"], VersionId=version["VersionId"])
    assert refused.value.response["Error"]["Code"] == "AccessDenied"
    # A plain delete only adds a delete marker: the locked version is still there, and still readable.
    s3.delete_object(Bucket=bucket(stack), Key=version["Key"])
    assert s3.get_object(Bucket=bucket(stack), Key=version["Key"], VersionId=version["VersionId"])["Body"].read()


def test_a_record_that_cannot_be_archived_is_reported_alone(stack: Stack) -> None:
    audited_acts(stack)
    good, other = stream_records(stack)
    broken = {**other, "dynamodb": {**other["dynamodb"], "Keys": {}}}

    result = run_archiver(stack, [good, broken])

    assert result == {"batchItemFailures": [{"itemIdentifier": other["dynamodb"]["SequenceNumber"]}]}
    assert len(versions(stack)) == 1


def test_a_change_or_removal_of_an_entry_is_archived_beside_it(stack: Stack) -> None:
    audited_acts(stack)
    first, _ = stream_records(stack)
    removal = {**first, "eventName": "REMOVE", "userIdentity": {"type": "Service",
                                                                "principalId": "dynamodb.amazonaws.com"},
               "dynamodb": {k: v for k, v in first["dynamodb"].items() if k != "NewImage"}}

    assert run_archiver(stack, [first, removal]) == {"batchItemFailures": []}

    keys = sorted(v["Key"] for v in versions(stack))
    assert keys[0].startswith("changes/") and keys[0].endswith(f"/{first['dynamodb']['SequenceNumber']}.json")
    assert keys[1].startswith("entries/")


def test_the_sample_stream_event_is_archived(stack: Stack) -> None:
    event = json.loads((ROOT / "events" / "dynamodb_audit_stream.json").read_text(encoding="utf-8"))

    result = stack.handler("archive_audit")(event, FakeLambdaContext("ArchiveAuditFunction"))

    assert result == {"batchItemFailures": []}
    [version] = versions(stack)
    assert version["Key"] == "entries/2026-03-10/2026-03-10T15:00:00.000Z_0a1b2c3d4e5f.json"
