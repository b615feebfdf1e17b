"""Triage speed: microseconds per message for what ``inquiries.triage`` offers, beside a baseline.

``inquiries.triage.assess`` (rules and model, issue 17) on the labelled corpus ``make triage`` reads
(tests/data/triage: the training rounds, crisis and ordinary). The baseline, timed on the same messages in the
same run, is one case-insensitive search for a single word: what the cheapest possible check costs.
"""

from __future__ import annotations

import re
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from infra.bench.percentiles import ratio

# The corpus grows round by round; the benchmark times a fixed-size, evenly spread sample of it.
SAMPLE_SIZE = 1000


def corpus() -> list[str]:
    """An evenly spread sample (every n-th) of the triage corpus's training rounds, crisis and ordinary."""
    from infra import triage_corpus

    texts = [p.text for p in triage_corpus.load(frozen=False)]
    return texts[::max(1, len(texts) // SAMPLE_SIZE)]


@dataclass(frozen=True)
class TriageSpeed:
    """Microseconds per message for the check and for the one-word baseline."""

    check: str
    messages: int
    us_per_message: float
    baseline_us_per_message: float

    @property
    def ratio(self) -> float:
        """The check as a multiple of the baseline."""
        return ratio(self.us_per_message, self.baseline_us_per_message)


def _per_message_us(check: Callable[[str], object], messages: Sequence[str], rounds: int) -> float:
    started = time.perf_counter()
    for _ in range(rounds):
        for message in messages:
            check(message)
    return (time.perf_counter() - started) * 1e6 / (rounds * len(messages))


def measure(rounds: int) -> TriageSpeed:
    """Time ``rounds`` passes over the corpus, alternating the check and the baseline in blocks."""
    from inquiries.triage import assess

    messages = corpus()
    one_word = re.compile(r"\bsuicid\w*", re.IGNORECASE)

    def baseline(text: str) -> bool:
        return one_word.search(text) is not None

    own: list[float] = []
    base: list[float] = []
    blocks = 5
    for _ in range(blocks):
        own.append(_per_message_us(assess, messages, max(1, rounds // blocks)))
        base.append(_per_message_us(baseline, messages, max(1, rounds // blocks)))
    return TriageSpeed(check="inquiries.triage.assess", messages=len(messages) * blocks * max(1, rounds // blocks),
                       us_per_message=round(min(own), 2), baseline_us_per_message=round(min(base), 2))


# The per-message timing (``python -m infra.bench.triage``): every fourth training phrasing, each timed alone
# five times after a warm-up pass, and the 2,000-character message twenty times (issue 17's goals).
EVERY_NTH, REPEATS, WARM_UP, LONG_CHARACTERS, LONG_REPEATS = 4, 5, 200, 2000, 20


@dataclass(frozen=True)
class PerMessage:
    """Microseconds per message, each message timed alone: median and p99 by the clock and by the thread's CPU
    time (which the other processes on a shared machine move less), and the 2,000-character message."""

    median_us: float
    p99_us: float
    cpu_median_us: float
    cpu_p99_us: float
    long_us: float
    # What the interpreter's first message cost (CPU): it loads the rules' index and the model.
    first_message_ms: float = 0.0


def _per_message(check: Callable[[str], object], texts: Sequence[str], repeats: int) -> tuple[list[float], list[float]]:
    wall: list[float] = []
    cpu: list[float] = []
    for text in texts:
        started, started_cpu = time.perf_counter(), time.thread_time()
        for _ in range(repeats):
            check(text)
        cpu.append((time.thread_time() - started_cpu) * 1e6 / repeats)
        wall.append((time.perf_counter() - started) * 1e6 / repeats)
    return wall, cpu


def _quantile(values: list[float], q: float) -> float:
    if q == 0.5:
        return statistics.median(values)
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))]


def per_message() -> PerMessage:
    """Time ``inquiries.triage.assess`` (whichever this interpreter imports) per message."""
    from inquiries.triage import assess

    from infra import triage_corpus

    texts = [p.text for p in triage_corpus.load(frozen=False)]
    started = time.process_time()
    assess(texts[0])
    first_message_ms = (time.process_time() - started) * 1e3
    for text in texts[:WARM_UP]:
        assess(text)
    wall, cpu = _per_message(assess, texts[::EVERY_NTH], REPEATS)
    long_message = max(texts, key=len)[:LONG_CHARACTERS]
    long_wall, _ = _per_message(assess, [long_message] * LONG_REPEATS, 1)
    return PerMessage(median_us=round(_quantile(wall, 0.5), 1), p99_us=round(_quantile(wall, 0.99), 1),
                      cpu_median_us=round(_quantile(cpu, 0.5), 1), cpu_p99_us=round(_quantile(cpu, 0.99), 1),
                      long_us=round(statistics.median(long_wall), 1), first_message_ms=round(first_message_ms, 1))


def main(argv: list[str] | None = None) -> int:
    """``python -m infra.bench.triage [--against FUNCTIONS_DIR] [--runs N]``: triage's microseconds per message,
    each run in a fresh interpreter; with ``--against``, alternated with another checkout's ``functions/``
    (A B A B ..., so the load on a shared machine falls on both alike)."""
    import argparse  # the command line only
    import json
    import os
    import subprocess
    import sys

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--against", help="another checkout's functions/ directory, timed alternately")
    parser.add_argument("--runs", type=int, default=2, help="runs of each (default 2)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        import inquiries.triage

        where = os.path.dirname(os.path.dirname(os.path.dirname(inquiries.triage.__file__ or "")))
        sys.stdout.write(json.dumps({"where": where, **per_message().__dict__}) + "\n")
        return 0
    builds: list[tuple[str, str | None]] = [("this", None)]
    if args.against:
        builds.append(("against", os.path.abspath(args.against)))
    for _ in range(args.runs):
        for name, functions in builds:
            env = dict(os.environ)
            if functions is not None:
                env["PYTHONPATH"] = os.pathsep.join(filter(None, [functions, env.get("PYTHONPATH")]))
            out = subprocess.run([sys.executable, "-m", "infra.bench.triage", "--child"], env=env, check=True,
                                 capture_output=True, text=True).stdout
            found = json.loads(out)
            where = found.pop("where")
            if functions is not None and where != functions:
                raise SystemExit(f"--against: the child imported triage from {where}, not {functions}")
            got = PerMessage(**found)
            sys.stdout.write(f"{name:8} median {got.median_us:6.0f} µs  p99 {got.p99_us:6.0f} µs  "
                             f"(thread CPU: median {got.cpu_median_us:.0f}, p99 {got.cpu_p99_us:.0f})  "
                             f"{LONG_CHARACTERS} characters {got.long_us:.0f} µs; "
                             f"first message {got.first_message_ms:.0f} ms CPU\n")
            sys.stdout.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
