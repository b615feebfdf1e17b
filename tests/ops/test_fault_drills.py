"""make faults: every injected fault on the running local stack loses no inquiry and sends nothing twice."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

import pytest

from infra.template import ROOT

SUMMARY = ROOT / "test-artifacts" / "fault-drills.json"
SCENARIOS = {
    "DynamoDB throttles the write",
    "SQS fails after the commit",
    "SES throttles",
    "SNS fails",
    "chat webhook down",
    "crash between two writes (answer lost, retried by the SDK)",
    "crash between two writes (every answer lost, the person retries)",
}


@pytest.fixture(scope="module")
def drills() -> dict[str, Any]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "POWERTOOLS_"))}
    result = subprocess.run([sys.executable, "-m", "infra.fault_drills", "--json"], capture_output=True, text=True,
                            cwd=ROOT, env=env, timeout=240, check=False)
    parsed: dict[str, Any] = json.loads(result.stdout)
    SUMMARY.parent.mkdir(parents=True, exist_ok=True)
    SUMMARY.write_text(json.dumps(parsed, indent=2) + "\n")
    assert result.returncode == 0, result.stdout + result.stderr
    return parsed


def test_every_scenario_ran_and_behaved_as_the_contract_says(drills: dict[str, Any]) -> None:
    by_name = {s["scenario"]: s for s in drills["scenarios"]}
    assert set(by_name) == SCENARIOS, [s["detail"] for s in drills["scenarios"] if not s["passed"]]
    assert all(s["passed"] for s in by_name.values())
    assert by_name["DynamoDB throttles the write"]["answers"] == [503, 202]
    assert by_name["crash between two writes (every answer lost, the person retries)"]["answers"] == [503, 202]


def test_no_inquiry_is_lost_and_nothing_is_sent_twice(drills: dict[str, Any]) -> None:
    assert drills["accepted"] == len(SCENARIOS)
    assert (drills["lost"], drills["duplicate_sends"]) == (0, 0)
