"""What the triage model reads of a message: the same features when it is trained (offline, with
scikit-learn) and when it scores (in the Lambda, in pure Python), from one function.

- ``w:`` each word and ``b:`` each pair of neighbouring words of the collapsed, normalised text, and ``s:``
  each pair of words one word apart (``SKIPS``: "took ~ pills", "want ~ die" whatever stands between);
- ``c:`` the three- and four-letter pieces of each word (misspellings and Spanish word forms share them):
  not shipped, since held out they added nothing the words did not (the ablation in docs/triage.md);
- what the rules found: each concept lexicon present (``lexicon:SUBSTANCE``), each pair of concepts
  present together (``pair:AMOUNT+SUBSTANCE``), each modifier (``modifier:history``), each category
  matched at each level (``rule:urgent:overdose``) and each rule (``rule_id:ideation.spanish``), any danger
  match at all, and a danger match in a short message (a few words that say only that);
- ``lang:es`` for a message in Spanish.

Every feature weighs 1, except that in a message longer than ``SCALE_WORDS`` words the words and pairs of
words weigh ``sqrt(SCALE_WORDS / words)`` (``SCALED``): a danger stated once inside a long intake is no
longer outvoted by the many ordinary words around it, while the rules' findings keep their full weight.
Held out by round this raised recall at the same false-alarm rate (the ablation in docs/triage.md).
"""

from __future__ import annotations

import math
from itertools import combinations, pairwise

from tests.triage_reference.rules import RulesVerdict

# The kinds of feature; a model records which it was trained with (the ablation in docs/triage.md
# trains without some of them).
WORDS, LETTERS, SPANISH_LETTERS, CONCEPTS, RULES = "words", "letters", "spanish_letters", "concepts", "rules"
SCALED, SKIPS = "scaled", "skips"
ALL_PARTS = (WORDS, SKIPS, CONCEPTS, RULES, SCALED)
# Above this many words (sentence breaks count as one), a message's word and pair features weigh less.
SCALE_WORDS = 20
# The features ``SCALED`` weighs by a message's length: its words and pairs of words (neighbours or one apart).
SCALED_PREFIXES = ("w:", "b:", "s:")
# A message of at most this many words (sentence breaks count as one) is short.
SHORT_MESSAGE_WORDS = 12


def extract(collapsed: str, verdict: RulesVerdict, language: str,
            parts: tuple[str, ...] = ALL_PARTS) -> set[str]:
    """The features of one message (``collapsed``: the rules' second normal form, shorthand spelled out)."""
    tokens = collapsed.split()
    found: set[str] = {"lang:es"} if language == "es" else set()
    if WORDS in parts:
        found.update("w:" + token for token in tokens)
        found.update("b:" + first + " " + second for first, second in pairwise(tokens))
    if SKIPS in parts:
        found.update("s:" + first + " " + third for first, third in zip(tokens, tokens[2:], strict=False))
    if LETTERS in parts or (SPANISH_LETTERS in parts and language == "es"):
        for token in set(tokens):
            padded = "<" + token + ">"
            for size in (3, 4):
                found.update("c:" + padded[i:i + size] for i in range(len(padded) - size + 1))
    if CONCEPTS in parts:
        _concepts(found, verdict)
    if RULES in parts:
        _rules(found, verdict, short=len(tokens) <= SHORT_MESSAGE_WORDS)
    return found


def _concepts(found: set[str], verdict: RulesVerdict) -> None:
    concepts = sorted(verdict.concepts)
    found.update(concepts)
    lexicons = [c.removeprefix("lexicon:") for c in concepts if c.startswith("lexicon:")]
    found.update("pair:" + a + "+" + b for a, b in combinations(lexicons, 2))


def _rules(found: set[str], verdict: RulesVerdict, *, short: bool) -> None:
    found.update("rule_id:" + m.rule_id for m in verdict.urgent)
    found.update("rule:urgent:" + m.category for m in verdict.urgent)
    found.update("rule:priority:" + m.category for m in verdict.priority)
    if verdict.urgent:
        found.add("rule:urgent")
        if short:
            found.add("rule:urgent:short")
    if verdict.priority:
        found.add("rule:priority")


def word_scale(collapsed: str, parts: tuple[str, ...]) -> float:
    """What each word and pair feature of the message weighs (1 unless ``SCALED`` and the message is long)."""
    if SCALED not in parts:
        return 1.0
    count = len(collapsed.split())
    return 1.0 if count <= SCALE_WORDS else math.sqrt(SCALE_WORDS / count)


def values(found: set[str], scale: float) -> dict[str, float]:
    """The features with the value each has in the model: 1, or ``scale`` for words and pairs."""
    if scale == 1.0:
        return dict.fromkeys(found, 1.0)
    return {f: scale if f.startswith(SCALED_PREFIXES) else 1.0 for f in found}


def scaled(found: set[str]) -> list[str]:
    """The word and pair features among ``found``: those ``word_scale`` weighs."""
    return [feature for feature in found if feature.startswith(SCALED_PREFIXES)]
