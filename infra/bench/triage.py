"""Triage speed: microseconds per message for what ``inquiries.triage`` offers, beside a baseline.

Today that is ``signals_danger`` (issue 8 turns the patterns into rules as data; this measures whatever
the module's public check is). The baseline, timed on the same messages in the same run, is one
case-insensitive search for a single word: what the cheapest possible check costs.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass

from infra.bench.percentiles import ratio

# Lengths and wording like real inquiries: short and long, calm and urgent, curly apostrophes included.
MESSAGES: tuple[str, ...] = (
    "I would like to learn about ketamine-assisted therapy for treatment-resistant depression.",
    "My doctor suggested I look into this. What does the first visit involve, and is it covered by insurance?",
    "I've been struggling for a long time and honestly I can\u2019t go on like this anymore.",
    "Hello",
    ("I have tried four different antidepressants over the last six years and none of them helped much. "
     "I read about ketamine and I'm curious whether I'd be a candidate. I work nights, so mornings are best. ") * 8,
    "Sometimes I think everyone would be better off dead than dealing with me.",
    "Asking for my partner, who has PTSD. Do you offer couples sessions or integration support afterwards?",
    "",
)


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


def _per_message_us(check: Callable[[str], object], rounds: int) -> float:
    started = time.perf_counter()
    for _ in range(rounds):
        for message in MESSAGES:
            check(message)
    return (time.perf_counter() - started) * 1e6 / (rounds * len(MESSAGES))


def measure(rounds: int) -> TriageSpeed:
    """Time ``rounds`` passes over MESSAGES, alternating the check and the baseline in blocks."""
    from inquiries.triage import signals_danger

    one_word = re.compile(r"\bsuicid\w*", re.IGNORECASE)

    def baseline(text: str) -> bool:
        return one_word.search(text) is not None

    own: list[float] = []
    base: list[float] = []
    blocks = 5
    for _ in range(blocks):
        own.append(_per_message_us(signals_danger, max(1, rounds // blocks)))
        base.append(_per_message_us(baseline, max(1, rounds // blocks)))
    return TriageSpeed(check="inquiries.triage.signals_danger", messages=len(MESSAGES) * rounds,
                       us_per_message=round(min(own), 2), baseline_us_per_message=round(min(base), 2))
