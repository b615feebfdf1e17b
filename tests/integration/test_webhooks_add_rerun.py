"""``python -m infra.webhooks add`` run again after it stopped half-way: it finishes the job instead of refusing.

Each of the three things ``add`` makes (the secret, the destination's alarm, the destination itself) may be
the one that fails (a throttle, a missing permission, a lost connection); running the same command again must
complete the destination, hand out the one secret deliveries will be signed with, and leave no stray copy.
"""

from __future__ import annotations

import io
import json
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from inquiries.data.webhooks import Destinations

from infra import webhooks
from tests.support.stack import Stack

ARGV = ["add", "--destination", "crm-east", "--url", "https://crm.example.com/hooks"]
SECRET_NAME = "inquiry-intake/dev/webhooks/crm-east"
ALARM = "inquiry-intake-dev-webhook-crm-east-failing"


def run(argv: list[str]) -> tuple[int, dict[str, Any] | None]:
    out = io.StringIO()
    code = webhooks.main(argv, out)
    return code, (json.loads(out.getvalue()) if out.getvalue() else None)


def refused_once(monkeypatch: pytest.MonkeyPatch, owner: Any, method: str) -> None:
    """``owner.method`` fails the first time it is called (as AWS would), then works."""
    original = getattr(owner, method)
    calls = {"n": 0}

    def flaky(*args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 1:
            raise ClientError({"Error": {"Code": "ThrottlingException", "Message": "slow down"}}, method)
        return original(*args, **kwargs)

    monkeypatch.setattr(owner, method, flaky)


def assert_complete(stack: Stack, added: dict[str, Any] | None) -> None:
    assert added is not None and added["secret"].startswith("whsec_")
    [destination] = stack.items("WebhookDestinationsTable")
    assert destination["destination_id"] == "crm-east" and destination["enabled"] is True
    secrets = boto3.client("secretsmanager", region_name=stack.region)
    stored = secrets.get_secret_value(SecretId=SECRET_NAME)
    assert destination["secret_arn"] == stored["ARN"]
    assert stored["SecretString"] == added["secret"], "the secret printed is the one deliveries are signed with"
    assert [s["Name"] for s in secrets.list_secrets()["SecretList"]].count(SECRET_NAME) == 1
    alarms = boto3.client("cloudwatch", region_name=stack.region).describe_alarms(AlarmNames=[ALARM])["MetricAlarms"]
    assert len(alarms) == 1


def test_add_run_again_after_the_destination_was_not_stored(stack: Stack, monkeypatch: pytest.MonkeyPatch) -> None:
    refused_once(monkeypatch, Destinations, "add")
    with pytest.raises(ClientError):
        run(ARGV)
    code, added = run(ARGV)
    assert code == 0
    assert_complete(stack, added)


def test_add_run_again_after_the_alarm_was_not_made(stack: Stack, monkeypatch: pytest.MonkeyPatch) -> None:
    refused_once(monkeypatch, webhooks.Webhooks, "put_alarm")
    with pytest.raises(ClientError):
        run(ARGV)
    code, added = run(ARGV)
    assert code == 0
    assert_complete(stack, added)


def test_add_of_a_destination_that_was_completed_is_still_refused(stack: Stack) -> None:
    assert run(ARGV)[0] == 0
    assert run(ARGV) == (2, None)
    assert run([*ARGV[:-1], "https://other.example.com/hooks"]) == (2, None)
