"""Bytecode shipped or not: a function's cold start with its modules' bytecode, and compiled from source.

Lambda cannot write ``__pycache__`` under /var/task or /opt, so a module whose bytecode is not in the
artifact is compiled from source at every cold start. ``functions/Makefile`` therefore ships bytecode
(compiled by the runtime's Python version, hash-based and unchecked). This measures what that saves:
IntakeFunction's init (as in ``cold_start``) from the dependency layer and the ``inquiries`` package
without any bytecode, alternating with the same files with bytecode compiled by this interpreter, and
with the baseline. The layer is the host-platform copy ``make host-layer`` builds (the arm64 one cannot
load here); the runtime's boto3 comes compiled, as Lambda's does.
"""

from __future__ import annotations

import compileall
import py_compile
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from infra.bench.cold_start import FUNCTIONS_DIR, InitSample, function_environment, init_code, run_init
from infra.bench.percentiles import median, ratio
from infra.template import ROOT, TemplateResources

HOST_LAYER = ROOT / "build" / "host-layer" / "python"
FUNCTION = "IntakeFunction"


@dataclass(frozen=True)
class BytecodeEffect:
    """Medians of one function's init from source, with bytecode, and of the baseline."""

    function: str
    runs: int
    source_cpu_s: float
    bytecode_cpu_s: float
    baseline_cpu_s: float

    @property
    def source_ratio(self) -> float:
        """Init from source as a multiple of the baseline."""
        return ratio(self.source_cpu_s, self.baseline_cpu_s)

    @property
    def bytecode_ratio(self) -> float:
        """Init with bytecode as a multiple of the baseline."""
        return ratio(self.bytecode_cpu_s, self.baseline_cpu_s)


def _copy(source: Path, target: Path, *, bytecode: bool) -> None:
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__"))
    if bytecode:
        compileall.compile_dir(target, quiet=2, workers=0,
                               invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH)


def measure(runs: int, resources: TemplateResources | None = None, layer: Path = HOST_LAYER) -> BytecodeEffect | None:
    """``runs`` inits each way, alternating with the baseline; None when the host layer is not built."""
    if not layer.is_dir():
        return None
    resources = resources or TemplateResources()
    code, baseline = init_code(resources, FUNCTION)
    env = function_environment(resources, FUNCTION)
    samples: dict[str, list[InitSample]] = {"source": [], "bytecode": [], "baseline": []}
    with tempfile.TemporaryDirectory(prefix="bench-bytecode-") as scratch:
        envs = {}
        for kind in ("source", "bytecode"):
            root = Path(scratch) / kind
            _copy(FUNCTIONS_DIR / "inquiries", root / "code" / "inquiries", bytecode=kind == "bytecode")
            _copy(layer, root / "layer", bytecode=kind == "bytecode")
            # As on Lambda: nothing the import compiles can be written down for the next cold start.
            envs[kind] = {**env, "PYTHONPATH": f"{root / 'code'}:{root / 'layer'}", "PYTHONDONTWRITEBYTECODE": "1"}
        run_init(code, envs["bytecode"])
        run_init(baseline, envs["bytecode"])
        for _ in range(runs):
            samples["source"].append(run_init(code, envs["source"]))
            samples["bytecode"].append(run_init(code, envs["bytecode"]))
            samples["baseline"].append(run_init(baseline, envs["bytecode"]))
    cpu = {kind: median([s.cpu_s for s in found]) for kind, found in samples.items()}
    return BytecodeEffect(function=FUNCTION, runs=runs, source_cpu_s=cpu["source"], bytecode_cpu_s=cpu["bytecode"],
                          baseline_cpu_s=cpu["baseline"])
