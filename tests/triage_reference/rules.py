"""Triage's phrase rules: concept lexicons composed into patterns, read over the normalised message.

The rules live in ``rules.json`` (shipped with the package), grouped by category, each with an id,
its source and its level (``urgent``, or ``priority`` for a risk told as history). Patterns may name
a lexicon (``{SUBSTANCE}``, ``{AMOUNT}``): concept word lists kept as data in the same file and
expanded when the index is built. Besides the categories, the file holds:

- **modifiers**: ``history`` ("years ago", "in 2016", "stable since"), which demotes the danger matches
  of its sentence to ``priority`` unless a ``present`` marker ("again", "tonight", "right now") is in the
  same sentence; ``denial`` ("no thoughts of harming myself"), which demotes a danger match lying inside
  it, as a ``priority`` rule (bereavement: "lost my brother to an overdose") does; and ``harmless``
  ("hallucinating during the infusion", "a naloxone kit"), inside which a danger match does not count.
  They act per sentence: a present danger in one sentence is never lowered by history told in another;
- **lexicons**: each also reports whether the message holds one of its words (a feature of the model).

Matching: every letter of a non-exact rule tolerates repeats ("dieee", "killl"); nothing is skipped
because of a negation ("not going to lie, i want to die" is urgent) except an explicit denial that
contains the danger words themselves.

Import reads ``rules_index.json``: what the rules become (each pattern's regex source and the first
words a match can start with), generated from the rules by ``make triage-index``. The index records the
sha256 of the rule file it was built from; when that is not the shipped rule file, the index is built
from the rules instead (slower, never stale). Each pattern is compiled the first time a message needs it.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import re
import warnings
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources
from typing import Any, NamedTuple

from inquiries.triage.rules import RuleMatch  # the verdict's record: shared, not scoring

from tests.triage_reference.text import collapse, fold, sentences

# How many words' candidate patterns each form remembers before starting over (a bounded cache).
_TOKEN_CACHE_SIZE = 20_000
# Between two sentences in the text the rules read: not a word, so no pattern matches across it.
SENTENCE_BREAK = " / "

RULES_FILE = "rules.json"
INDEX_FILE = "rules_index.json"
# Bump when what the index holds, or how a rule becomes its entries, changes: an older index is not used.
INDEX_FORMAT = 2
WRITE_INDEX_COMMAND = "make triage-index"

# What a rule row's kind can be: a danger level, a modifier, or a lexicon's concept.
URGENT, PRIORITY = "urgent", "priority"
HISTORY, DENIAL, PRESENT, HARMLESS, CONCEPT = "history", "denial", "present", "harmless", "concept"
MODIFIERS = (HISTORY, DENIAL, PRESENT, HARMLESS)

# Up to four words between two parts of a phrase: " ~ " in a rule.
_GAP = r" (?:\w+ ){0,4}"
_LEXICON_REFERENCE = re.compile(r"\{([A-Z][A-Z_]*)\}")
# What a normalised message is made of: words of letters and digits, one space apart.
_ONE_WORD = r"[^\W_]+"
# The standard library's regular-expression parser (typeshed has no stub for the private module).
_sre_parser: Any = importlib.import_module("re._parser")


@dataclass(frozen=True)
class RulesVerdict:
    """What the rules found in one message: danger matches that stand (urgent), those that are risk history
    or were demoted by a history or denial marker (priority), and the concepts and modifiers present.
    ``history_sentences``: which sentences (by position) tell a history ("years ago", "in 2016") and do not
    say *now* ("right now", "again"); the reader weighs a danger told elsewhere without them."""

    urgent: tuple[RuleMatch, ...] = ()
    priority: tuple[RuleMatch, ...] = ()
    concepts: frozenset[str] = frozenset()
    history_sentences: tuple[int, ...] = ()


NOTHING_FOUND = RulesVerdict()


def collapse_letters(pattern: str) -> str:
    """A rule as it reads collapsed text: each run of one letter becomes one letter ("kill" -> "kil").

    The message is collapsed the same way, so "kil", "kill" and "killlll" all match, and so do
    "dieee" and "sooo". Escapes (``\\w``, ``\\b``) and character classes are left as they are.
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
        elif char == "[":
            in_class = True
        elif char.isalpha():
            if char != previous_letter:
                out.append(char)
            previous_letter = char
            i += 1
            continue
        out.append(char)
        previous_letter = ""
        i += 1
    return "".join(out)


def first_word_prefixes(pattern: str) -> frozenset[str] | None:
    """What a match of ``pattern`` must start with: a set of literal word beginnings, or None if unknown.

    Read from the standard library's own parse of the pattern. Lets ``assess`` search only the rules
    whose first word could be in the message, which keeps a message to microseconds.
    """
    found = _starts(_sre_parser.parse(pattern))
    if not found or any(not prefix or prefix[0] == " " for prefix in found):
        return None
    return frozenset(prefix.split(" ", 1)[0] for prefix in found)


def _starts(items: Any) -> set[str] | None:
    """The literal strings a match of the parsed ``items`` must begin with (None: anything)."""
    acc = {""}
    items = list(items)
    for index, (op, av) in enumerate(items):
        name = str(op)
        if name in ("AT", "ASSERT", "ASSERT_NOT"):
            continue
        if name == "LITERAL":
            acc = {a + chr(av) for a in acc}
            continue
        if name == "SUBPATTERN":
            tails = _starts(av[-1])
        elif name == "BRANCH":
            branches = [_starts(b) for b in av[1]]
            tails = None if any(b is None for b in branches) else set().union(*branches)  # type: ignore[arg-type]
        elif name == "IN" and all(str(o) in ("LITERAL", "RANGE") for o, _ in av):
            tails = {chr(c) for o, v in av for c in ((v,) if str(o) == "LITERAL" else range(v[0], v[1] + 1))}
        elif name in ("MAX_REPEAT", "MIN_REPEAT"):
            body = _starts(av[2])
            rest = _starts(items[index + 1:]) if av[0] == 0 else set()
            tails = None if body is None or rest is None else body | rest
        else:
            tails = None
        if tails is None:
            return acc if acc != {""} else None
        return {a + t for a in acc for t in tails}
    return acc


def load_rules() -> dict[str, Any]:
    """The rule file as shipped in the package."""
    data: dict[str, Any] = json.loads(resources.files("inquiries.triage").joinpath(RULES_FILE).read_text("utf-8"))
    return data


def expand_lexicons(pattern: str, lexicons: dict[str, list[str]]) -> str:
    """A pattern with each ``{NAME}`` replaced by the lexicon's entries as one group of alternatives."""
    def entries(found: re.Match[str]) -> str:
        name = found[1]
        if name not in lexicons:
            raise ValueError(f"pattern names an unknown lexicon {{{name}}}")
        return "(?:" + "|".join(lexicons[name]) + ")"

    return _LEXICON_REFERENCE.sub(entries, pattern)


def _rule_specs(rules: dict[str, Any]) -> list[tuple[dict[str, Any], str, str]]:
    """Every rule with its category and kind, in file order: categories, then modifiers, then lexicons."""
    specs: list[tuple[dict[str, Any], str, str]] = []
    for category, spec in rules["categories"].items():
        for rule in spec["rules"]:
            specs.append((rule, category, rule.get("level", URGENT)))
    for kind, spec in rules.get("modifiers", {}).items():
        if kind not in MODIFIERS:
            raise ValueError(f"unknown modifier {kind!r}")
        for rule in spec["rules"]:
            specs.append((rule, kind, kind))
    for name, words in rules.get("lexicons", {}).items():
        specs.append(({"id": f"lexicon.{name}", "patterns": ["|".join(words)]}, name, CONCEPT))
    return specs


def index_rules(rules: dict[str, Any]) -> dict[str, Any]:
    """What ``Triager`` reads, worked out from the rules: the shorthand table (collapsed), each rule's
    id, category, exactness and kind, and each pattern as ``[rule index, exact, regex source, first-word
    prefixes or "always"]``, in rule-file order."""
    shorthand: dict[str, str] = {}
    for short, spelled_out in rules.get("shorthand", {}).items():
        # Shorthand replaces whole words of the message (see Triager.normalise).
        if not re.fullmatch(_ONE_WORD, short):
            raise ValueError(f"shorthand {short!r} must be one word of letters and digits")
        shorthand[collapse(fold(short))] = collapse(fold(spelled_out))
    lexicons: dict[str, list[str]] = rules.get("lexicons", {})
    indexed_rules: list[list[Any]] = []
    patterns: list[list[Any]] = []
    for rule, category, kind in _rule_specs(rules):
        if kind not in (URGENT, PRIORITY, CONCEPT, *MODIFIERS):
            raise ValueError(f"rule {rule['id']}: unknown level {kind!r}")
        exact = bool(rule.get("exact"))
        rule_index = len(indexed_rules)
        indexed_rules.append([rule["id"], category, exact, kind])
        for pattern in rule["patterns"]:
            source = _compile(expand_lexicons(pattern, lexicons), exact=exact)
            prefixes = first_word_prefixes(source)
            patterns.append([rule_index, exact, source, "always" if prefixes is None else sorted(prefixes)])
    return {"shorthand": shorthand, "rules": indexed_rules, "patterns": patterns}


def build_index(rules_file: bytes) -> dict[str, Any]:
    """The index of a rule file's bytes, stamped with their sha256 and the index format."""
    return {"format": INDEX_FORMAT, "rules_sha256": hashlib.sha256(rules_file).hexdigest(),
            **index_rules(json.loads(rules_file))}


def render_index(index: dict[str, Any]) -> str:
    """The index file's text: one rule or pattern a line, so a rule change reads as a small diff."""
    def rows(key: str) -> str:
        return ",\n".join("  " + json.dumps(row, ensure_ascii=False) for row in index[key])

    return (
        "{\n"
        f' "about": {json.dumps(f"Generated from {RULES_FILE} by `{WRITE_INDEX_COMMAND}`; do not edit.")},\n'
        f' "format": {json.dumps(index["format"])},\n'
        f' "rules_sha256": {json.dumps(index["rules_sha256"])},\n'
        f' "shorthand": {json.dumps(index["shorthand"], ensure_ascii=False)},\n'
        f' "rules": [\n{rows("rules")}\n ],\n'
        f' "patterns": [\n{rows("patterns")}\n ]\n'
        "}\n"
    )


def _compile(pattern: str, *, exact: bool) -> str:
    source = pattern.replace(" ~ ", _GAP)
    return r"\b(?:" + (source if exact else collapse_letters(source)) + r")\b"


class _CompiledOnFirstUse:
    """A pattern, compiled the first time a message needs it.

    Messages are searched only by the patterns whose first words they hold, so most patterns are never
    needed by a given message; compiling all of them at import cost every intake cold start ~0.1 s.
    """

    __slots__ = ("_compiled", "_source")

    def __init__(self, source: str) -> None:
        self._source = source
        self._compiled: re.Pattern[str] | None = None

    def __call__(self) -> re.Pattern[str]:
        if self._compiled is None:
            self._compiled = re.compile(self._source)
        return self._compiled


class _Rule(NamedTuple):  # a tuple: a dataclass costs import time to generate, ~1 ms each
    match: RuleMatch
    exact: bool
    kind: str


class Triager:
    """The rules, each pattern compiled on its first search. A message is searched only by the patterns
    whose first word it holds."""

    def __init__(self, index: dict[str, Any]) -> None:
        """Triage by an index (see ``index_rules``): dictionaries built, nothing parsed or compiled."""
        self.shorthand: dict[str, str] = index["shorthand"]
        # Each pattern (what a message is matched with): its rule, its form, its compiled regex on first use.
        self._patterns: list[tuple[int, bool, _CompiledOnFirstUse]] = []
        # Per form of the message (exact: its words; otherwise collapsed), first-word prefix -> the patterns
        # to try; patterns whose start cannot be read are always tried.
        # Keyed by (exact, modifier): modifiers are looked up only in texts with a danger match.
        by_prefix: dict[tuple[bool, bool], dict[str, set[int]]] = {
            (exact, modifier): {} for exact in (True, False) for modifier in (True, False)}
        self._always: set[int] = set()
        for pattern_index, (rule_index, exact, source, prefixes) in enumerate(index["patterns"]):
            self._patterns.append((rule_index, exact, _CompiledOnFirstUse(source)))
            if prefixes == "always":
                self._always.add(pattern_index)
                continue
            for prefix in prefixes:
                key = (bool(exact), index["rules"][rule_index][3] in MODIFIERS)
                by_prefix[key].setdefault(prefix, set()).add(pattern_index)
        self.rules: list[_Rule] = [_Rule(RuleMatch(rule_id=rule_id, category=category), exact, kind)
                                   for rule_id, category, exact, kind in index["rules"]]
        # What ``assess`` looks up for each word of a message: only prefixes of a length some rule starts with.
        self._prefixes: dict[tuple[bool, bool], dict[str, frozenset[int]]] = {
            key: {prefix: frozenset(found) for prefix, found in table.items()} for key, table in by_prefix.items()
        }
        self._token_cache: dict[tuple[bool, bool], dict[str, frozenset[int]]] = {key: {} for key in by_prefix}
        self._prefix_lengths: dict[tuple[bool, bool], tuple[int, ...]] = {
            key: tuple(sorted({len(prefix) for prefix in table})) for key, table in by_prefix.items()
        }

    @classmethod
    def from_rules(cls, rules: dict[str, Any]) -> Triager:
        """Triage by the rules themselves, their index worked out now (every pattern parsed)."""
        return cls(index_rules(rules))

    def normalise(self, text: str) -> tuple[str, str]:
        """The text as the rules read it: (words, collapsed words with shorthand spelled out).

        ``words`` is one line of case-folded words without accents, single-spaced, apostrophes dropped
        (exact rules read it); the second form also has each run of a letter collapsed to one.
        """
        words = fold(text)
        # Shorthand is one word, and so is each space-separated part of ``words``: a word is looked up
        # whole (no regex of every shorthand to build at import).
        expanded = " ".join([self.shorthand.get(word, word) for word in collapse(words).split(" ")])
        return words, expanded

    def assess(self, text: str | None) -> RulesVerdict:
        """What the rules find in the text, sentence by sentence (see the module docstring)."""
        return self.read(text)[0] if text else NOTHING_FOUND

    def read(self, text: str) -> tuple[RulesVerdict, str, str]:
        """What the rules find, and the text as they read it: its words and collapsed words, sentence by
        sentence, joined by " / " (which no pattern crosses: they are made of words and single spaces)."""
        forms = [self.normalise(sentence) for sentence in sentences(text)]
        words = SENTENCE_BREAK.join(w for w, _ in forms)
        collapsed = SENTENCE_BREAK.join(c for _, c in forms)
        starts = {True: _sentence_starts([w for w, _ in forms]), False: _sentence_starts([c for _, c in forms])}
        # Per sentence: rule index -> the spans of its matches there.
        found: list[dict[int, list[tuple[int, int]]]] = [{} for _ in forms]
        offsets = {True: _word_offsets(words), False: _word_offsets(collapsed)}
        # Modifiers only change danger matches: a text without one is not searched for them.
        danger = False
        for modifiers in (False, True):
            if modifiers and not danger:
                break
            candidates = self._candidates(offsets, modifiers)
            for pattern_index in sorted(candidates):
                positions = candidates[pattern_index]
                rule_index, exact, pattern = self._patterns[pattern_index]
                kind = self.rules[rule_index].kind
                line = words if exact else collapsed
                for span in _matches(pattern(), line, positions):
                    found[bisect_right(starts[exact], span[0]) - 1].setdefault(rule_index, []).append(span)
                    danger = danger or kind != CONCEPT
        urgent: dict[int, RuleMatch] = {}
        priority: dict[int, RuleMatch] = {}
        concepts: set[str] = set()
        history = tuple(i for i, in_sentence in enumerate(found)
                        if self._weigh(in_sentence, urgent, priority, concepts))
        for rule_index in urgent:
            priority.pop(rule_index, None)
        verdict = RulesVerdict(urgent=tuple(urgent[i] for i in sorted(urgent)),
                               priority=tuple(priority[i] for i in sorted(priority)), concepts=frozenset(concepts),
                               history_sentences=history)
        return verdict, words, collapsed

    def _weigh(self, found: dict[int, list[tuple[int, int]]], urgent: dict[int, RuleMatch],
               priority: dict[int, RuleMatch], concepts: set[str]) -> bool:
        """Sort one sentence's matches into urgent, priority and concepts (the modifiers act here); True when
        the sentence tells a history (and does not say "now")."""
        kinds = {self.rules[i].kind for i in found}
        history = HISTORY in kinds and PRESENT not in kinds
        lowering = [span for i, spans in found.items() if self.rules[i].kind in (DENIAL, PRIORITY) for span in spans]
        harmless = [span for i, spans in found.items() if self.rules[i].kind == HARMLESS for span in spans]
        # A danger match that overlaps a harmless phrase does not count; one that starts inside a denial or a
        # priority rule's match is that rule's (priority). A rule stands if any of its matches does.
        for rule_index, spans in found.items():
            rule = self.rules[rule_index]
            if rule.kind == CONCEPT:
                concepts.add("lexicon:" + rule.match.category)
                continue
            if rule.kind in MODIFIERS:
                concepts.add("modifier:" + rule.kind)
                continue
            counted = [span for span in spans if not _overlaps(span, harmless, rule.exact)]
            if not counted:
                concepts.add("modifier:" + HARMLESS)
            elif rule.kind == URGENT and not history and any(
                    not _starts_inside(span, lowering, rule.exact) for span in counted):
                urgent[rule_index] = rule.match
            else:
                priority[rule_index] = rule.match
        return history

    def _candidates(self, offsets: dict[bool, dict[str, list[int]]], modifiers: bool) -> dict[int, list[int] | None]:
        """The patterns (modifiers, or the others) that could match, each with the offsets of the words it could
        start at: those whose first-word prefixes a word of the text starts with. A pattern whose start cannot be
        read maps to None: it is searched through the whole text. ``offsets``: per form, word -> offsets."""
        positions: dict[int, list[int] | None] = {
            i: None for i in self._always if (self.rules[self._patterns[i][0]].kind in MODIFIERS) == modifiers}
        for exact, words in offsets.items():
            for token, at in words.items():
                for pattern_index in self._starting_with((exact, modifiers), token):
                    found = positions.setdefault(pattern_index, [])
                    if found is not None:
                        found.extend(at)
        for offsets_of_pattern in positions.values():
            if offsets_of_pattern is not None:
                offsets_of_pattern.sort()  # a pattern reads one form, and each word of it once: no offset twice
        return positions

    def _starting_with(self, key: tuple[bool, bool], token: str) -> frozenset[int]:
        """The patterns (of one form, modifiers or not) a match of which can start with ``token`` (remembered:
        words recur across messages)."""
        cache = self._token_cache[key]
        known = cache.get(token)
        if known is None:
            table, lengths = self._prefixes[key], self._prefix_lengths[key]
            found: set[int] = set()
            for length in lengths:
                if length > len(token):
                    break
                found |= table.get(token[:length], frozenset())
            if len(cache) >= _TOKEN_CACHE_SIZE:
                cache.clear()
            known = cache[token] = frozenset(found)
        return known


def _word_offsets(line: str) -> dict[str, list[int]]:
    """Each word of a normalised line (single spaces) and the offsets it occurs at."""
    offsets: dict[str, list[int]] = {}
    offset = 0
    for token in line.split(" "):
        offsets.setdefault(token, []).append(offset)
        offset += len(token) + 1
    return offsets


def _matches(pattern: re.Pattern[str], line: str, positions: list[int] | None) -> Iterator[tuple[int, int]]:
    """The spans where ``pattern`` matches ``line``, trying only ``positions`` (the offsets of the words its
    matches can start with; None: anywhere). The same matches a search finds, for a fraction of the work:
    every match of a pattern begins with one of its first words."""
    if positions is None:
        for found in pattern.finditer(line):
            yield found.span()
        return
    for position in positions:
        hit = pattern.match(line, position)
        if hit:
            yield hit.span()


def _sentence_starts(forms: list[str]) -> list[int]:
    """Where each sentence begins in the forms joined by ``SENTENCE_BREAK``."""
    starts, at = [], 0
    for form in forms:
        starts.append(at)
        at += len(form) + len(SENTENCE_BREAK)
    return starts


def _starts_inside(span: tuple[int, int], others: list[tuple[int, int]], exact: bool) -> bool:
    """True when a match starts within another ("suicide" within "no thoughts of suicide"). Exact rules read
    the other form of the sentence, whose offsets differ: never."""
    return not exact and any(start <= span[0] < end for start, end in others)


def _overlaps(span: tuple[int, int], others: list[tuple[int, int]], exact: bool) -> bool:
    """True when a match shares any character with another ("hallucinating" in "hallucinating during the
    infusion", "a fifth a day" in "drinking a fifth a day and want to quit")."""
    return not exact and any(start < span[1] and span[0] < end for start, end in others)


def triager_for(rules_file: bytes, index_file: str | None) -> Triager:
    """Triage by the index file when it was built from exactly this rule file; by the rules otherwise.

    A stale, missing or unreadable index is never acted on, nor allowed to fail the cold start: the index
    is rebuilt from the rules (correct, slower), with a warning saying how to regenerate it.
    """
    if index_file is not None:
        try:
            index: dict[str, Any] = json.loads(index_file)
            if (index.get("format") == INDEX_FORMAT
                    and index.get("rules_sha256") == hashlib.sha256(rules_file).hexdigest()):
                return Triager(index)
        except (ValueError, KeyError, TypeError, IndexError, AttributeError):
            pass  # rebuilt below, with the warning
    warnings.warn(f"{INDEX_FILE} was not built from this {RULES_FILE}; triage built it from the rules at "
                  f"import (slower). Run `{WRITE_INDEX_COMMAND}`.", RuntimeWarning, stacklevel=2)
    return Triager(build_index(rules_file))


def load_shipped_triager() -> Triager:
    """The rules shipped in the package, by their index."""
    package = resources.files("inquiries.triage")
    index_path = package.joinpath(INDEX_FILE)
    index_file = index_path.read_text("utf-8") if index_path.is_file() else None
    return triager_for(package.joinpath(RULES_FILE).read_bytes(), index_file)
