"""What grew between the local stack's memory probes (``python -m infra.bench.soak --probe DIR``).

``python -m infra.bench.memory_diff DIR`` prints, for each census after the first, the moto stores (by
attribute path) that grew most since the first; and, where the stack traced its allocations
(LOCAL_TRACEMALLOC_FRAMES), each tracemalloc snapshot's total and the allocation sites that grew most
(``--group traceback``: whole tracebacks; ``--group lineno``: the line alone).
"""

from __future__ import annotations

import argparse
import json
import sys
import tracemalloc
from pathlib import Path

MIB = 1024 * 1024


def snapshots_in(directory: Path) -> list[Path]:
    """The snapshots in the order they were taken."""
    return sorted(directory.glob("snapshot-*.tracemalloc"), key=lambda p: int(p.stem.split("-")[1]))


def censuses_in(directory: Path) -> list[Path]:
    """The censuses in the order they were taken."""
    return sorted(directory.glob("census-*.json"), key=lambda p: int(p.stem.split("-")[1]))


def census_growth(before: dict[str, int], after: dict[str, int], top: int) -> list[tuple[str, int, int]]:
    """The ``top`` paths by growth: (path, bytes grown, bytes now); a path absent before grew from nothing."""
    grown = [(path, size - before.get(path, 0), size) for path, size in after.items()]
    return sorted(grown, key=lambda g: g[1], reverse=True)[:top]


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
    censuses = censuses_in(args.directory)
    if censuses:
        start = json.loads(censuses[0].read_text(encoding="utf-8"))
        for path in censuses[1:]:
            later = json.loads(path.read_text(encoding="utf-8"))
            sys.stdout.write(f"== {path.name}: moto's stores that grew most since {censuses[0].name}\n")
            for where, grown, now in census_growth(start, later, args.top):
                sys.stdout.write(f"{grown / MIB:+8.1f} MiB  now {now / MIB:7.1f} MiB  {where}\n")
    paths = snapshots_in(args.directory)
    if len(paths) < 2:
        return 0 if censuses else 1
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
