"""Where the local stack's memory goes, on request (issue 23, a busy day).

Off unless ``LOCAL_MEMORY_PROBE_DIR`` names a directory. Then, each time the stack's process gets SIGUSR2,
it collects garbage and writes there ``census-<n>.json``: the bytes each of moto's stores holds, by
attribute path (``infra/local/memory_census.py``). With ``LOCAL_TRACEMALLOC_FRAMES=<k>`` (k > 0) the process
also traces its allocations from the start (k frames each; several times slower) and writes
``snapshot-<n>.tracemalloc`` beside it. ``python -m infra.bench.soak --probe DIR`` asks after each block;
``python -m infra.bench.memory_diff DIR`` compares them. Both hold paths, file names, line numbers and
sizes, never a stored value, so no PHI.
"""

from __future__ import annotations

import gc
import json
import os
import signal
import threading
import tracemalloc
from collections.abc import Mapping
from pathlib import Path
from types import FrameType

from infra.local.memory_census import census

SNAPSHOT_SIGNAL = signal.SIGUSR2
DIR_VARIABLE = "LOCAL_MEMORY_PROBE_DIR"
FRAMES_VARIABLE = "LOCAL_TRACEMALLOC_FRAMES"


def snapshot_path(directory: Path, number: int) -> Path:
    """Where the ``number``-th tracemalloc snapshot (from 1) is written."""
    return directory / f"snapshot-{number}.tracemalloc"


def census_path(directory: Path, number: int) -> Path:
    """Where the ``number``-th census (from 1) is written; written last, so its presence means done."""
    return directory / f"census-{number}.json"


def _write_whole(path: Path, write: object) -> None:
    partial = path.with_name(path.name + ".partial")
    write(partial)  # type: ignore[operator]
    partial.replace(path)


class MemoryProbe:
    """Writes a census (and, when tracing, a tracemalloc snapshot) each time the process gets SIGUSR2."""

    def __init__(self, directory: Path, frames: int = 0) -> None:
        self.directory = directory
        self.frames = frames
        self.taken = 0
        self._lock = threading.Lock()

    def start(self) -> None:
        """Start tracing (if asked) and listen for the signal (call from the main thread)."""
        self.directory.mkdir(parents=True, exist_ok=True)
        if self.frames > 0:
            tracemalloc.start(self.frames)
        signal.signal(SNAPSHOT_SIGNAL, self._on_signal)

    def _on_signal(self, _signum: int, _frame: FrameType | None) -> None:
        # Written off the signal handler's thread: it takes seconds on a large heap.
        threading.Thread(target=self.take, name="memory-probe", daemon=True).start()

    def take(self) -> Path:
        """Collect garbage, then write what is alive now; each file appears whole (renamed into place)."""
        with self._lock:
            gc.collect()
            self.taken += 1
            self.directory.mkdir(parents=True, exist_ok=True)
            if tracemalloc.is_tracing():
                snapshot = tracemalloc.take_snapshot()
                _write_whole(snapshot_path(self.directory, self.taken), lambda p: snapshot.dump(str(p)))
            sizes = census()
            path = census_path(self.directory, self.taken)
            _write_whole(path, lambda p: p.write_text(json.dumps(sizes, indent=1), encoding="utf-8"))
            return path


def from_environ(environ: Mapping[str, str] | None = None) -> MemoryProbe | None:
    """The probe ``LOCAL_MEMORY_PROBE_DIR`` asks for, not yet started; None when it is unset."""
    env = os.environ if environ is None else environ
    directory = env.get(DIR_VARIABLE, "")
    if not directory:
        return None
    return MemoryProbe(Path(directory), frames=max(0, int(env.get(FRAMES_VARIABLE, "0"))))
