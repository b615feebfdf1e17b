"""Where the local stack's memory goes: tracemalloc snapshots on request (issue 23, a busy day).

Off unless ``LOCAL_TRACEMALLOC_DIR`` names a directory. Then the stack's process traces its allocations
(``LOCAL_TRACEMALLOC_FRAMES`` frames each, default 8) and, on SIGUSR2, writes a snapshot of what is alive
to ``snapshot-<n>.tracemalloc`` there (``python -m infra.bench.soak --snapshots DIR`` asks after each block;
``python -m infra.bench.memory_diff DIR`` compares them). A snapshot holds allocation sites (file and line),
never the allocated values, so it carries no PHI.
"""

from __future__ import annotations

import gc
import os
import signal
import threading
import tracemalloc
from collections.abc import Mapping
from pathlib import Path
from types import FrameType

SNAPSHOT_SIGNAL = signal.SIGUSR2
DIR_VARIABLE = "LOCAL_TRACEMALLOC_DIR"


def snapshot_path(directory: Path, number: int) -> Path:
    """Where the ``number``-th snapshot (from 1) is written."""
    return directory / f"snapshot-{number}.tracemalloc"


class MemoryProbe:
    """Traces allocations and writes a snapshot each time the process gets SIGUSR2."""

    def __init__(self, directory: Path, frames: int = 8) -> None:
        self.directory = directory
        self.frames = frames
        self.taken = 0
        self._lock = threading.Lock()

    def start(self) -> None:
        """Start tracing and listen for the signal (call from the main thread)."""
        self.directory.mkdir(parents=True, exist_ok=True)
        tracemalloc.start(self.frames)
        signal.signal(SNAPSHOT_SIGNAL, self._on_signal)

    def _on_signal(self, _signum: int, _frame: FrameType | None) -> None:
        # Written off the signal handler's thread: dumping takes seconds on a large heap.
        threading.Thread(target=self.take, name="memory-probe", daemon=True).start()

    def take(self) -> Path:
        """Collect garbage, then write what is alive now; the file appears whole (renamed into place)."""
        with self._lock:
            gc.collect()
            self.taken += 1
            path = snapshot_path(self.directory, self.taken)
            partial = path.with_suffix(".partial")
            self.directory.mkdir(parents=True, exist_ok=True)
            tracemalloc.take_snapshot().dump(str(partial))
            partial.replace(path)
            return path


def from_environ(environ: Mapping[str, str] | None = None) -> MemoryProbe | None:
    """The probe ``LOCAL_TRACEMALLOC_DIR`` asks for, not yet started; None when it is unset."""
    env = os.environ if environ is None else environ
    directory = env.get(DIR_VARIABLE, "")
    if not directory:
        return None
    return MemoryProbe(Path(directory), frames=max(1, int(env.get("LOCAL_TRACEMALLOC_FRAMES", "8"))))
