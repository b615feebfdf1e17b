"""RedispatchFunction reports the age of the oldest dispatch-pending inquiry on every run.

OldestDispatchPendingAlarm treats a missing value as breaching, so the metric must be there when
nothing waits (0) and must show the age when something does.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError
from inquiries import aws

from tests.support.events import json_post
from tests.support.stack import Stack


def oldest_pending_ages(printed: str) -> list[float]:
    ages = []
    for line in printed.splitlines():
        if line.startswith('{"_aws"'):
            doc: dict[str, Any] = json.loads(line)
            if "OldestDispatchPendingAge" in doc:
                [directive] = doc["_aws"]["CloudWatchMetrics"]
                assert {"Name": "OldestDispatchPendingAge", "Unit": "Seconds"} in directive["Metrics"]
                value = doc["OldestDispatchPendingAge"]
                ages += [float(v) for v in (value if isinstance(value, list) else [value])]
    return ages


def test_a_run_with_nothing_pending_reports_zero(stack: Stack, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    stack.redispatch()
    assert oldest_pending_ages(capsys.readouterr().out) == [0.0]


def test_a_run_reports_how_long_the_oldest_inquiry_has_waited(stack: Stack,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    stack.handler("intake")

    def denied(**_kwargs: Any) -> None:
        raise ClientError({"Error": {"Code": "AccessDenied", "Message": "denied"}}, "SendMessage")

    aws.sqs().meta.events.register("before-call.sqs.SendMessage", denied)
    response = stack.intake(json_post({"name": "A Person", "email": "a.person@example.com",
                                       "consent_to_contact": True}))
    assert response["statusCode"] == 202
    stack.configure(REDISPATCH_GRACE_SECONDS="0")  # also a new SQS client: deny its sends too
    aws.sqs().meta.events.register("before-call.sqs.SendMessage", denied)
    capsys.readouterr()

    assert stack.redispatch()["failed"] == 1
    [age] = oldest_pending_ages(capsys.readouterr().out)
    assert age > 0
