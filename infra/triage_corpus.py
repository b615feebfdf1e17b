"""The labelled triage corpus: rounds of de-identified phrasings, each line ``level<TAB>category<TAB>text``.

Files live in ``tests/data/triage/``, one per language and round: ``en_r0.tsv`` ... ``es_r2.tsv``.
``level`` is ``urgent``, ``priority`` or ``none``; ``category`` is a triage category code (``-`` for
``none``). A line starting with ``#`` is a comment.

Some rounds are **frozen**: written by someone who never saw the rules or the model, and never looked
at, tuned on or trained on afterwards. Only their totals are printed (``make triage``); they measure
triage on words nobody here has fitted. The others are training rounds: the rules and lexicons were
written with them in view and the model learns from them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

CORPUS_DIR = Path(__file__).resolve().parent.parent / "tests" / "data" / "triage"
LEVELS = ("urgent", "priority", "none")
# Never tuned on, never trained on: see the module docstring and docs/triage.md.
FROZEN_ROUNDS = frozenset({"en_r5", "es_r2", "en_r16", "es_r9"})
_ROUND_FILE = re.compile(r"(?P<language>[a-z]{2})_r(?P<number>\d+)\.tsv")


@dataclass(frozen=True)
class Phrasing:
    """One labelled message of the corpus."""

    round: str
    language: str
    level: str
    category: str
    text: str

    @property
    def urgent(self) -> bool:
        """Labelled urgent: danger now or soon."""
        return self.level == "urgent"


class CorpusError(ValueError):
    """A corpus line that breaks the format (the message names the file and line, never the text)."""


def read_round(path: Path) -> list[Phrasing]:
    """The phrasings of one round file."""
    found = _ROUND_FILE.fullmatch(path.name)
    if found is None:
        raise CorpusError(f"{path.name}: a round file is named like en_r1.tsv")
    phrasings = []
    for number, line in enumerate(path.read_text("utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) != 3:
            raise CorpusError(f"{path.name}:{number}: expected level<TAB>category<TAB>text")
        level, category, text = (part.strip() for part in parts)
        if level not in LEVELS or not text or (category == "-") != (level == "none"):
            raise CorpusError(f"{path.name}:{number}: bad level or category")
        phrasings.append(Phrasing(round=path.stem, language=found["language"], level=level,
                                  category=category, text=text))
    return phrasings


def round_names(directory: Path = CORPUS_DIR) -> list[str]:
    """Every round in the corpus, e.g. ``["en_r0", "en_r1", ..., "es_r2"]``."""
    return sorted(p.stem for p in directory.glob("*.tsv") if _ROUND_FILE.fullmatch(p.name))


def load(directory: Path = CORPUS_DIR, *, frozen: bool | None = None) -> list[Phrasing]:
    """The corpus: every round (``frozen=None``), only the frozen rounds (True) or only training (False)."""
    phrasings: list[Phrasing] = []
    for name in round_names(directory):
        if frozen is None or (name in FROZEN_ROUNDS) == frozen:
            phrasings.extend(read_round(directory / f"{name}.tsv"))
    return phrasings
