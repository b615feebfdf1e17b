"""The end-to-end benchmark's floor (``infra.bench.end_to_end.Floor``) is "the same AWS work done by plain
boto3": for each inquiry it must make every call the pipeline's handlers make, no more and no fewer (issue 23:
the floor left out the events path, the confirmation's daily caps and the weekly counters, which made the
ratio a comparison of different work). Counted by action and table on one moto, the real stack's handlers
against the floor. Left out of the count: what an event source mapping or a cache does on its own schedule
(receives, deletes, stream reads, the pepper secret a warm function keeps) and the test's own reads."""

from __future__ import annotations

import io
import json
import os
import time
from collections import Counter
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from infra.bench import end_to_end
from infra.local import aws_emulator
from infra.local.child import free_port
from infra.local.config import LocalConfig
from infra.local.faults import inject_faults
from infra.local.stack import LocalStack
from infra.template import TemplateResources

INQUIRIES = 6
# Made by the mappings and caches on their own cadence, or by this test to see that the work is done.
NOT_PER_INQUIRY = {"ReceiveMessage", "DeleteMessage", "DeleteMessageBatch", "DescribeStream", "GetShardIterator",
                   "GetRecords", "BatchGetItem", "GetSecretValue", "Scan InquiryEventLogTable"}


def _key(environ: dict[str, Any], body: bytes) -> str:
    target = str(environ.get("HTTP_X_AMZ_TARGET") or "")
    if target:
        action = target.rpartition(".")[2]
    elif environ.get("PATH_INFO", "").startswith("/v2/email/outbound-emails"):
        action = "SendEmail"
    else:
        from urllib.parse import parse_qs

        action = (parse_qs(body.decode("utf-8", "replace")).get("Action") or ["?"])[0]
    try:
        request = json.loads(body) if body.startswith(b"{") else {}
    except ValueError:
        request = {}
    tables: Iterable[str] = [request["TableName"]] if "TableName" in request else sorted({
        op.get("TableName", "") for item in request.get("TransactItems", []) for op in item.values()})
    names = " ".join(t.removeprefix(end_to_end.FLOOR_PREFIX) for t in tables)
    return f"{action} {names}".strip()


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    counts: Counter[str] = Counter()
    original = inject_faults

    def counting(app: Any, faults: Any) -> Any:
        inner = original(app, faults)

        def wrapped(environ: dict[str, Any], start_response: Any) -> Any:
            length = int(environ.get("CONTENT_LENGTH") or 0)
            body = environ["wsgi.input"].read(length) if length else b""
            environ["wsgi.input"] = io.BytesIO(body)
            counts[_key(environ, body)] += 1
            return inner(environ, start_response)

        return wrapped

    monkeypatch.setattr(aws_emulator, "inject_faults", counting)
    return counts


def _per_inquiry(counts: Counter[str]) -> dict[str, int]:
    return {k: v for k, v in counts.items() if k not in NOT_PER_INQUIRY and k.split(" ")[0] not in NOT_PER_INQUIRY}


def test_the_floor_makes_every_call_the_pipeline_makes_for_an_inquiry(counted: Counter[str]) -> None:
    saved = dict(os.environ)
    config = LocalConfig.from_environ({**os.environ, "LOCAL_API_PORT": str(free_port()),
                                       "LOCAL_AWS_PORT": str(free_port()), "LOCAL_INTEGRATION_PORT": str(free_port()),
                                       "LOCAL_RECEIVER_PORT": str(free_port()), "LOCAL_HANDLER_LOG_LEVEL": "WARNING"})
    stack = LocalStack(config)
    try:
        stack.start()
        dynamodb = end_to_end._session().client("dynamodb", endpoint_url=config.aws_url)
        counted.clear()
        with ThreadPoolExecutor(max_workers=2) as pool:
            ids = [p.inquiry_id for p in pool.map(lambda n: end_to_end.post_inquiry(config.api_port, n),
                                                  range(INQUIRIES))]
        deadline = time.monotonic() + 120
        while end_to_end.undone(dynamodb, ids):
            assert time.monotonic() < deadline, "the pipeline did not finish its inquiries"
            time.sleep(0.5)
        pipeline = _per_inquiry(counted)

        floor = end_to_end.Floor(config.aws_url, TemplateResources())
        counted.clear()
        end_to_end.run_floor(floor, INQUIRIES, 2, start=INQUIRIES)
        assert _per_inquiry(counted) == pipeline
    finally:
        stack.stop()
        os.environ.clear()
        os.environ.update(saved)
        from inquiries.aws import reset_clients

        reset_clients()
