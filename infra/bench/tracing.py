"""What X-Ray receives from the code with Powertools' Tracer as we configured it, captured for real.

A child process runs a handler decorated exactly as ours were (``Tracer(auto_patch=False)``,
``capture_lambda_handler(capture_response=False, capture_error=False)``) with Lambda's tracing
environment (``_X_AMZN_TRACE_ID``, ``LAMBDA_TASK_ROOT``) and the X-Ray daemon address pointed at a
UDP socket on 127.0.0.1 here. What arrives is what Tracer adds to the trace. Without Tracer the code
sends nothing; Lambda's active tracing still records its own segments for every invocation
(``AWS::Lambda`` and ``AWS::Lambda::Function`` with ``Init`` on a cold start, ``Invocation`` and
``Overhead``), which is documented AWS behaviour and not reproducible off AWS.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from dataclasses import dataclass
from typing import Any

from infra.bench.cold_start import REPO
from infra.local.config import LOOPBACK

_HANDLER = """
from aws_lambda_powertools import Tracer
tracer = Tracer(service="inquiry-intake", auto_patch=False)

class Context:
    function_name = "IntakeFunction"; memory_limit_in_mb = 512; aws_request_id = "req-1"
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:IntakeFunction"

@tracer.capture_lambda_handler(capture_response=False, capture_error=False)
def handler(event, context):
    return {"statusCode": 202}

handler({"body": "PHI would be here"}, Context())
handler({"body": "PHI would be here"}, Context())
"""


@dataclass(frozen=True)
class TracerEvidence:
    """The subsegments Tracer sent for two invocations (ids and times removed)."""

    subsegments: list[dict[str, Any]]
    error: str | None = None


def _shape(document: dict[str, Any]) -> dict[str, Any]:
    kept = {k: v for k, v in document.items() if k not in ("id", "trace_id", "parent_id", "start_time", "end_time")}
    kept["duration_recorded"] = "end_time" in document
    return kept


def capture() -> TracerEvidence:
    """Run the Tracer-decorated handler and collect what it emits to the X-Ray daemon address."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind((LOOPBACK, 0))
        sock.settimeout(0.5)
        port = sock.getsockname()[1]
        env = {**{k: v for k, v in os.environ.items() if not k.startswith(("POWERTOOLS_", "AWS_XRAY"))},
               "AWS_XRAY_DAEMON_ADDRESS": f"{LOOPBACK}:{port}", "LAMBDA_TASK_ROOT": "/var/task",
               "AWS_LAMBDA_FUNCTION_NAME": "IntakeFunction",
               "_X_AMZN_TRACE_ID": "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"}
        result = subprocess.run([sys.executable, "-c", _HANDLER], env=env, cwd=REPO,  # noqa: S603 - our code
                                capture_output=True, text=True, timeout=120, check=False)
        if result.returncode != 0:
            return TracerEvidence([], error=result.stderr.strip().splitlines()[-1] if result.stderr else "failed")
        documents: list[dict[str, Any]] = []
        while True:
            try:
                datagram = sock.recv(65535).decode()
            except TimeoutError:
                break
            _header, _newline, body = datagram.partition("\n")
            documents.append(_shape(json.loads(body)))
    return TracerEvidence(documents)
