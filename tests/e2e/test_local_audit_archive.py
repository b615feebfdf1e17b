"""The local stack's DynamoDB stream mapping: AuditTable's stream in moto's server feeds ArchiveAuditFunction.

moto's server runs in this process on a free loopback port; the table (with its stream), the archive bucket
(Object Lock) and the on-failure queue come from template.yaml through ``provision``, as ``make run`` does.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from inquiries import aws
from inquiries.data.audit import AuditEntry, AuditRecords

from infra.local.aws_emulator import DUMMY_CREDENTIALS, MotoServer, aws_session, provision
from infra.local.child import free_port
from infra.local.event_sources import StreamPoller
from infra.local.lambda_runtime import LocalFunction, handler_environment
from infra.template import TemplateResources


@dataclass
class LocalAws:
    resources: TemplateResources
    endpoint: str
    queue_urls: dict[str, str]


@pytest.fixture
def local_aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[LocalAws]:
    port = free_port()
    server = MotoServer(port)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    try:
        resources = TemplateResources()
        created = provision(resources, aws_session("us-east-1"), endpoint, visibility_timeout_seconds=1)
        local = {"AWS_ENDPOINT_URL": endpoint, "AWS_DEFAULT_REGION": "us-east-1", "AWS_REGION": "us-east-1",
                 **DUMMY_CREDENTIALS}
        for name, value in handler_environment(resources, local=local).items():
            monkeypatch.setenv(name, value)
        aws.reset_clients()
        yield LocalAws(resources, endpoint, created.queue_urls)
    finally:
        aws.reset_clients()
        server.stop()


def entry(n: int) -> AuditEntry:
    return AuditEntry(at=datetime(2026, 3, 10, 15, 0, n, tzinfo=UTC), actor="care@clinic.local",
                      actor_id="0b7e9c1e-0000-4000-8000-00000000c0de", action="read",
                      inquiry_id="01ARZ3NDEKTSV4RRFFQ69G5FAV")


def poller(local_aws: LocalAws, function: LocalFunction, failures: list[dict[str, Any]]) -> StreamPoller:
    return StreamPoller(function, boto3.client("dynamodbstreams", endpoint_url=local_aws.endpoint),
                        local_aws.resources.names.attrs[("AuditTable", "StreamArn")], 100, "us-east-1",
                        failures.append, max_retries=2, every_seconds=0.1)


def test_the_local_stack_archives_each_new_audit_entry_from_the_stream(local_aws: LocalAws) -> None:
    module = importlib.reload(importlib.import_module("inquiries.handlers.archive_audit"))
    function = LocalFunction.from_template(local_aws.resources, "ArchiveAuditFunction", module.handler)
    failures: list[dict[str, Any]] = []
    feeding = poller(local_aws, function, failures)
    trail = AuditRecords("AuditTable", 2192)
    trail.record(entry(1))
    trail.record(entry(2))

    assert feeding.poll_once() == 2
    trail.record(entry(3))
    assert feeding.poll_once() == 1
    assert feeding.poll_once() == 0, "each record is delivered once"

    s3 = boto3.client("s3", endpoint_url=local_aws.endpoint)
    bucket = local_aws.resources.names.refs["AuditArchiveBucket"]
    versions = s3.list_object_versions(Bucket=bucket).get("Versions", [])
    assert len(versions) == 3 and failures == []
    assert {json.loads(s3.get_object(Bucket=bucket, Key=v["Key"])["Body"].read())["action"]
            for v in versions} == {"read"}


def test_a_batch_still_failing_after_its_retries_is_described_on_the_failure_queue(local_aws: LocalAws) -> None:
    calls: list[dict[str, Any]] = []

    def failing(event: dict[str, Any], _context: Any) -> dict[str, Any]:
        calls.append(event)
        return {"batchItemFailures": [{"itemIdentifier": r["dynamodb"]["SequenceNumber"]}
                                      for r in event["Records"]]}

    function = LocalFunction.from_template(local_aws.resources, "ArchiveAuditFunction", failing)
    failures: list[dict[str, Any]] = []
    AuditRecords("AuditTable", 2192).record(entry(1))

    assert poller(local_aws, function, failures).poll_once() == 1

    assert len(calls) == 3, "the first try and two retries"
    [failure] = failures
    info = failure["DDBStreamBatchInfo"]
    assert info["batchSize"] == 1 and info["streamArn"].endswith("/stream/" + info["streamArn"].split("/")[-1])
    assert "Records" not in failure, "a description of the batch, never its entries"
