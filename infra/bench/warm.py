"""Warm intake, in-process: the real intake handler on in-memory fakes against a Powertools hello world.

Run in a child process (``python -m infra.bench.warm``) so the function's environment is its alone;
what the handlers print (log lines and metrics, as in Lambda) is counted, not kept. The baseline is
Powertools' own hello world (its quick start: a resolver route that logs a line and adds a metric,
``inject_lambda_context`` and ``log_metrics``) on our route. Both get the same API Gateway event shape;
requests alternate between them. The
intake handler is the module Lambda imports, with its service built on ``tests/support/fakes.py``
(the tables, queues and idempotency records as dicts), so what is timed is our code and Powertools',
not an AWS emulator.

The requests run in blocks, each with fresh fakes (a Lambda function does not keep the inquiries it
stored in memory, and fakes that did would slow it down with every block). Each figure is the median
over the blocks of that block's percentile: one burst of work elsewhere on a shared machine moves one
block's p99, not the figure. Every block's p99 ratio is reported too.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from infra.bench.cold_start import REPO, function_environment
from infra.bench.percentiles import median, percentile, ratio
from infra.template import TemplateResources


@dataclass(frozen=True)
class WarmIntake:
    """Per-request latency (ms) of intake and of the hello world, same run, same event shape."""

    requests: int
    blocks: int
    # Each block's intake p99 as a multiple of the hello world's, in the order they ran.
    block_p99_ratios: tuple[float, ...]
    # What the intake handler printed per request (JSON log lines, EMF metrics): CloudWatch Logs' input.
    log_bytes_per_request: float
    intake_p50_ms: float
    intake_p99_ms: float
    hello_p50_ms: float
    hello_p99_ms: float

    @property
    def p50_ratio(self) -> float:
        """Intake p50 as a multiple of the hello world's."""
        return ratio(self.intake_p50_ms, self.hello_p50_ms)

    @property
    def p99_ratio(self) -> float:
        """Intake p99 as a multiple of the hello world's."""
        return ratio(self.intake_p99_ms, self.hello_p99_ms)


def _event(n: int) -> dict[str, Any]:
    from tests.support.events import api_event

    body = json.dumps({
        "name": f"Warm Person {n}", "email": f"warm.{n}@example.com", "phone": "+1 415 555 0100",
        "topic": "anxiety", "message": "I would like to learn about ketamine-assisted therapy.",
        "consent_to_contact": True,
    })
    return api_event(body=body, headers={"Content-Type": "application/json", "Accept": "application/json"},
                     source_ip=f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}")


class _CountingStdout(io.TextIOBase):
    """Stands in for stdout (where Lambda's log lines and EMF metrics go) and counts what is written."""

    def __init__(self) -> None:
        self.written = 0

    def write(self, text: str) -> int:
        self.written += len(text.encode("utf-8"))
        return len(text)


def _measure_in_this_process(requests: int, warmup: int, blocks: int) -> dict[str, Any]:
    # Before any Logger exists: Powertools binds its handler to the stdout of the moment.
    stdout = _CountingStdout()
    sys.stdout = stdout

    from aws_lambda_powertools import Logger, Metrics
    from aws_lambda_powertools.event_handler import APIGatewayRestResolver
    from aws_lambda_powertools.logging import correlation_paths
    from aws_lambda_powertools.metrics import MetricUnit
    from aws_lambda_powertools.utilities.typing import LambdaContext
    from inquiries.handlers import intake
    from inquiries.intake.rate_limit import RateLimiter
    from inquiries.intake.service import IntakeService
    from inquiries.peppers import Peppers

    from tests.support.fakes import InMemoryCounters, InMemoryInquiries, InMemoryPersistence, RecordingDispatcher
    from tests.support.lambda_context import FakeLambdaContext

    settings = intake.settings
    peppers = Peppers(current=b"bench pepper, at least 16 bytes")  # in memory: no Secrets Manager call

    def fresh_service() -> None:
        service = IntakeService(
            settings, inquiries=InMemoryInquiries(), dispatcher=RecordingDispatcher(),
            limiter=RateLimiter(InMemoryCounters(), per_client_per_hour=settings.rate_limit_per_client_per_hour,
                                peppers=peppers),
            persistence=InMemoryPersistence(), peppers=peppers, count_triage=lambda _triage: None,
        )
        intake.app.__dict__["intake"] = service  # the cached_property the handler would fill with AWS clients

    # Powertools' own hello world (its SAM quick start), on our route, without Tracer (as ours now are).
    hello_logger = Logger(service="hello-world")
    hello_metrics = Metrics(namespace="HelloWorld", service="hello-world")
    hello_app = APIGatewayRestResolver()

    @hello_app.post("/inquiries")
    def hello() -> dict[str, str]:
        hello_metrics.add_metric(name="HelloWorldInvocations", unit=MetricUnit.Count, value=1)
        hello_logger.info("Hello world API - HTTP 200")
        return {"message": "hello world"}

    @hello_logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
    @hello_metrics.log_metrics
    def hello_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
        return hello_app.resolve(event, context)

    context = cast(LambdaContext, FakeLambdaContext("IntakeFunction"))
    figures: dict[str, list[float]] = {"intake_p50_ms": [], "intake_p99_ms": [], "hello_p50_ms": [],
                                       "hello_p99_ms": []}
    intake_bytes = 0
    n = 0
    for block in range(blocks):
        fresh_service()
        own: list[float] = []
        base: list[float] = []
        for i in range((warmup if block == 0 else 0) + requests):
            n += 1
            for fn, samples in ((intake.handler, own), (hello_handler, base)):
                event = _event(n)
                written = stdout.written
                started = time.perf_counter()
                answer = fn(event, context)
                elapsed = (time.perf_counter() - started) * 1000
                if answer["statusCode"] not in (200, 202):
                    raise RuntimeError(f"unexpected status {answer['statusCode']}")
                if block > 0 or i >= warmup:
                    samples.append(elapsed)
                    if fn is intake.handler:
                        intake_bytes += stdout.written - written
        for name, samples, q in (("intake_p50_ms", own, 50), ("intake_p99_ms", own, 99),
                                 ("hello_p50_ms", base, 50), ("hello_p99_ms", base, 99)):
            figures[name].append(percentile(samples, q))
    return {**{name: median(values) for name, values in figures.items()},
            "block_p99_ratios": [ratio(a, b) for a, b in zip(figures["intake_p99_ms"], figures["hello_p99_ms"],
                                                             strict=True)],
            "log_bytes_per_request": round(intake_bytes / (requests * blocks), 1)}


def measure(requests: int, warmup: int = 50, resources: TemplateResources | None = None,
            blocks: int = 5, functions_dir: Path | None = None) -> WarmIntake:
    """Run the comparison (``blocks`` blocks of ``requests`` each) in a child with IntakeFunction's
    environment; read its JSON answer. ``functions_dir``: another checkout's ``functions`` folder to time
    instead of this one's (the harness and the fakes stay this checkout's)."""
    env = function_environment(resources or TemplateResources(), "IntakeFunction")
    # Every request comes from its own address and email, so no limit refuses one.
    env.update({"PYTHONPATH": os.pathsep.join([str(functions_dir or REPO / "functions"), str(REPO)]),
                "POWERTOOLS_METRICS_DISABLED": "false", "POWERTOOLS_DEV": "false"})
    return _run_child(env, requests, warmup, blocks)


def _run_child(env: dict[str, str], requests: int, warmup: int, blocks: int) -> WarmIntake:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "warm.json"
        proc = subprocess.run(  # noqa: S603 - our own module
            [sys.executable, "-m", "infra.bench.warm", "--requests", str(requests), "--warmup", str(warmup),
             "--blocks", str(blocks), "--json-out", str(out)],
            env=env, cwd=REPO, capture_output=True, timeout=600, check=False,
        )
        if proc.returncode != 0 or not out.exists():
            stderr = proc.stderr.decode(errors="replace")[-2000:]
            raise RuntimeError(f"warm benchmark failed ({proc.returncode}): {stderr}")
        figures = json.loads(out.read_text())
    figures["block_p99_ratios"] = tuple(figures["block_p99_ratios"])
    return WarmIntake(requests=requests, blocks=blocks, **figures)


def _line(name: str, w: WarmIntake) -> str:
    return (f"| {name} | {w.intake_p50_ms:.3f} | {w.intake_p99_ms:.3f} | {w.hello_p50_ms:.3f} | {w.hello_p99_ms:.3f} "
            f"| {w.p50_ratio:.2f}x | {w.p99_ratio:.2f}x |")


def main(argv: list[str] | None = None) -> int:
    """Without ``--json-out``: measure and print a table (``--against`` another checkout's functions folder,
    in turn with this one, ``--rounds`` times). With it: the child's entry point, writing the figures as JSON."""
    parser = argparse.ArgumentParser(prog="python -m infra.bench.warm")
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--warmup", type=int, default=100)
    parser.add_argument("--blocks", type=int, default=5)
    parser.add_argument("--json-out", type=Path)
    parser.add_argument("--against", type=Path, metavar="FUNCTIONS_DIR")
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args(argv)
    if args.json_out is not None:
        figures = _measure_in_this_process(args.requests, args.warmup, args.blocks)
        args.json_out.write_text(json.dumps(figures))
        return 0
    sys.stdout.write(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}\n"
                     "| code | intake p50 ms | intake p99 ms | hello p50 ms | hello p99 ms | p50 ratio | p99 ratio |\n"
                     "|---|---|---|---|---|---|---|\n")
    for _ in range(args.rounds):
        for name, folder in (("this checkout", None), (str(args.against), args.against)):
            if name != "this checkout" and folder is None:
                continue
            w = measure(args.requests, args.warmup, blocks=args.blocks,
                        functions_dir=folder.resolve() if folder else None)
            sys.stdout.write(_line(name, w) + "\n")
            sys.stdout.flush()
    sys.stdout.write(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
