"""Logger and Metrics: module-level singletons, created once per process.

PHI rule: log and measure identifiers and fixed reason codes only. Never an inquiry field, a
request body, an email address or a model dump.

No Powertools Tracer: Lambda's active tracing (template Globals ``Tracing: Active``) already records
every invocation, its Init on a cold start and its duration. With library patching off (the X-Ray SDK
would record botocore error texts and webhook URLs: PHI and secrets), Tracer only added one subsegment
repeating the invocation's duration, and loading the X-Ray SDK cost every cold start about 0.1 s of CPU
and 19 MiB (docs/benchmarks.md, "Tracer").
"""

from __future__ import annotations

import os
import traceback
import warnings
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit, single_metric
from botocore.exceptions import BotoCoreError, ClientError

# An invocation that counts nothing (GET /health, a CORS preflight) leaves nothing for the
# end-of-invocation flush, which then warns. That warning is noise here.
warnings.filterwarnings("ignore", message="No application metrics to publish", category=UserWarning)

SERVICE = os.environ.get("POWERTOOLS_SERVICE_NAME", "inquiry-intake")
NAMESPACE = os.environ.get("POWERTOOLS_METRICS_NAMESPACE", "InquiryIntake")
# Every metric carries the stage, so dev and prod never merge into one series (template Globals set STAGE).
STAGE = os.environ.get("STAGE", "local")

logger = Logger(service=SERVICE)
metrics = Metrics(namespace=NAMESPACE, service=SERVICE)
metrics.set_default_dimensions(stage=STAGE)

__all__ = [
    "MetricUnit", "count", "count_by_dimension", "count_by_reason", "count_without_logging", "log_unhandled", "logger",
    "measure_seconds", "metrics",
]


def log_unhandled(exc: BaseException) -> None:
    """Log an unhandled error by its type and where it happened (file:line:function), never its message:
    an exception's text can carry a submitted or stored value."""
    frames = [f"{f.filename.rsplit('/', 1)[-1]}:{f.lineno}:{f.name}" for f in traceback.extract_tb(exc.__traceback__)]
    logger.error("unhandled error", extra={"error_type": type(exc).__name__, "frames": frames[-8:]})


def count(name: str, value: int = 1) -> None:
    """Add to a counter metric flushed at the end of the invocation."""
    metrics.add_metric(name=name, unit=MetricUnit.Count, value=value)


def measure_seconds(name: str, seconds: float) -> None:
    """Record a duration or an age (a gauge) flushed at the end of the invocation."""
    metrics.add_metric(name=name, unit=MetricUnit.Seconds, value=seconds)


def count_by_reason(name: str, reason: str) -> None:
    """Count ``name`` twice: at once with a ``reason`` dimension (what to look at), and in the total
    flushed at the end of the invocation (what an alarm watches: one series, whatever the reason).

    ``reason`` is a fixed code, never input.
    """
    count_by_dimension(name, "reason", reason)
    count(name)


def count_by_dimension(name: str, dimension: str, value: str) -> None:
    """Emit a counter with one dimension (and the stage) right away. ``value`` is a fixed code, never input."""
    with single_metric(name=name, unit=MetricUnit.Count, value=1, namespace=NAMESPACE,
                       default_dimensions={"stage": STAGE}) as metric:
        metric.add_dimension(name=dimension, value=value)


def count_without_logging(name: str, value: float = 1, by: tuple[tuple[str, str], ...] = ()) -> None:
    """Add ``value`` to ``name`` with one CloudWatch PutMetricData call: no log line (EMF) is written.

    For a count that, written into the invocation's logs, would say something about the person (which
    inquiry was urgent). Callers make the call for every item alike, with ``value`` 0 or 1, so neither
    the call, its time nor its failure tells one item from another. ``by`` adds one series per
    (dimension, value) pair, fixed codes, never input. A failure is logged by type and never fails the caller.
    """
    _put_without_logging(_datums(name, value, by))


def _datums(name: str, value: float, by: tuple[tuple[str, str], ...]) -> list[dict[str, Any]]:
    """``name``'s total and one series per (dimension, code) of ``by``, as PutMetricData takes them."""
    common = {"service": SERVICE, "stage": STAGE}
    return [{"MetricName": name, "Value": value, "Unit": "Count",
             "Dimensions": [{"Name": key, "Value": code} for key, code in dimensions.items()]}
            for dimensions in (common, *({**common, dimension: code} for dimension, code in by))]


def _put_without_logging(data: list[dict[str, Any]]) -> None:
    from inquiries import aws  # the clients module imports nothing from here; kept lazy for cold starts

    if os.environ.get("POWERTOOLS_METRICS_DISABLED", "").lower() == "true":
        return
    try:
        aws.cloudwatch().put_metric_data(Namespace=NAMESPACE, MetricData=data)  # type: ignore[arg-type]
    except (BotoCoreError, ClientError) as exc:
        logger.warning("metric not published", extra={"error_type": type(exc).__name__})


# The metric each triage level is counted in (every accepted inquiry is counted in both, 0 or 1).
LEVEL_METRICS = (("urgent", "UrgentInquiry"), ("priority", "PriorityInquiry"))


def count_level_without_logging(level: str, categories: tuple[str, ...]) -> None:
    """``UrgentInquiry`` and ``PriorityInquiry`` (each 1, or 0 when the inquiry is not at that level) in total and
    per triage category, in one PutMetricData call made for every inquiry alike (a new one, or a held-back one
    released), without a log line."""
    data: list[dict[str, Any]] = []
    for name, metric in LEVEL_METRICS:
        mine = categories if level == name else ()
        data += _datums(metric, 1 if level == name else 0, tuple(("category", c) for c in mine))
    _put_without_logging(data)
