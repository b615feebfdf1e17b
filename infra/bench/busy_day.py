"""What makes the local stack slow down and grow as it fills: a profile, with and without the moto shims.

``python -m infra.bench.busy_day`` runs the local stack in a child process twice (``LOCAL_MOTO_SHIMS=0``
then ``1``), each time in this module's ``--child`` mode: the stack runs in that process so the probe can
see inside it. Blocks of inquiries are posted over HTTP (127.0.0.1, bounded clients); after each block
has been delivered the child reports the process's RSS, the objects alive by type that grew since the
previous block (``gc``, after a full collection: what holds memory), and where the CPU went during the
block (a sampling profiler over every thread of the process, as py-spy samples: the functions seen
running most often, by own samples and by samples anywhere on the stack).
"""

from __future__ import annotations

import argparse
import collections
import gc
import json
import os
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from infra.template import ROOT


def _say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def _rss_mib() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def _alive_by_type() -> collections.Counter[str]:
    return collections.Counter(f"{type(o).__module__}.{type(o).__qualname__}" for o in gc.get_objects())


IDLE = frozenset({"wait", "select", "poll", "accept", "sleep", "readinto", "recv_into", "_recv_into", "acquire",
                  "get", "serve_forever", "_wait_for_tstate_lock", "join"})


class Sampler(threading.Thread):
    """Every ``interval`` seconds, the function each busy thread is running and every function on its stack."""

    def __init__(self, interval: float = 0.005) -> None:
        super().__init__(name="busy-day-sampler", daemon=True)
        self.interval = interval
        self.own: collections.Counter[str] = collections.Counter()
        self.anywhere: collections.Counter[str] = collections.Counter()
        self.samples = 0
        self._stop_event = threading.Event()

    def run(self) -> None:
        me = threading.get_ident()
        while not self._stop_event.wait(self.interval):
            for ident, frame in sys._current_frames().items():
                if ident == me or frame.f_code.co_name in IDLE:
                    continue
                names = []
                f: Any = frame
                while f is not None:
                    names.append(_where(f.f_code.co_filename, f.f_code.co_firstlineno, f.f_code.co_name))
                    f = f.f_back
                self.samples += 1
                self.own[names[0]] += 1
                for name in set(names):
                    self.anywhere[name] += 1

    def stop(self) -> None:
        """Stop sampling."""
        self._stop_event.set()
        self.join()

    def top(self, limit: int) -> list[dict[str, Any]]:
        """The most sampled functions (own), with their share of all samples anywhere on the stack."""
        total = max(1, self.samples)
        return [{"function": name, "own_share": round(n / total, 3),
                 "anywhere_share": round(self.anywhere[name] / total, 3)} for name, n in self.own.most_common(limit)]

    def top_anywhere(self, prefix: str, limit: int) -> list[dict[str, Any]]:
        """The functions under ``prefix`` (e.g. ``moto/``) seen most often anywhere on the stack."""
        total = max(1, self.samples)
        return [{"function": name, "anywhere_share": round(n / total, 3)}
                for name, n in self.anywhere.most_common() if name.startswith(prefix)][:limit]


def _where(filename: str, line: int, name: str) -> str:
    return f"{filename.split('site-packages/')[-1].split(str(ROOT) + '/')[-1]}:{line}({name})"


def child(inquiries: int, blocks: int, clients: int) -> None:
    """Run the stack here, post ``blocks`` blocks, print one JSON line per block."""
    from infra.bench.end_to_end import _session, _undelivered, post_inquiry
    from infra.local.child import free_port
    from infra.local.config import LocalConfig
    from infra.local.stack import LocalStack

    os.environ["LOCAL_API_PORT"] = str(free_port())
    os.environ["LOCAL_AWS_PORT"] = str(free_port())
    config = LocalConfig.from_environ()
    stack = LocalStack(config)
    stack.start()
    dynamodb = _session().client("dynamodb", endpoint_url=config.aws_url)
    block = inquiries // blocks
    gc.collect()
    before = _alive_by_type()
    try:
        for n in range(blocks):
            sampler = Sampler()
            sampler.start()
            started = time.perf_counter()
            with ThreadPoolExecutor(clients) as pool:
                posted = list(pool.map(lambda i: post_inquiry(config.api_port, i), range(n * block, (n + 1) * block)))
            ids = [p.inquiry_id for p in posted]
            while _undelivered(dynamodb, "InquiriesTable", ids):
                time.sleep(0.2)
            seconds = time.perf_counter() - started
            sampler.stop()
            gc.collect()
            alive = _alive_by_type()
            grew = (alive - before).most_common(6)
            before = alive
            latencies = sorted(p.ms for p in posted)
            _say(json.dumps({
                "stored": (n + 1) * block, "rss_mib": _rss_mib(), "seconds": round(seconds, 2),
                "api_p50_ms": round(latencies[len(latencies) // 2], 1),
                "grew": [{"type": t, "objects": c} for t, c in grew],
                "cpu": sampler.top(8), "moto": sampler.top_anywhere("moto/", 8),
            }))
    finally:
        stack.stop()


VARIANTS = {"as it is": "0", "with the shims": "1"}


def measure(inquiries: int, blocks: int, clients: int) -> dict[str, list[dict[str, Any]]]:
    """Each variant's rows (one per block): run the child with moto as it is, then with the shims."""
    found: dict[str, list[dict[str, Any]]] = {}
    for name, shims in VARIANTS.items():
        out = subprocess.run(  # noqa: S603 - this module, this interpreter
            [sys.executable, "-m", "infra.bench.busy_day", "--child", "--inquiries", str(inquiries),
             "--blocks", str(blocks), "--clients", str(clients)],
            cwd=ROOT, env={**os.environ, "LOCAL_MOTO_SHIMS": shims}, check=True, capture_output=True, text=True,
            timeout=1800)
        found[name] = [json.loads(line) for line in out.stdout.splitlines() if line.startswith('{"stored"')]
    return found


def describe(found: dict[str, list[dict[str, Any]]]) -> list[str]:
    """The rows as readable lines."""
    lines = []
    for name, rows in found.items():
        lines.append(f"== moto {name}")
        for row in rows:
            lines.append(f"after {row['stored']}: RSS {row['rss_mib']} MiB, block {row['seconds']} s, "
                         f"API p50 {row['api_p50_ms']} ms")
            lines.append("   objects that grew: " + ", ".join(f"{g['type']} +{g['objects']}" for g in row["grew"]))
            for f in row["cpu"][:5]:
                lines.append(f"   running {f['own_share']:6.1%} (on the stack {f['anywhere_share']:6.1%})  "
                             f"{f['function']}")
            for f in row["moto"][:5]:
                lines.append(f"   on the stack {f['anywhere_share']:6.1%}  {f['function']}")
    return lines


def main(argv: list[str] | None = None) -> int:
    """Run the child with moto as it is, then with the shims, and print what each block showed."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--inquiries", type=int, default=300)
    parser.add_argument("--blocks", type=int, default=3)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.inquiries, args.blocks, args.clients)
        return 0
    for line in describe(measure(args.inquiries, args.blocks, args.clients)):
        _say(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
