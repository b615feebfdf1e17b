"""The verdict on one message: the phrase rules and the model read together (see the package docstring).

Imported by the first message with words (``inquiries.triage.shipped_reader``), not by a cold start.
"""

from __future__ import annotations

from collections.abc import Callable

from inquiries.record import Level
from inquiries.triage import MODEL_RISK, MODEL_URGENT, NOT_URGENT, Triage, features
from inquiries.triage.language import message_language
from inquiries.triage.model import LinearModel
from inquiries.triage.rules import RuleMatch, RulesVerdict, Triager
from inquiries.triage.text import sentences


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
        words_found, others, scale = features.split(collapsed, verdict, language, model.parts)
        threshold = model.threshold("urgent", language)
        if model.score("urgent", words_found, others, scale) >= threshold or (
                model.history_apart and self._urgent_without_history(text, verdict, language, model, threshold)):
            matches = verdict.urgent or (
                RuleMatch(MODEL_URGENT, model.category_of(words_found, others, scale) or "ideation"),)
            return Triage(level=Level.URGENT, matches=matches, language=language)
        if verdict.priority or verdict.urgent:
            return Triage(level=Level.PRIORITY, matches=verdict.priority + verdict.urgent, language=language)
        if model.score("risk", words_found, others, scale) >= model.threshold("risk", language):
            matches = (RuleMatch(MODEL_RISK, model.category_of(words_found, others, scale) or "ideation"),)
            return Triage(level=Level.PRIORITY, matches=matches, language=language)
        return Triage(language=language)

    def scores(self, text: str) -> tuple[float, float]:
        """The model's ``urgent`` and ``risk`` probabilities for a message with words (what ``assess`` weighs
        against the thresholds; computed here whether or not a deciding rule made the model's answer moot)."""
        verdict, words, collapsed = self.rules.read(text)
        language = message_language(words)
        model = self._model()
        words_found, others, scale = features.split(collapsed, verdict, language, model.parts)
        return model.score("urgent", words_found, others, scale), model.score("risk", words_found, others, scale)

    def _urgent_without_history(self, text: str, verdict: RulesVerdict, language: str, model: LinearModel,
                                threshold: float) -> bool:
        """History never lowers a present danger: a danger match standing in a sentence that tells no history
        is weighed again without the sentences that do ("I was sober for 5 years. Right now I want to kill
        myself." is read as its second sentence). Only a message with both is read twice."""
        if not verdict.urgent or not verdict.history_sentences:
            return False
        told = sentences(text)
        kept = [sentence for i, sentence in enumerate(told) if i not in verdict.history_sentences]
        if not kept or len(kept) == len(told):
            return False
        present, _, collapsed = self.rules.read("\n".join(kept))
        if not present.urgent:
            return False
        words_found, others, scale = features.split(collapsed, present, language, model.parts)
        return model.score("urgent", words_found, others, scale) >= threshold
