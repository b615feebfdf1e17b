"""Run every benchmark section and write the JSON and Markdown reports (see ``infra.bench``)."""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
from datetime import UTC, datetime
from pathlib import Path

from infra.bench import artifacts, busy_day, bytecode, cold_start, end_to_end, report, soak, tracing, triage, warm
from infra.template import ROOT, TemplateResources

# (cold-start runs per function, warm requests, end-to-end inquiries and clients, triage rounds, the soak)
FULL = {"cold_runs": 11, "warm_requests": 2000, "warm_blocks": 5, "inquiries": 200, "clients": 8, "triage_rounds": 250,
        "soak_inquiries": 10_000, "soak_block": 1000, "profile_inquiries": 600, "profile_blocks": 3}
QUICK = {"cold_runs": 1, "warm_requests": 40, "warm_blocks": 2, "inquiries": 6, "clients": 2, "triage_rounds": 10,
         "soak_inquiries": 20, "soak_block": 10, "profile_inquiries": 6, "profile_blocks": 2}


def _log(message: str) -> None:
    sys.stderr.write(f"bench: {message}\n")
    sys.stderr.flush()


def main(argv: list[str] | None = None) -> int:
    """Measure, then write ``benchmarks.json`` and ``benchmarks.md`` to ``--output-dir``."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="tiny samples: checks every section still runs")
    parser.add_argument("--output-dir", type=Path, default=ROOT / "docs", help="where the two reports go")
    args = parser.parse_args(argv)
    sizes = QUICK if args.quick else FULL
    resources = TemplateResources()

    _log(f"cold start: {sizes['cold_runs']} runs per function and baseline")
    cold = cold_start.measure_all(sizes["cold_runs"], resources)
    floors = cold_start.measure_floors(sizes["cold_runs"], resources)
    _log("bytecode: IntakeFunction's init from source and with bytecode")
    compiled = bytecode.measure(sizes["cold_runs"], resources)
    _log(f"warm intake: {sizes['warm_blocks']} blocks of {sizes['warm_requests']} requests")
    warm_intake = warm.measure(sizes["warm_requests"], warmup=10 if args.quick else 100, resources=resources,
                               blocks=sizes["warm_blocks"])
    _log(f"end to end: {sizes['inquiries']} inquiries, {sizes['clients']} clients")
    e2e = end_to_end.measure(sizes["inquiries"], sizes["clients"], resources=resources)
    _log(f"soak: {sizes['soak_inquiries']} inquiries in blocks of {sizes['soak_block']}, {sizes['clients']} clients")
    busy = soak.measure(sizes["soak_inquiries"], sizes["soak_block"], sizes["clients"], log=_log)
    _log(f"busy-day profile: {sizes['profile_inquiries']} inquiries, moto as it is and with the shims")
    profile = busy_day.measure(sizes["profile_inquiries"], sizes["profile_blocks"], sizes["clients"])
    _log("triage, artifacts, tracer evidence")
    triage_speed = triage.measure(sizes["triage_rounds"])
    built = artifacts.measure()
    tracer = tracing.capture()

    memory = {lid: int(resources.function_property(lid, "MemorySize"))
              for lid in resources.logical_ids("AWS::Serverless::Function")}
    data = report.build(
        mode="quick" if args.quick else "full",
        generated_at=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        machine={"platform": f"{platform.system()} {platform.machine()}", "python": platform.python_version(),
                 "cpus": os.cpu_count() or 0},
        cold=cold, floors=floors, bytecode=compiled, warm=warm_intake, e2e=e2e, soak=busy, busy_profile=profile,
        triage=triage_speed, artifacts=built, tracer=tracer,
        memory=memory, alarms=len(resources.logical_ids("AWS::CloudWatch::Alarm")),
    )
    args.output_dir.mkdir(parents=True, exist_ok=True)
    (args.output_dir / "benchmarks.json").write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    (args.output_dir / "benchmarks.md").write_text(report.markdown(data), encoding="utf-8")
    for goal in data["goals"]:
        sys.stdout.write(f"{'met    ' if goal['met'] else 'NOT MET'}  {goal['goal']}: {goal['measured']:.2f}x\n")
    sys.stdout.write(f"wrote {args.output_dir / 'benchmarks.md'} and benchmarks.json\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
