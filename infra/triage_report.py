"""How well crisis triage does on the corpus, and what it costs per message.

    python -m infra.triage_report [--repeat 200]      (or: make triage)

Reads the labelled corpus in tests/data/ (crisis phrasings with their expected category, and
ordinary inquiries) and prints recall, the false-alarm rate and the median time to assess one
message. The figures in docs/triage.md come from this command. Nothing leaves the machine.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from inquiries.triage import assess

CORPUS_DIR = Path(__file__).resolve().parent.parent / "tests" / "data"
CRISIS_FILE = CORPUS_DIR / "triage_crisis.tsv"
ORDINARY_FILE = CORPUS_DIR / "triage_ordinary.txt"
MAX_MESSAGE_LENGTH = 2000  # the longest message InquiryIn accepts


@dataclass(frozen=True)
class CrisisPhrasing:
    """One crisis phrasing and the category it must be matched with."""

    category: str
    text: str


def _lines(path: Path) -> list[str]:
    return [line.rstrip("\n") for line in path.read_text("utf-8").splitlines()
            if line.strip() and not line.startswith("#")]


def crisis_phrasings(path: Path = CRISIS_FILE) -> list[CrisisPhrasing]:
    """The crisis corpus: ``category<TAB>phrasing`` per line; ``#`` starts a comment line."""
    phrasings = []
    for line in _lines(path):
        category, _, text = line.partition("\t")
        phrasings.append(CrisisPhrasing(category=category.strip(), text=text.strip()))
    return phrasings


def ordinary_inquiries(path: Path = ORDINARY_FILE) -> list[str]:
    """The ordinary corpus: one inquiry per line; ``#`` starts a comment line."""
    return [line.strip() for line in _lines(path)]


@dataclass(frozen=True)
class Report:
    """Triage on the corpus: what it caught, what it flagged wrongly, what it cost."""

    crisis_total: int
    crisis_caught: int
    ordinary_total: int
    false_alarms: int
    median_microseconds: float
    longest_message_microseconds: float

    @property
    def recall(self) -> float:
        return self.crisis_caught / self.crisis_total

    @property
    def false_alarm_rate(self) -> float:
        return self.false_alarms / self.ordinary_total


def caught(phrasing: CrisisPhrasing) -> bool:
    """True when the phrasing is urgent and matched with its labelled category."""
    return phrasing.category in assess(phrasing.text).categories


def median_microseconds(texts: list[str], repeat: int) -> float:
    """Median over the texts of the mean time of ``repeat`` assessments of each."""
    per_text = []
    for text in texts:
        start = time.perf_counter()
        for _ in range(repeat):
            assess(text)
        per_text.append((time.perf_counter() - start) / repeat * 1e6)
    return statistics.median(per_text)


def measure(repeat: int = 200) -> Report:
    """Run the corpus through triage."""
    crisis = crisis_phrasings()
    ordinary = ordinary_inquiries()
    return Report(
        crisis_total=len(crisis),
        crisis_caught=sum(caught(p) for p in crisis),
        ordinary_total=len(ordinary),
        false_alarms=sum(assess(text).urgent for text in ordinary),
        median_microseconds=median_microseconds([p.text for p in crisis] + ordinary, repeat),
        longest_message_microseconds=median_microseconds([longest_message(ordinary)], repeat),
    )


def longest_message(ordinary: list[str]) -> str:
    """The longest message the API takes (2000 characters), made of ordinary inquiries."""
    return " ".join(ordinary * 20)[:MAX_MESSAGE_LENGTH]


def main(argv: list[str] | None = None) -> int:
    """Print the figures; exit 1 when recall is below 100% or false alarms above 5%."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=200, help="assessments of each message when timing")
    args = parser.parse_args(argv)
    report = measure(args.repeat)
    lines = [
        f"crisis phrasings:  {report.crisis_total}",
        f"recall:            {report.recall:.1%} ({report.crisis_caught}/{report.crisis_total}, "
        "urgent and with the labelled category)",
        f"ordinary inquiries: {report.ordinary_total}",
        f"false-alarm rate:  {report.false_alarm_rate:.1%} ({report.false_alarms}/{report.ordinary_total})",
        f"cost per message:  {report.median_microseconds:.0f} µs (median over the corpus, {args.repeat} runs each)",
        f"longest message:   {report.longest_message_microseconds:.0f} µs ({MAX_MESSAGE_LENGTH} characters)",
    ]
    sys.stdout.write("\n".join(lines) + "\n")
    return 0 if report.recall == 1.0 and report.false_alarm_rate <= 0.05 else 1


if __name__ == "__main__":
    raise SystemExit(main())
