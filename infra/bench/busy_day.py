"""What makes the local stack slow down and grow as it fills: a profile, with and without the moto shims.

``python -m infra.bench.busy_day`` runs the local stack in a child process twice (``LOCAL_MOTO_SHIMS=0``,
then ``1``). The child runs the stack in its own process and posts blocks of inquiries to it over HTTP
(127.0.0.1, bounded clients); after each block has been delivered it reports its RSS and the objects alive
after a full collection that grew most since the previous block (``gc``: what holds memory). Meanwhile
py-spy samples the child from outside (100 times a second, idle threads left out, as py-spy does by
default): the functions that ran most, by samples in the function itself and anywhere on the stack.
"""

from __future__ import annotations

import argparse
import collections
import gc
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from infra.template import ROOT

VARIANTS = {"as it is": "0", "with the shims": "1"}


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


def child(inquiries: int, blocks: int, clients: int) -> None:
    """Run the stack here; say ``ready``, wait for a line on stdin, then post and report each block."""
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
    block = max(1, inquiries // blocks)
    gc.collect()
    before = _alive_by_type()
    _say(json.dumps({"ready": os.getpid()}))
    sys.stdin.readline()
    try:
        for n in range(blocks):
            started = time.perf_counter()
            with ThreadPoolExecutor(clients) as pool:
                posted = list(pool.map(lambda i: post_inquiry(config.api_port, i), range(n * block, (n + 1) * block)))
            ids = [p.inquiry_id for p in posted]
            while _undelivered(dynamodb, "InquiriesTable", ids):
                time.sleep(0.2)
            seconds = time.perf_counter() - started
            gc.collect()
            alive = _alive_by_type()
            grew = (alive - before).most_common(6)
            before = alive
            latencies = sorted(p.ms for p in posted)
            _say(json.dumps({
                "stored": (n + 1) * block, "rss_mib": _rss_mib(), "seconds": round(seconds, 2),
                "api_p50_ms": round(latencies[len(latencies) // 2], 1),
                "grew": [{"type": t, "objects": c} for t, c in grew],
            }))
    finally:
        stack.stop()


def py_spy() -> str | None:
    """The py-spy next to this interpreter (a dev dependency), or on PATH."""
    beside = Path(sys.executable).with_name("py-spy")
    return str(beside) if beside.is_file() else shutil.which("py-spy")


def hot_functions(raw: str, limit: int = 8) -> dict[str, list[dict[str, Any]]]:
    """From py-spy's raw output (``frame;frame;... count`` lines): the most sampled functions, by samples
    in the function itself (``own``) and anywhere on the stack (``anywhere``, moto's and ours only)."""
    own: collections.Counter[str] = collections.Counter()
    anywhere: collections.Counter[str] = collections.Counter()
    total = 0
    for line in raw.splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        frames = [_short(frame) for frame in stack.split(";")]
        total += int(count)
        own[frames[-1]] += int(count)
        for frame in set(frames):
            anywhere[frame] += int(count)
    total = max(1, total)

    def rows(counter: collections.Counter[str], keep: Any) -> list[dict[str, Any]]:
        return [{"function": f, "share": round(n / total, 3)} for f, n in counter.most_common() if keep(f)][:limit]

    return {"own": rows(own, lambda f: True),
            "anywhere": rows(anywhere, lambda f: f.startswith(("moto/", "infra/", "inquiries/", "functions/")))}


def _short(frame: str) -> str:
    """``name (path:line)`` as ``path(name)``, the path from site-packages or the repository."""
    name, _, where = frame.partition(" (")
    path = where.rstrip(")").rsplit(":", 1)[0]
    path = path.split("site-packages/")[-1].split(str(ROOT) + "/")[-1]
    return f"{path}({name})"


def measure(inquiries: int, blocks: int, clients: int) -> dict[str, dict[str, Any]]:
    """Each variant's blocks and its py-spy profile (``None`` without py-spy)."""
    spy = py_spy()
    found: dict[str, dict[str, Any]] = {}
    for name, shims in VARIANTS.items():
        with tempfile.TemporaryDirectory() as tmp:
            raw_path = Path(tmp) / "py-spy.txt"
            proc = subprocess.Popen(  # noqa: S603 - this module, this interpreter
                [sys.executable, "-m", "infra.bench.busy_day", "--child", "--inquiries", str(inquiries),
                 "--blocks", str(blocks), "--clients", str(clients)],
                cwd=ROOT, env={**os.environ, "LOCAL_MOTO_SHIMS": shims}, stdin=subprocess.PIPE,
                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
            assert proc.stdin is not None and proc.stdout is not None
            pid = int(json.loads(proc.stdout.readline())["ready"])
            sampler = None
            if spy is not None:
                sampler = subprocess.Popen(  # noqa: S603 - py-spy on our own child
                    [spy, "record", "--pid", str(pid), "--rate", "100", "--format", "raw", "--nonblocking",
                     "-o", str(raw_path)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                time.sleep(1.0)  # attached before the first block
            proc.stdin.write("go\n")
            proc.stdin.flush()
            rows = [json.loads(line) for line in proc.stdout if line.startswith('{"stored"')]
            proc.wait(timeout=1800)
            profile = None
            if sampler is not None:
                sampler.wait(timeout=60)  # py-spy stops and writes when the child exits
                profile = hot_functions(raw_path.read_text(encoding="utf-8")) if raw_path.is_file() else None
            found[name] = {"blocks": rows, "profile": profile}
    return found


def describe(found: dict[str, dict[str, Any]]) -> list[str]:
    """The findings as readable lines."""
    lines = []
    for name, variant in found.items():
        lines.append(f"== moto {name}")
        for row in variant["blocks"]:
            lines.append(f"after {row['stored']}: RSS {row['rss_mib']} MiB, block {row['seconds']} s, "
                         f"API p50 {row['api_p50_ms']} ms")
            lines.append("   objects that grew: " + ", ".join(f"{g['type']} +{g['objects']}" for g in row["grew"]))
        profile = variant["profile"]
        if profile is None:
            lines.append("   (no py-spy: no CPU profile)")
            continue
        for f in profile["own"][:6]:
            lines.append(f"   running {f['share']:6.1%}  {f['function']}")
        for f in profile["anywhere"][:8]:
            lines.append(f"   on the stack {f['share']:6.1%}  {f['function']}")
    return lines


def main(argv: list[str] | None = None) -> int:
    """Run the child with moto as it is, then with the shims, and print what each showed."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--inquiries", type=int, default=600)
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
