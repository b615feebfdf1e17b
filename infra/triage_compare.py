"""Compare ways of training triage's model at the *same* false-alarm rate, on the same folds.

    python -m infra.triage_compare [--variants NAME,NAME] [--list]

How a candidate change is judged before it is adopted (docs/triage.md, "What each part contributes"): the
training rounds are dealt into the five groups of whole rounds ``make triage`` uses
(``infra.triage_report.HELD_OUT_FOLDS``); each phrasing is scored by the model fitted on the groups it is not
in (the ``urgent`` head only; a match of a rule that decides alone in that fold counts as a certain flag, and a
danger told beside a history is also scored without it, as the reader does); then, per language, recall is
read at the score that lets through a fixed share of the non-urgent phrasings (2.0%, 2.5%, 3.0% in English;
4% and 5% in Spanish). Thresholds chosen by training do not enter: this compares the methods' ranking alone.
Never reads the frozen rounds (``infra.triage_corpus.FROZEN_ROUNDS``).
"""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from inquiries.triage import features
from inquiries.triage.rules import Triager, load_shipped_triager
from inquiries.triage.text import sentences

from infra import triage_corpus
from infra.triage_train import Prepared, Settings, fit_heads, round_folds

FOLDS = 5  # infra.triage_report.HELD_OUT_FOLDS (not imported: that module imports this package's users)
RATES = {"en": (0.02, 0.025, 0.03), "es": (0.04, 0.05)}


More = Callable[[str, Any], set[str]]


@dataclass(frozen=True)
class Variant:
    """One way of training: the settings, what the model reads of a phrasing besides ``Settings.parts``
    (``more``: more features from the collapsed text and the rules' verdict) and, when set, the length above
    which words weigh less (``features.SCALE_WORDS``)."""

    name: str
    settings: Settings = field(default_factory=Settings)
    more: More | None = None
    scale_words: int | None = None


_QUESTION = ("how much", "how many", "what happens", "is it", "would it", "could it", "enough to", "too much",
             "will it", "can you", "what amount", "at what", "cuanto", "cuantas", "cuantos", "es suficiente")
_SUBSTANCES = ("DEPRESSANT", "OPIOID", "STIMULANT", "OTHER_DRUG", "ALCOHOL", "PILLS", "AMOUNT")


def _amount_question(collapsed: str, verdict: Any) -> set[str]:
    """A question beside a substance or an amount: ``question+OPIOID``."""
    padded = " " + collapsed + " "
    if not any(" " + q + " " in padded for q in _QUESTION):
        return set()
    lexicons = {c.removeprefix("lexicon:") for c in verdict.concepts if c.startswith("lexicon:")}
    return {"question"} | {"question+" + name for name in _SUBSTANCES if name in lexicons}


def _long_danger(collapsed: str, verdict: Any) -> set[str]:
    """A rule's danger match inside a long message: ``rule:urgent:long`` (and its category)."""
    if len(collapsed.split()) <= features.SCALE_WORDS or not verdict.urgent:
        return set()
    return {"rule:urgent:long"} | {"rule:urgent:long:" + m.category for m in verdict.urgent}


# What the fourth pass compared (docs/triage.md): the third pass's method (naive Bayes ratios smoothed by one)
# with one knob changed at a time, then the adopted smoothing (a half) with one more.
_BEFORE = Settings(nb_smoothing=1.0)
VARIANTS: tuple[Variant, ...] = (
    Variant("shipped before (naive Bayes add-one)", _BEFORE),
    Variant("C=2", replace(_BEFORE, regularisation=2.0)),
    Variant("C=8", replace(_BEFORE, regularisation=8.0)),
    Variant("nb smoothing 0.5", replace(_BEFORE, nb_smoothing=0.5)),
    Variant("nb smoothing 2", replace(_BEFORE, nb_smoothing=2.0)),
    Variant("urgent weighs 1.5x", replace(_BEFORE, positive_weight=1.5)),
    Variant("urgent weighs 0.7x", replace(_BEFORE, positive_weight=0.7)),
    Variant("long above 12 words", _BEFORE, scale_words=12),
    Variant("long above 30 words", _BEFORE, scale_words=30),
    Variant("question beside a substance", _BEFORE, more=_amount_question),
    Variant("danger match in a long message", _BEFORE, more=_long_danger),
    Variant("nb smoothing 0.25", replace(_BEFORE, nb_smoothing=0.25)),
    Variant("shipped (nb smoothing 0.5)", Settings()),
    Variant("nb smoothing 0.5, question beside a substance", Settings(), more=_amount_question),
    Variant("nb smoothing 0.5, danger match in a long message", Settings(), more=_long_danger),
    Variant("nb smoothing 0.5, long above 30 words", Settings(), scale_words=30),
    Variant("nb smoothing 0.5, priority weighs 0.5", Settings(priority_weight=0.5)),
    Variant("nb smoothing 0.5, priority weighs 2", Settings(priority_weight=2.0)),
    Variant("nb smoothing 0.5, features met once kept", Settings(min_phrasings=1)),
    Variant("nb smoothing 0.5, features met in 3", Settings(min_phrasings=3)),
)


def _history_free(prepared: Prepared, rules: Triager) -> list[Prepared | None]:
    """Per phrasing, the reading of its sentences that tell no history when the reader would weigh it twice
    (``Reader._urgent_without_history``), else None."""
    out: list[Prepared | None] = []
    for phrasing, (verdict, _, language) in zip(prepared.phrasings, prepared.rows, strict=True):
        told = sentences(phrasing.text)
        kept = [s for i, s in enumerate(told) if i not in verdict.history_sentences]
        if not verdict.urgent or not verdict.history_sentences or not kept or len(kept) == len(told):
            out.append(None)
            continue
        present, _, collapsed = rules.read("\n".join(kept))
        out.append(Prepared([phrasing], [(present, collapsed, language)]) if present.urgent else None)
    return out


def _probability(data: dict[str, Any], values: dict[str, float]) -> float:
    weights = data["urgent"]
    total = data["bias"]["urgent"] + sum(weights.get(name, 0.0) * value for name, value in values.items())
    return 0.0 if total < -60 else 1.0 / (1.0 + math.exp(-total))


class _WithMore(Prepared):
    """A ``Prepared`` whose phrasings also carry a variant's extra features."""

    more: More | None = None

    def feature_sets(self, parts: tuple[str, ...]) -> list[set[str]]:
        found = super().feature_sets(parts)
        if self.more is not None:
            for one, (verdict, collapsed, _) in zip(found, self.rows, strict=True):
                one.update(self.more(collapsed, verdict))
        return found


def _with(prepared: Prepared, more: More | None) -> Prepared:
    out = _WithMore(prepared.phrasings, prepared.rows)
    out.more = more
    return out


def out_of_fold(prepared: Prepared, apart: list[Prepared | None], settings: Settings) -> list[float]:
    """Each phrasing's urgent score from the model fitted on the other groups of rounds."""
    scores = [0.0] * len(prepared.phrasings)
    for test in round_folds(prepared.phrasings, FOLDS):
        held = set(test)
        train = prepared.subset([i for i in range(len(prepared.phrasings)) if i not in held])
        data = fit_heads(train, settings, categories=False, heads=("urgent",))
        deciding = set(data["deciding_rules"])
        values = prepared.subset(test).feature_values(settings.parts)
        for i, found in zip(test, values, strict=True):
            verdict = prepared.rows[i][0]
            if any(m.rule_id in deciding for m in verdict.urgent):
                scores[i] = 1.0
                continue
            score = _probability(data, found)
            second = apart[i]
            if settings.history_apart and second is not None:
                score = max(score, _probability(data, _with(second, getattr(prepared, "more", None))
                                                .feature_values(settings.parts)[0]))
            scores[i] = score
    return scores


def recall_at(prepared: Prepared, scores: Sequence[float], language: str, rate: float) -> float:
    """Recall of urgent phrasings at the lowest score that at most ``rate`` of the non-urgent ones reach."""
    mine = [i for i, p in enumerate(prepared.phrasings) if p.language == language]
    negatives = sorted((scores[i] for i in mine if not prepared.phrasings[i].urgent), reverse=True)
    allowed = int(rate * len(negatives))
    # A threshold just above the (allowed+1)-th highest negative score lets at most ``allowed`` through.
    bar = negatives[allowed] if allowed < len(negatives) else -1.0
    positives = [scores[i] for i in mine if prepared.phrasings[i].urgent]
    return sum(s > bar for s in positives) / len(positives)


def compare(variants: Sequence[Variant], write: Callable[[str], object] = sys.stdout.write) -> None:
    """Print each variant's recall at the fixed false-alarm rates."""
    rules = load_shipped_triager()
    prepared = Prepared.of(triage_corpus.load(frozen=False), rules)
    apart = _history_free(prepared, rules)
    header = " | ".join(f"{lang.upper()} @{rate:.1%}" for lang, rates in RATES.items() for rate in rates)
    write(f"variant | {header}\n")
    shipped_scale = features.SCALE_WORDS
    for variant in variants:
        features.SCALE_WORDS = variant.scale_words or shipped_scale
        try:
            scores = out_of_fold(_with(prepared, variant.more), apart, variant.settings)
        finally:
            features.SCALE_WORDS = shipped_scale
        cells = [f"{recall_at(prepared, scores, lang, rate):.2%}" for lang, rates in RATES.items() for rate in rates]
        write(f"{variant.name} | " + " | ".join(cells) + "\n")


def main(argv: list[str] | None = None) -> int:
    """Print the comparison table (every variant, or those named)."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--variants", help="variant names separated by semicolons (default: all)")
    parser.add_argument("--list", action="store_true", help="list the variants' names")
    args = parser.parse_args(argv)
    if args.list:
        sys.stdout.write("\n".join(v.name for v in VARIANTS) + "\n")
        return 0
    chosen = VARIANTS if not args.variants else [v for v in VARIANTS if v.name in args.variants.split(";")]
    compare(chosen)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
