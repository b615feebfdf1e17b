"""Benchmark the intake answer over HTTP on the local stack, as ratios to a baseline in the same run.

    python -m infra.bench [--requests 60] [--max-seconds 90]

Starts the whole local pipeline (``python -m infra.local``) as a child on free loopback ports and
times, sequentially:
- baseline: ``GET /health`` (HTTP, the API Gateway emulator and the intake handler, no AWS calls);
- accept:   ``POST /inquiries`` with a new inquiry (validate, rate-limit, idempotency, transactional
            write, two queue sends, marker cleared);
- replay:   the same ``POST`` repeated with its ``Idempotency-Key`` (the stored answer).

Absolute times depend on the machine and on moto standing in for AWS, so the figures that mean
something are the ratios to the baseline measured in the same run. Each request comes from its own
127.0.0.x address (the per-client rate limit counts per address, as API Gateway's sourceIp does),
and every request goes to 127.0.0.1 only; the run is bounded in count and time.
"""

from __future__ import annotations

import argparse
import http.client
import json
import statistics
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from infra.local.child import LocalStackProcess
from infra.local.config import LOOPBACK


@dataclass(frozen=True)
class Timing:
    """Latencies of one operation, in milliseconds."""

    name: str
    samples: list[float]

    @property
    def p50(self) -> float:
        return statistics.median(self.samples)

    @property
    def p95(self) -> float:
        ordered = sorted(self.samples)
        return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def _request(port: int, source: str, method: str, path: str, body: bytes | None = None,
             headers: dict[str, str] | None = None) -> tuple[int, float]:
    conn = http.client.HTTPConnection(LOOPBACK, port, timeout=10, source_address=(source, 0))
    try:
        started = time.perf_counter()
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        response.read()
        return response.status, (time.perf_counter() - started) * 1000
    finally:
        conn.close()


def _inquiry(n: int) -> bytes:
    tag = uuid.uuid4().hex[:8]
    return json.dumps({
        "name": f"Bench Person {n}", "email": f"bench.{tag}@example.com", "topic": "anxiety",
        "message": "I would like to learn about ketamine-assisted therapy.", "consent_to_contact": True,
    }).encode()


def measure(port: int, requests: int, deadline: float) -> list[Timing]:
    """Interleave the three operations so drift on the machine affects each alike."""
    health: list[float] = []
    accept: list[float] = []
    replay: list[float] = []
    json_headers = {"Content-Type": "application/json", "Accept": "application/json"}

    def timed(samples: list[float], expect: int, source: str, method: str, path: str,
              body: bytes | None = None, headers: dict[str, str] | None = None) -> None:
        status, ms = _request(port, source, method, path, body, headers)
        if status != expect:
            raise RuntimeError(f"{method} {path}: expected {expect}, got {status}")
        samples.append(ms)

    for n in range(requests):
        if time.monotonic() > deadline:
            break
        source = f"127.0.{1 + n // 250}.{1 + n % 250}"
        body = _inquiry(n)
        headers = {**json_headers, "Idempotency-Key": uuid.uuid4().hex}
        timed(health, 200, source, "GET", "/health")
        timed(accept, 202, source, "POST", "/inquiries", body, headers)
        timed(replay, 202, source, "POST", "/inquiries", body, headers)
    return [Timing("baseline GET /health", health), Timing("accept POST /inquiries", accept),
            Timing("replay duplicate POST", replay)]


def report(timings: list[Timing]) -> str:
    """A table of p50/p95 and their ratios to the baseline."""
    base = timings[0]
    lines = [f"{'operation':<26}{'n':>5}{'p50 ms':>10}{'p95 ms':>10}{'p50 ratio':>11}{'p95 ratio':>11}"]
    for t in timings:
        lines.append(f"{t.name:<26}{len(t.samples):>5}{t.p50:>10.1f}{t.p95:>10.1f}"
                     f"{t.p50 / base.p50:>10.2f}x{t.p95 / base.p95:>10.2f}x")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the table."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=60, help="rounds of the three operations (max 500)")
    parser.add_argument("--warmup", type=int, default=5, help="rounds run first and not counted")
    parser.add_argument("--max-seconds", type=float, default=90.0, help="stop measuring after this long")
    args = parser.parse_args(argv)
    requests = max(1, min(args.requests, 500))
    log = Path(tempfile.gettempdir()) / "inquiry-intake-bench-stack.log"
    with LocalStackProcess(log_path=log) as stack:
        measure(stack.api_port, args.warmup, time.monotonic() + 30)
        timings = measure(stack.api_port, requests, time.monotonic() + args.max_seconds)
    accept = timings[1]
    sys.stdout.write(report(timings) + "\n")
    sys.stdout.write(f"\naccept p95 = {accept.p95 / timings[0].p95:.2f}x the baseline p95 (same run, same stack)\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
