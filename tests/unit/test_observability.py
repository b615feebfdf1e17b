"""No handler loads the X-Ray SDK: Lambda's active tracing records invocations without it, and the SDK
would cost every cold start (docs/benchmarks.md) and, if it patched libraries, record AWS error texts
and URLs, which can hold PHI."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from infra.template import ROOT

HANDLERS = ["intake", "redispatch", "send_confirmation", "notify_care_team", "care_api", "remind_care_team"]

_PROBE = """
import os, sys
os.environ.update(LAMBDA_TASK_ROOT="/var/task", AWS_LAMBDA_FUNCTION_NAME="probe")  # as in Lambda
os.environ.update({{name: "x" for name in (
    "INQUIRIES_TABLE", "IDEMPOTENCY_TABLE", "RATE_LIMIT_TABLE", "CONFIRMATION_QUEUE_URL", "CARE_TEAM_QUEUE_URL",
    "SENDER_EMAIL", "CARE_TEAM_TOPIC_ARN", "AUDIT_TABLE", "PEPPER_SECRET", "CONSOLE_CLIENT_ID",
    "USER_POOL_ID", "INQUIRY_LOOKUP_TABLE", "INQUIRY_STATS_TABLE")}})
import inquiries.handlers.{module}
print(sorted(name for name in sys.modules if name.split(".")[0] in ("aws_xray_sdk", "wrapt")))
"""


def loaded_tracing_modules(module: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("POWERTOOLS_")}
    env["AWS_DEFAULT_REGION"] = "us-east-1"
    result = subprocess.run([sys.executable, "-c", _PROBE.format(module=module)], capture_output=True, text=True,
                            env=env, cwd=ROOT, timeout=60, check=True)
    return result.stdout.strip()


@pytest.mark.parametrize("module", HANDLERS)
def test_handler_cold_start_loads_no_xray_sdk(module: str) -> None:
    assert loaded_tracing_modules(module) == "[]"


def test_the_probe_sees_the_sdk_when_something_loads_it() -> None:
    """The control: the same probe reports the SDK once anything imports it."""
    assert "aws_xray_sdk" in loaded_tracing_modules("intake\nimport aws_xray_sdk.core")
