"""What grew between the local stack's tracemalloc snapshots (``python -m infra.bench.soak --snapshots DIR``).

``python -m infra.bench.memory_diff DIR`` prints, for each snapshot after the first, the traced total and
the allocation sites that grew most since the first, grouped by the first frame that is not a library's
generic container code (``--group traceback`` keeps whole tracebacks; ``--group lineno`` the line alone).
"""

from __future__ import annotations

import argparse
import sys
import tracemalloc
from pathlib import Path

MIB = 1024 * 1024


def snapshots_in(directory: Path) -> list[Path]:
    """The snapshots in the order they were taken."""
    return sorted(directory.glob("snapshot-*.tracemalloc"), key=lambda p: int(p.stem.split("-")[1]))


def growers(before: tracemalloc.Snapshot, after: tracemalloc.Snapshot, group: str,
            top: int) -> list[tracemalloc.StatisticDiff]:
    """The ``top`` allocation sites by growth in size from ``before`` to ``after``."""
    diffs = after.compare_to(before, group)
    return sorted(diffs, key=lambda d: d.size_diff, reverse=True)[:top]


def describe(diff: tracemalloc.StatisticDiff, frames: int) -> str:
    """One grower: its growth, its size, its count and its innermost ``frames`` frames (innermost last)."""
    where = " <- ".join(f"{Path(f.filename).name}:{f.lineno}" for f in list(diff.traceback)[-frames:][::-1])
    return (f"{diff.size_diff / MIB:+8.1f} MiB  now {diff.size / MIB:7.1f} MiB  "
            f"{diff.count_diff:+9d} blocks  {where}")


def main(argv: list[str] | None = None) -> int:
    """Print the growth of each snapshot against the first."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("directory", type=Path)
    parser.add_argument("--group", choices=("lineno", "traceback"), default="traceback")
    parser.add_argument("--top", type=int, default=15)
    parser.add_argument("--frames", type=int, default=6)
    args = parser.parse_args(argv)
    paths = snapshots_in(args.directory)
    if len(paths) < 2:
        sys.stderr.write("need at least two snapshots\n")
        return 1
    first = tracemalloc.Snapshot.load(str(paths[0]))
    for path in paths[1:]:
        later = tracemalloc.Snapshot.load(str(path))
        total = sum(s.size for s in later.statistics("filename")) / MIB
        sys.stdout.write(f"== {path.name}: traced {total:.1f} MiB\n")
        for diff in growers(first, later, args.group, args.top):
            sys.stdout.write(describe(diff, args.frames) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
