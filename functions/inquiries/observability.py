"""Logger, Tracer and Metrics: module-level singletons, created once per process.

PHI rule: log and measure identifiers and fixed reason codes only. Never an inquiry field, a
request body, an email address or a model dump. Tracer is configured (template Globals) not to
capture responses or errors, which could hold PHI, and patches no library (see below).
"""

from __future__ import annotations

import os
import warnings

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit, single_metric

# A rejected request emits its metric at once (single_metric), leaving nothing for the end-of-invocation
# flush, which then warns on every 4xx. That warning is noise here.
warnings.filterwarnings("ignore", message="No application metrics to publish", category=UserWarning)

SERVICE = os.environ.get("POWERTOOLS_SERVICE_NAME", "inquiry-intake")
NAMESPACE = os.environ.get("POWERTOOLS_METRICS_NAMESPACE", "InquiryIntake")

logger = Logger(service=SERVICE)
# No automatic patching: the X-Ray SDK records botocore error messages (an SES rejection can quote the
# address) and full http.client URLs (the chat webhook's secret path) on its subsegments. Traces keep
# the handler and the methods we decorate, which carry timings only.
tracer = Tracer(service=SERVICE, auto_patch=False)
metrics = Metrics(namespace=NAMESPACE, service=SERVICE)

__all__ = ["MetricUnit", "count", "count_by_dimension", "count_by_reason", "logger", "metrics", "tracer"]


def count(name: str, value: int = 1) -> None:
    """Add to a counter metric flushed at the end of the invocation."""
    metrics.add_metric(name=name, unit=MetricUnit.Count, value=value)


def count_by_reason(name: str, reason: str) -> None:
    """Emit a counter with a ``reason`` dimension right away. ``reason`` is a fixed code, never input."""
    count_by_dimension(name, "reason", reason)


def count_by_dimension(name: str, dimension: str, value: str) -> None:
    """Emit a counter with one dimension right away. ``value`` is a fixed code, never input."""
    with single_metric(name=name, unit=MetricUnit.Count, value=1,
                       namespace=NAMESPACE) as metric:
        metric.add_dimension(name=dimension, value=value)
