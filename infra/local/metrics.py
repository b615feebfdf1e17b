"""The handlers' metrics, kept in the AWS emulator's CloudWatch as Lambda would have them kept.

In Lambda, Powertools prints each metric as an EMF line on stdout and CloudWatch Logs turns it
into a CloudWatch metric. Locally ``EmfRecorder`` stands in for stdout while the stack runs: a
line that is an EMF document becomes ``PutMetricData`` on the emulator (so an alarm's own
Namespace, MetricName and Dimensions from template.yaml find it there); every other line goes
on to the real stdout unchanged.
"""

from __future__ import annotations

import json
import logging
import sys
import threading
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from mypy_boto3_cloudwatch import CloudWatchClient
    from mypy_boto3_cloudwatch.type_defs import DimensionTypeDef, MetricDatumTypeDef

log = logging.getLogger("infra.local")

EMF_PREFIX = '{"_aws"'


def metric_data(document: dict[str, Any]) -> tuple[str, list[MetricDatumTypeDef]]:
    """(namespace, PutMetricData entries) for one EMF document."""
    aws = document["_aws"]
    timestamp = datetime.fromtimestamp(int(aws["Timestamp"]) / 1000, UTC)
    namespace = ""
    entries: list[MetricDatumTypeDef] = []
    for directive in aws["CloudWatchMetrics"]:
        namespace = directive["Namespace"]
        for dimension_names in directive["Dimensions"]:
            dimensions: list[DimensionTypeDef] = [{"Name": name, "Value": str(document[name])}
                                                  for name in dimension_names]
            for metric in directive["Metrics"]:
                raw = document[metric["Name"]]
                for value in raw if isinstance(raw, list) else [raw]:
                    entries.append({"MetricName": metric["Name"], "Dimensions": dimensions, "Value": float(value),
                                    "Unit": metric.get("Unit", "None"), "Timestamp": timestamp})
    return namespace, entries


class EmfRecorder:
    """A stand-in for ``sys.stdout`` that files EMF lines in CloudWatch and passes the rest through."""

    def __init__(self, cloudwatch: CloudWatchClient, passthrough: TextIO) -> None:
        self.cloudwatch = cloudwatch
        self.passthrough = passthrough
        self._partial = threading.local()
        self._lock = threading.Lock()

    def write(self, text: str) -> int:
        """Buffer per thread until a line ends, then file or pass on each whole line."""
        buffered = getattr(self._partial, "text", "") + text
        *lines, rest = buffered.split("\n")
        self._partial.text = rest
        for line in lines:
            if line.startswith(EMF_PREFIX):
                self._record(line)
            else:
                self.passthrough.write(line + "\n")
        return len(text)

    def flush(self) -> None:
        """Flush the real stdout."""
        self.passthrough.flush()

    def isatty(self) -> bool:
        """Never a terminal: handlers print JSON lines."""
        return False

    def _record(self, line: str) -> None:
        try:
            namespace, entries = metric_data(json.loads(line))
            with self._lock:
                for start in range(0, len(entries), 20):
                    self.cloudwatch.put_metric_data(Namespace=namespace, MetricData=entries[start:start + 20])
        except Exception as exc:  # a metric must never fail the invocation that printed it
            log.warning("metric not recorded: %s", type(exc).__name__)

    def install(self) -> None:
        """Stand in for sys.stdout."""
        sys.stdout = self

    def uninstall(self) -> None:
        """Give sys.stdout back."""
        if sys.stdout is self:
            sys.stdout = self.passthrough
