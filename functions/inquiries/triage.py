"""What we decide about an inquiry's urgency: does the person's own wording signal danger?

The one module that decides urgency. The phrase rules live in ``triage_rules.json`` (shipped with
the package), grouped by category, each with an id and its source (see docs/triage.md).

Deliberately sensitive: a false alarm costs the care team a phone call and shows the person crisis
numbers they may not need; a miss can cost a life. So:
- the message is normalised first (NFKC, case folding, apostrophes dropped, punctuation and spacing
  flattened, shorthand such as "kms", "wanna" or "dont" spelled out);
- every letter of a rule tolerates repeats ("dieee", "killl", "sooo"), unless the rule is exact;
- nothing is ever skipped because of a negation: "not going to lie, i want to die" is urgent.

A match records the rule id and its category, never the words. Rules are compiled once, at import;
nothing is downloaded and no network is used.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from importlib import resources
from typing import Any

RULES_FILE = "triage_rules.json"

# Up to four words between two parts of a phrase: " ~ " in a rule.
_GAP = r" (?:\w+ ){0,4}"
_APOSTROPHES = re.compile(r"['\u2018\u2019\u02bc\u0060\u00b4\u2032]")
_NOT_A_WORD = re.compile(r"[\W_]+")
_QUANTIFIERS = "?*+{"


@dataclass(frozen=True)
class RuleMatch:
    """One rule that matched: its id and its category code. Never the matched words."""

    rule_id: str
    category: str


@dataclass(frozen=True)
class Triage:
    """The verdict on one message: urgent when any rule matched."""

    urgent: bool
    matches: tuple[RuleMatch, ...] = ()

    @property
    def categories(self) -> tuple[str, ...]:
        """The matched categories, each once, in rule-file order."""
        return tuple(dict.fromkeys(m.category for m in self.matches))

    @property
    def rule_ids(self) -> tuple[str, ...]:
        """The matched rule ids, in rule-file order."""
        return tuple(m.rule_id for m in self.matches)


NOT_URGENT = Triage(urgent=False)


def tolerate_repeats(pattern: str) -> str:
    """Rewrite a rule so each literal letter also matches when repeated ("die" matches "dieee").

    Doubled letters in the rule collapse first ("kill" becomes k+i+l+), so "kil", "kill" and "killl"
    all match. Escapes (``\\w``, ``\\b``), character classes and group syntax are left as they are.
    """
    out: list[str] = []
    i, in_class, previous_letter = 0, False, ""
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            out.append(pattern[i:i + 2])
            i, previous_letter = i + 2, ""
            continue
        if in_class:
            in_class = char != "]"
            out.append(char)
        elif char == "[":
            in_class = True
            out.append(char)
        elif char.isalpha():
            if char != previous_letter:
                quantified = i + 1 < len(pattern) and pattern[i + 1] in _QUANTIFIERS
                out.append(f"(?:{char}+)" if quantified else f"{char}+")
            previous_letter = char
            i += 1
            continue
        else:
            out.append(char)
        previous_letter = ""
        i += 1
    return "".join(out)


def _compile_rule(patterns: list[str], *, exact: bool) -> str:
    parts = [p.replace(" ~ ", _GAP) for p in patterns]
    if not exact:
        parts = [tolerate_repeats(p) for p in parts]
    return r"\b(?:" + "|".join(f"(?:{p})" for p in parts) + r")\b"


def load_rules() -> dict[str, Any]:
    """The rule file as shipped in the package."""
    data: dict[str, Any] = json.loads(resources.files("inquiries").joinpath(RULES_FILE).read_text("utf-8"))
    return data


class Triager:
    """The rules compiled: one search per rule, behind one combined search that clears most messages."""

    def __init__(self, rules: dict[str, Any]) -> None:
        shorthand: dict[str, str] = rules.get("shorthand", {})
        self._shorthand = {_collapse(k): v for k, v in shorthand.items()}
        words = "|".join(tolerate_repeats(re.escape(k)) for k in sorted(shorthand, key=len, reverse=True))
        self._shorthand_re = re.compile(rf"\b(?:{words})\b")
        self.rules: list[tuple[RuleMatch, re.Pattern[str]]] = []
        for category, spec in rules["categories"].items():
            for rule in spec["rules"]:
                source = _compile_rule(rule["patterns"], exact=bool(rule.get("exact")))
                self.rules.append((RuleMatch(rule_id=rule["id"], category=category), re.compile(source)))
        self._any = re.compile("|".join(f"(?:{rx.pattern})" for _, rx in self.rules))

    def normalise(self, text: str) -> str:
        """The message as the rules read it: one line of lower-case words, single-spaced."""
        folded = unicodedata.normalize("NFKC", text).casefold()
        words = _NOT_A_WORD.sub(" ", _APOSTROPHES.sub("", folded)).strip()
        return self._shorthand_re.sub(lambda m: self._shorthand.get(_collapse(m.group(0)), m.group(0)), words)

    def assess(self, text: str | None) -> Triage:
        """Which rules the text matches; urgent when any does."""
        if not text:
            return NOT_URGENT
        normalised = self.normalise(text)
        if self._any.search(normalised) is None:
            return NOT_URGENT
        matches = tuple(match for match, rx in self.rules if rx.search(normalised))
        return Triage(urgent=True, matches=matches)


def _collapse(word: str) -> str:
    return re.sub(r"(.)\1+", r"\1", word)


_TRIAGER = Triager(load_rules())


def assess(text: str | None) -> Triage:
    """Triage one message: urgent when its wording suggests a risk of harm to self or others."""
    return _TRIAGER.assess(text)


def signals_danger(text: str | None) -> bool:
    """True when the text contains wording that suggests a risk of harm to self or others."""
    return assess(text).urgent
