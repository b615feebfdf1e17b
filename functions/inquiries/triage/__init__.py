"""Crisis triage: does the person's own wording signal danger, and how soon must someone call?

The one package that decides an inquiry's level (docs/triage.md):

- ``urgent``: danger now or soon (intent or a plan, recent suicidal or self-harming behaviour, an
  overdose or dangerous withdrawal in progress, a threat to or from someone, someone else at risk now, a
  medical emergency). The person gets the crisis answer; the care team an urgent notification.
- ``priority``: a risk told as history, denied, or a bereavement: no crisis takeover, a shorter target.
- ``none``.

Two readers, one verdict: the phrase rules (``rules.py``: concept lexicons composed into patterns, with
history and denial modifiers) and a logistic-regression model trained offline on the corpus
(``model.py``, ``features.py``), which reads the rules' findings among its features. A danger match of
the rules is urgent whatever the model says (history never lowers a present danger; in doubt, urgent);
the model adds what no rule anticipated. A verdict records rule ids (or ``model.urgent`` /
``model.risk``) and category codes, never the words. English and Spanish are read alike.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from inquiries.record import Level
from inquiries.triage import features
from inquiries.triage.language import message_language
from inquiries.triage.model import LinearModel, shipped_model
from inquiries.triage.rules import RuleMatch, Triager, load_shipped_triager

__all__ = ["NOT_URGENT", "Level", "Reader", "RuleMatch", "Triage", "assess", "signals_danger"]

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

class Reader:
    """The rules and the model together: what ``assess`` uses, and what the evaluation builds from a model
    trained on some rounds only."""

    def __init__(self, rules: Triager, model: Callable[[], LinearModel]) -> None:
        """Read with ``rules`` and the model ``model()`` returns (called on the first message with words)."""
        self.rules = rules
        self._model = model

    def assess(self, text: str | None) -> Triage:
        """Triage one message (English or Spanish): its level, categories and language."""
        if not text or not text.strip():
            return NOT_URGENT
        verdict, words, collapsed = self.rules.read(text)
        language = message_language(words)
        model = self._model()
        if any(match.rule_id in model.deciding_rules for match in verdict.urgent):
            return Triage(level=Level.URGENT, matches=verdict.urgent, language=language)
        found = features.extract(collapsed, verdict, language, model.parts)
        if model.probability("urgent", found) >= model.threshold("urgent", language):
            matches = verdict.urgent or (RuleMatch(MODEL_URGENT, model.category(found) or "ideation"),)
            return Triage(level=Level.URGENT, matches=matches, language=language)
        if verdict.priority or verdict.urgent:
            return Triage(level=Level.PRIORITY, matches=verdict.priority + verdict.urgent, language=language)
        if model.probability("risk", found) >= model.threshold("risk", language):
            matches = (RuleMatch(MODEL_RISK, model.category(found) or "ideation"),)
            return Triage(level=Level.PRIORITY, matches=matches, language=language)
        return Triage(language=language)


_READER = Reader(load_shipped_triager(), shipped_model)


def assess(text: str | None) -> Triage:
    """Triage one message (English or Spanish): its level, categories and language."""
    return _READER.assess(text)


def signals_danger(text: str | None) -> bool:
    """True when the text's wording suggests danger now or soon (level ``urgent``)."""
    return assess(text).urgent
