"""The local stack's memory probe: off unless asked, and each snapshot shows what grew, where."""

from __future__ import annotations

import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import pytest

from infra.bench import memory_diff
from infra.local import memory_probe


@pytest.fixture
def tracing() -> Iterator[None]:
    was = tracemalloc.is_tracing()
    yield
    if not was:
        tracemalloc.stop()


def test_the_probe_is_off_unless_a_directory_is_named(tmp_path: Path) -> None:
    assert memory_probe.from_environ({}) is None
    assert memory_probe.from_environ({"LOCAL_TRACEMALLOC_DIR": ""}) is None
    probe = memory_probe.from_environ({"LOCAL_TRACEMALLOC_DIR": str(tmp_path), "LOCAL_TRACEMALLOC_FRAMES": "3"})
    assert probe is not None and probe.directory == tmp_path and probe.frames == 3


_kept: list[bytes] = []


def _grow() -> None:
    _kept.extend(bytes(1024) for _ in range(2048))  # ~2 MiB alive, allocated on this line


def test_snapshots_are_numbered_and_their_difference_names_the_line_that_grew(tmp_path: Path,
                                                                              tracing: None) -> None:
    probe = memory_probe.MemoryProbe(tmp_path / "snaps", frames=4)
    tracemalloc.start(probe.frames)
    first = probe.take()
    _grow()
    second = probe.take()
    _kept.clear()
    assert [p.name for p in memory_diff.snapshots_in(tmp_path / "snaps")] == [first.name, second.name]
    assert first == memory_probe.snapshot_path(tmp_path / "snaps", 1)
    top = memory_diff.growers(tracemalloc.Snapshot.load(str(first)), tracemalloc.Snapshot.load(str(second)),
                              "traceback", 1)[0]
    assert top.size_diff > 2_000_000
    assert "test_memory_probe.py" in memory_diff.describe(top, frames=2)
