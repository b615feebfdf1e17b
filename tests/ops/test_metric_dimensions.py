"""Metrics carry the stage, and every reason-coded counter also has a reason-free total for its alarm."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

from infra.template import ROOT, TemplateResources

_EMIT = """
from inquiries.observability import count, count_by_reason, metrics
count_by_reason("ConfirmationRetried", "ses_messagerejected")
count("InquiryAccepted")
metrics.flush_metrics()
"""


def emitted(stage: str) -> list[dict[str, Any]]:
    """The EMF documents the observability module prints in a process whose STAGE is ``stage``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("POWERTOOLS_")}
    env.update(STAGE=stage, POWERTOOLS_SERVICE_NAME="inquiry-intake", POWERTOOLS_METRICS_NAMESPACE="InquiryIntake")
    result = subprocess.run([sys.executable, "-c", _EMIT], capture_output=True, text=True, env=env, cwd=ROOT,
                            timeout=60, check=True)
    return [json.loads(line) for line in result.stdout.splitlines() if line.startswith('{"_aws"')]


def series(doc: dict[str, Any]) -> list[tuple[str, dict[str, str]]]:
    """(metric name, dimensions) for every metric in one EMF document."""
    [directive] = doc["_aws"]["CloudWatchMetrics"]
    [dimension_names] = directive["Dimensions"]
    dims = {name: doc[name] for name in dimension_names}
    return [(metric["Name"], dims) for metric in directive["Metrics"]]


def test_every_metric_names_its_stage_so_dev_and_prod_never_merge() -> None:
    found = [s for doc in emitted("prod") for s in series(doc)]
    assert found
    for name, dims in found:
        assert dims["stage"] == "prod", name
        assert dims["service"] == "inquiry-intake", name
    assert all(dims["stage"] == "dev" for doc in emitted("dev") for _n, dims in series(doc))


def test_a_reason_coded_counter_also_counts_a_total_without_the_reason() -> None:
    found = [s for doc in emitted("prod") for s in series(doc)]
    assert ("ConfirmationRetried", {"service": "inquiry-intake", "stage": "prod",
                                    "reason": "ses_messagerejected"}) in found
    assert ("ConfirmationRetried", {"service": "inquiry-intake", "stage": "prod"}) in found


def test_custom_metric_alarms_watch_the_series_the_code_emits() -> None:
    """An alarm on {service, stage} must not name a dimension the totals lack (it would never fire)."""
    resources = TemplateResources()
    custom = [resources.properties(lid) for lid in resources.logical_ids("AWS::CloudWatch::Alarm")
              if resources.properties(lid).get("Namespace") == "InquiryIntake"]
    assert custom
    for props in custom:
        names = {d["Name"] for d in props["Dimensions"]}
        assert names == {"service", "stage"}, props["MetricName"]
        values = {d["Name"]: d["Value"] for d in props["Dimensions"]}
        assert values["stage"] == {"Ref": "Stage"}
        assert values["service"] == "inquiry-intake"
