"""Cold start per function: CPU time and peak RSS of a fresh interpreter doing what Lambda's init does.

Each sample is a new ``python`` process. A *function* sample imports the handler module named by
template.yaml with that function's environment (Globals merged, as in Lambda, with
``AWS_LAMBDA_FUNCTION_NAME`` set so Powertools behaves as in Lambda) and creates the boto3 clients the
function calls. A *baseline* sample is a fresh interpreter that imports boto3, creates the same clients
and a Powertools ``Logger``: the least any of these functions could do. Runs alternate function and
baseline so drift on the machine touches both alike. CPU is user + system time and peak RSS is
``ru_maxrss``, from the child's own ``getrusage`` when its init is done.

The child is started through ``/bin/sh``, which forks it: Linux carries a process's peak RSS across
``exec``, and ``subprocess`` starts children with ``vfork``, so a child started directly would report the
benchmark's own (larger) peak RSS as its own, masking the baseline.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from infra.bench.percentiles import median, ratio
from infra.template import TemplateResources

REPO = Path(__file__).resolve().parents[2]
FUNCTIONS_DIR = REPO / "functions"

# The clients each function makes on its first request (inquiries.aws factories), by logical ID.
CLIENTS: dict[str, tuple[str, ...]] = {
    "IntakeFunction": ("dynamodb", "sqs"),
    "RedispatchFunction": ("dynamodb", "sqs"),
    "SendConfirmationFunction": ("dynamodb", "sesv2"),
    "NotifyCareTeamFunction": ("dynamodb", "sns"),
    "CareApiFunction": ("dynamodb", "sqs"),
    "RemindCareTeamFunction": ("dynamodb", "sns"),
    "RightsApiFunction": ("dynamodb", "secretsmanager"),
    "ArchiveAuditFunction": ("s3",),
    "PublishEventsFunction": ("dynamodb", "events", "sqs"),
    "DeliverWebhookFunction": ("dynamodb", "secretsmanager", "sqs"),
}

_FUNCTION_INIT = """
import importlib
importlib.import_module({module!r})
from inquiries import aws
for name in {clients!r}:
    getattr(aws, name)()
"""

_BASELINE_INIT = """
import boto3
from aws_lambda_powertools import Logger
for name in {clients!r}:
    boto3.client(name)
Logger(service="baseline")
"""

_PYDANTIC_MODEL = """
from pydantic import BaseModel
class One(BaseModel):
    field: int
"""
# What intake validates with: pydantic's core and one validator built from a core schema (``inquiries.models_core``).
_CORE_VALIDATOR = """
from pydantic_core import SchemaValidator, core_schema
SchemaValidator(core_schema.model_fields_schema({"field": core_schema.model_field(core_schema.int_schema())}))
"""
_REST_RESOLVER = """
from aws_lambda_powertools.event_handler import APIGatewayRestResolver
APIGatewayRestResolver()
"""
# What intake also needs for every submission: the address check and the clinic's time zone.
_ADDRESS_AND_ZONE = """
import email_validator
import zoneinfo
"""
# Powertools' Tracer as the functions had it, which loads the X-Ray SDK (a dev dependency now).
_TRACER = """
from aws_lambda_powertools import Tracer
Tracer(service="floor", auto_patch=False)
"""
PAUSED_FLOOR = "the collector paused, as inquiries.handlers pauses it, and nothing else"
PYDANTIC_FLOOR = "pydantic, one model"
CORE_FLOOR = "pydantic_core, one validator"
RESOLVER_FLOOR = "Powertools REST resolver"
INTAKE_FLOOR = "pydantic_core, the resolver, email_validator and zoneinfo: IntakeFunction's libraries"
TRACER_FLOOR = "Powertools Tracer (the X-Ray SDK), dropped"
# What a library costs a cold start before any of our code runs: the baseline plus that library,
# imported as the handlers import (the cyclic collector paused, then frozen: ``inquiries.handlers``) and
# measured beside the plain baseline like a function. IntakeFunction needs INTAKE_FLOOR's libraries for
# every submission, so that is the least its init can cost.
LIBRARY_FLOORS: dict[str, str] = {
    PAUSED_FLOOR: "",
    PYDANTIC_FLOOR: _PYDANTIC_MODEL,
    CORE_FLOOR: _CORE_VALIDATOR,
    RESOLVER_FLOOR: _REST_RESOLVER,
    INTAKE_FLOOR: _CORE_VALIDATOR + _REST_RESOLVER + _ADDRESS_AND_ZONE,
    TRACER_FLOOR: _TRACER,
}
_PAUSE = "import gc\ngc.disable()\n"
_RESUME = "\ngc.freeze()\ngc.enable()\n"
FLOOR_FUNCTION = "IntakeFunction"


@dataclass(frozen=True)
class InitSample:
    """One fresh process: CPU seconds (user + sys) and peak RSS in MiB."""

    cpu_s: float
    rss_mib: float


@dataclass(frozen=True)
class ColdStart:
    """Medians of one function's init and of the baseline measured alternately with it."""

    function: str
    runs: int
    cpu_s: float
    rss_mib: float
    baseline_cpu_s: float
    baseline_rss_mib: float

    @property
    def cpu_ratio(self) -> float:
        """CPU time as a multiple of the baseline's."""
        return ratio(self.cpu_s, self.baseline_cpu_s)

    @property
    def rss_ratio(self) -> float:
        """Peak RSS as a multiple of the baseline's."""
        return ratio(self.rss_mib, self.baseline_rss_mib)


def function_environment(resources: TemplateResources, logical_id: str) -> dict[str, str]:
    """What the function's process sees in Lambda, resolved locally (no AWS call is made at init)."""
    env = {name: str(value) for name, value in resources.function_environment(logical_id).items()}
    env.update({
        "AWS_LAMBDA_FUNCTION_NAME": logical_id,
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(resources.function_property(logical_id, "MemorySize")),
        "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",
        "PYTHONPATH": str(FUNCTIONS_DIR),
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
    })
    return env


_REPORT_USAGE = """
import resource as _resource
_usage = _resource.getrusage(_resource.RUSAGE_SELF)
print("RUSAGE", _usage.ru_utime + _usage.ru_stime, _usage.ru_maxrss)
"""
# "; exit $?" keeps the shell from exec-ing python in its own place: python must be a forked child.
_FORKING_SHELL = '"$0" -c "$1"; exit $?'


def run_init(code: str, env: dict[str, str]) -> InitSample:
    """Run ``code`` in a fresh interpreter (forked by a shell) and read the rusage it reports at the end."""
    result = subprocess.run(["/bin/sh", "-c", _FORKING_SHELL, sys.executable, code + _REPORT_USAGE],  # noqa: S603
                            env=env, cwd=REPO, capture_output=True, text=True, timeout=120, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"init failed ({result.returncode}): {result.stderr[-2000:]}")
    report = [line for line in result.stdout.splitlines() if line.startswith("RUSAGE ")][-1]
    _tag, cpu_s, maxrss_kib = report.split()
    return InitSample(cpu_s=float(cpu_s), rss_mib=int(maxrss_kib) / 1024)


def init_code(resources: TemplateResources, logical_id: str) -> tuple[str, str]:
    """What a fresh process runs for the function's init, and for the baseline beside it."""
    module = str(resources.function_property(logical_id, "Handler")).rsplit(".", 1)[0]
    clients = CLIENTS[logical_id]
    return _FUNCTION_INIT.format(module=module, clients=clients), _BASELINE_INIT.format(clients=clients)


def measure_function(resources: TemplateResources, logical_id: str, runs: int) -> ColdStart:
    """Alternate ``runs`` function inits with ``runs`` baseline inits; report the medians."""
    function_code, baseline_code = init_code(resources, logical_id)
    return _alternate(logical_id, function_code, baseline_code, function_environment(resources, logical_id), runs)


def measure_floor(resources: TemplateResources, name: str, runs: int) -> ColdStart:
    """The baseline plus one of ``LIBRARY_FLOORS`` (collector paused), alternating with the plain baseline, in
    IntakeFunction's environment."""
    baseline_code = _BASELINE_INIT.format(clients=CLIENTS[FLOOR_FUNCTION])
    return _alternate(name, _PAUSE + baseline_code + LIBRARY_FLOORS[name] + _RESUME, baseline_code,
                      function_environment(resources, FLOOR_FUNCTION), runs)


def _alternate(name: str, function_code: str, baseline_code: str, env: dict[str, str], runs: int) -> ColdStart:
    """``runs`` inits of ``function_code`` alternating with ``runs`` of ``baseline_code``: the medians of each."""
    own: list[InitSample] = []
    base: list[InitSample] = []
    # The first run of each compiles bytecode and warms the page cache: not counted.
    run_init(function_code, env)
    run_init(baseline_code, env)
    for _ in range(runs):
        own.append(run_init(function_code, env))
        base.append(run_init(baseline_code, env))
    return ColdStart(
        function=name, runs=runs,
        cpu_s=median([s.cpu_s for s in own]), rss_mib=median([s.rss_mib for s in own]),
        baseline_cpu_s=median([s.cpu_s for s in base]), baseline_rss_mib=median([s.rss_mib for s in base]),
    )


def measure_against(resources: TemplateResources, logical_id: str, runs: int,
                    other_functions: Path) -> tuple[ColdStart, ColdStart]:
    """This checkout's init, another checkout's (``other_functions``: its ``functions`` folder) and the baseline,
    in turn ``runs`` times: a before/after comparison that drift on the machine touches alike. Both rows share
    the baseline's samples."""
    function_code, baseline_code = init_code(resources, logical_id)
    env = function_environment(resources, logical_id)
    other_env = env | {"PYTHONPATH": str(other_functions)}
    samples: dict[str, list[InitSample]] = {"this": [], "other": [], "baseline": []}
    runners = {"this": (function_code, env), "other": (function_code, other_env), "baseline": (baseline_code, env)}
    for code, run_env in runners.values():  # compiles bytecode and warms the page cache: not counted
        run_init(code, run_env)
    for _ in range(runs):
        for name, (code, run_env) in runners.items():
            samples[name].append(run_init(code, run_env))
    base = samples["baseline"]

    def row(name: str, own: list[InitSample]) -> ColdStart:
        return ColdStart(function=name, runs=runs,
                         cpu_s=median([s.cpu_s for s in own]), rss_mib=median([s.rss_mib for s in own]),
                         baseline_cpu_s=median([s.cpu_s for s in base]),
                         baseline_rss_mib=median([s.rss_mib for s in base]))

    return row(logical_id, samples["this"]), row(f"{logical_id} ({other_functions})", samples["other"])


def measure_all(runs: int, resources: TemplateResources | None = None) -> list[ColdStart]:
    """Every function in CLIENTS, in order."""
    resources = resources or TemplateResources()
    return [measure_function(resources, lid, runs) for lid in CLIENTS]


def measure_floors(runs: int, resources: TemplateResources | None = None) -> list[ColdStart]:
    """Every one of ``LIBRARY_FLOORS``, in order."""
    resources = resources or TemplateResources()
    return [measure_floor(resources, name, runs) for name in LIBRARY_FLOORS]


# What a handler's import spends, beyond its libraries: the libraries (INTAKE_FLOOR's, as the handlers import them)
# are imported first, then the handler, with the dataclass decorator, pydantic_core's validator (intake's, built
# from its core schema), and the enum class timed (process CPU time) wherever they run. pydantic itself is not
# imported: no handler loads it (``tests/unit/test_cold_start_imports.py``). ``--breakdown`` prints it.
_BREAKDOWN = _PAUSE + _BASELINE_INIT + LIBRARY_FLOORS[INTAKE_FLOOR] + """
import dataclasses, enum, importlib, json, sys, time
import pydantic_core
spent = {"dataclasses": [0.0, 0], "core validators": [0.0, 0], "enums": [0.0, 0]}

def timed(owner, name, key):
    original = getattr(owner, name)
    def wrapper(*args, **kwargs):
        started = time.process_time()
        try:
            return original(*args, **kwargs)
        finally:
            spent[key][0] += time.process_time() - started
            spent[key][1] += 1
    setattr(owner, name, wrapper)

timed(dataclasses, "_process_class", "dataclasses")
timed(pydantic_core, "SchemaValidator", "core validators")
timed(enum.EnumType, "__new__", "enums")
before = set(sys.modules)
started = time.process_time()
importlib.import_module({module!r})
total = time.process_time() - started
ours = sorted(m for m in set(sys.modules) - before if m.startswith("inquiries"))
print("BREAKDOWN " + json.dumps({"total_ms": total * 1000, "our_modules": len(ours),
      "other_modules": len(set(sys.modules) - before) - len(ours),
      **{k: [v[0] * 1000, v[1]] for k, v in spent.items()}}))
"""


def breakdown(resources: TemplateResources, logical_id: str, runs: int) -> dict[str, list[float]]:
    """Medians over ``runs`` fresh processes of what the handler's import spends beyond INTAKE_FLOOR's libraries:
    in total, creating dataclasses, building pydantic_core validators and enums (ms, and how many were made)."""
    module = str(resources.function_property(logical_id, "Handler")).rsplit(".", 1)[0]
    code = _BREAKDOWN.replace("{clients!r}", repr(CLIENTS[FLOOR_FUNCTION])).replace("{module!r}", repr(module))
    env = function_environment(resources, logical_id)
    samples: list[dict[str, Any]] = []
    for _ in range(runs + 1):  # the first compiles bytecode: not counted
        result = subprocess.run(["/bin/sh", "-c", _FORKING_SHELL, sys.executable, code],  # noqa: S603
                                env=env, cwd=REPO, capture_output=True, text=True, timeout=120, check=False)
        if result.returncode != 0:
            raise RuntimeError(f"breakdown failed ({result.returncode}): {result.stderr[-2000:]}")
        line = [x for x in result.stdout.splitlines() if x.startswith("BREAKDOWN ")][-1]
        samples.append(json.loads(line.removeprefix("BREAKDOWN ")))
    samples = samples[1:]
    out: dict[str, list[float]] = {}
    for key, value in samples[0].items():
        if isinstance(value, list):
            out[key] = [median([s[key][0] for s in samples]), value[1]]
        else:
            out[key] = [median([float(s[key]) for s in samples])]
    return out


def _row(c: ColdStart) -> str:
    return (f"| {c.function} | {c.cpu_s:.3f} | {c.baseline_cpu_s:.3f} | {c.cpu_ratio:.2f}x | {c.rss_mib:.1f} | "
            f"{c.baseline_rss_mib:.1f} | {c.rss_ratio:.2f}x | {c.runs} |")


def main(argv: list[str] | None = None) -> int:
    """Measure some functions' cold starts (all by default) without the rest of ``make bench``."""
    parser = argparse.ArgumentParser(prog="python -m infra.bench.cold_start", description=main.__doc__)
    parser.add_argument("--function", action="append", choices=sorted(CLIENTS), metavar="LOGICAL_ID",
                        help="a function's logical ID in template.yaml; repeat for several (default: every one)")
    parser.add_argument("--runs", type=int, default=11, help="inits of each, alternating (default 11)")
    parser.add_argument("--floors", action="store_true", help="also the library floors (LIBRARY_FLOORS)")
    parser.add_argument("--breakdown", action="store_true",
                        help="also what each function's import spends beyond IntakeFunction's libraries")
    parser.add_argument("--against", type=Path, metavar="FUNCTIONS_DIR",
                        help="also another checkout's functions folder (e.g. an older commit's, from git archive), "
                             "in turn with this one and the baseline")
    args = parser.parse_args(argv)
    resources = TemplateResources()
    sys.stdout.write(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}\n")
    sys.stdout.write("| function | CPU s | baseline CPU s | CPU ratio | peak RSS MiB | baseline MiB | RSS ratio "
                     "| runs |\n|---|---|---|---|---|---|---|---|\n")
    for logical_id in args.function or list(CLIENTS):
        rows: tuple[ColdStart, ...]
        if args.against:
            rows = measure_against(resources, logical_id, args.runs, args.against.resolve())
        else:
            rows = (measure_function(resources, logical_id, args.runs),)
        for measured in rows:
            sys.stdout.write(_row(measured) + "\n")
        if args.breakdown:
            found = breakdown(resources, logical_id, args.runs)
            made = ", ".join(f"{k} {v[0]:.1f} ms ({v[1]:.0f} made)" for k, v in found.items() if len(v) > 1)
            sys.stdout.write(f"  {logical_id}'s import beyond IntakeFunction's libraries (medians of {args.runs}): "
                             f"{found['total_ms'][0]:.1f} ms CPU in all; {made}; modules loaded: "
                             f"{found['our_modules'][0]:.0f} of ours, {found['other_modules'][0]:.0f} others\n")
        sys.stdout.flush()
    if args.floors:
        for name in LIBRARY_FLOORS:
            sys.stdout.write(_row(measure_floor(resources, name, args.runs)) + "\n")
    sys.stdout.write(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
