"""Triage speed: microseconds per message for what ``inquiries.triage`` offers, beside a baseline.

``inquiries.triage.assess`` (rules and model, issue 17) on the labelled corpus ``make triage`` reads
(tests/data/triage: the training rounds, crisis and ordinary). The baseline, timed on the same messages in the
same run, is one case-insensitive search for a single word: what the cheapest possible check costs.
"""

from __future__ import annotations

import re
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
