"""Crisis triage: does the person's own wording signal danger, and how soon must someone call?

The one package that decides an inquiry's level (docs/triage.md):

- ``urgent``: danger now or soon (intent or a plan, recent suicidal or self-harming behaviour, an
  overdose or dangerous withdrawal in progress, a threat to or from someone, someone else at risk now, a
  medical emergency). The person gets the crisis answer; the care team an urgent notification.
- ``priority``: a risk told as history, denied, or a bereavement: no crisis takeover, a shorter target.
- ``none``.

Two readers, one verdict (``reader.py``): the phrase rules (``rules.py``: concept lexicons composed into
patterns, with history and denial modifiers) and a logistic-regression model trained offline on the corpus
(``model.py``, ``features.py``), which reads the rules' findings among its features. Importing this package
loads none of them: the first message with words does (``shipped_reader``). A danger match of
the rules is urgent whatever the model says (history never lowers a present danger; in doubt, urgent);
the model adds what no rule anticipated. A verdict records rule ids (or ``model.urgent`` /
``model.risk``) and category codes, never the words. English and Spanish are read alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from inquiries.record import Level

if TYPE_CHECKING:
    from inquiries.triage.reader import Reader
    from inquiries.triage.rules import RuleMatch

__all__ = ["NOT_URGENT", "Level", "Triage", "assess", "shipped_reader", "signals_danger"]

MODEL_URGENT = "model.urgent"
MODEL_RISK = "model.risk"


@dataclass(frozen=True)
class Triage:
    """The verdict on one message: its level, what decided it (rule or model ids with category codes,
    never the words) and the language the message is written in (``en`` or ``es``)."""

    level: Level = Level.NONE
    matches: tuple[RuleMatch, ...] = ()
    language: str = "en"

    @property
    def urgent(self) -> bool:
        """Danger now or soon: the crisis answer, the urgent notification."""
        return self.level is Level.URGENT

    @property
    def categories(self) -> tuple[str, ...]:
        """The matched categories, each once, in order."""
        return tuple(dict.fromkeys(m.category for m in self.matches))

    @property
    def rule_ids(self) -> tuple[str, ...]:
        """The rule (or model) ids that decided the level, in order."""
        return tuple(m.rule_id for m in self.matches)


NOT_URGENT = Triage()

_SHIPPED: list[Reader] = []


def shipped_reader() -> Reader:
    """The shipped rules and model, built on first use and kept for the life of the process.

    Not at import: the readers' modules, the rules' index (~0.9 MiB once built) and the model (several MiB)
    are loaded by the first message with words, never by a cold start that answers a health check, a refused
    request or a duplicate (tests/unit/test_triage_cold_start.py).
    """
    if not _SHIPPED:
        from inquiries.triage.model import shipped_model
        from inquiries.triage.reader import Reader
        from inquiries.triage.rules import load_shipped_triager

        _SHIPPED.append(Reader(load_shipped_triager(), shipped_model))
    return _SHIPPED[0]


def assess(text: str | None) -> Triage:
    """Triage one message (English or Spanish): its level, categories and language."""
    if not text or not text.strip():
        return NOT_URGENT
    return shipped_reader().assess(text)


def signals_danger(text: str | None) -> bool:
    """True when the text's wording suggests danger now or soon (level ``urgent``)."""
    return assess(text).urgent
