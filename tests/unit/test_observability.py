"""Tracing must not record library calls: X-Ray would keep AWS error texts and URLs, which can hold PHI."""

from __future__ import annotations

import os
import subprocess
import sys

from infra.template import ROOT

_PROBE = """
import os
os.environ["LAMBDA_TASK_ROOT"] = "/var/task"   # as in Lambda, where Tracer is enabled
{setup}
from aws_xray_sdk.core import patcher
print(sorted(patcher._PATCHED_MODULES))
"""


def patched_modules(setup: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("POWERTOOLS_")}
    result = subprocess.run([sys.executable, "-c", _PROBE.format(setup=setup)], capture_output=True, text=True,
                            env=env, cwd=ROOT, timeout=60, check=True)
    return result.stdout.strip()


def test_our_tracer_patches_no_library() -> None:
    assert patched_modules("import inquiries.observability") == "[]"


def test_a_default_tracer_would_patch_botocore() -> None:
    """The control: without our setting, botocore calls (and their error texts) would be traced."""
    assert "botocore" in patched_modules("from aws_lambda_powertools import Tracer; Tracer()")
