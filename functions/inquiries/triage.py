"""What we decide about an inquiry's urgency: does the person's own wording signal danger?

The one module that decides urgency. The phrase rules live in ``triage_rules.json`` (shipped with
the package), grouped by category, each with an id and its source (see docs/triage.md).

Deliberately sensitive: a false alarm costs the care team a phone call and shows the person crisis
numbers they may not need; a miss can cost a life. So:
- the message is normalised first (NFKC, case folding, apostrophes dropped, punctuation and spacing
  flattened, shorthand such as "kms", "wanna" or "dont" spelled out);
- every letter of a rule tolerates repeats ("dieee", "killl", "sooo"), unless the rule is exact;
- nothing is ever skipped because of a negation: "not going to lie, i want to die" is urgent.

A match records the rule id and its category, never the words. Nothing is downloaded and no network
is used.

Import reads ``triage_index.json``: what the rules become (each pattern's regex source, and the
first words a match can start with), generated from the rules by ``make triage-index``. Working that
out from the rules means running the regex parser over every pattern, which cost each intake cold
start ~40 ms. The index records the sha256 of the rule file it was built from; when that is not the
shipped rule file, the index is built from the rules instead (slower, never stale). Each pattern is
compiled the first time a message needs it.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import re
import sys
import unicodedata
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, NamedTuple

RULES_FILE = "triage_rules.json"
INDEX_FILE = "triage_index.json"
# Bump when what the index holds, or how a rule becomes its entries, changes: an older index is not used.
INDEX_FORMAT = 1
WRITE_INDEX_COMMAND = "make triage-index"

# Up to four words between two parts of a phrase: " ~ " in a rule.
_GAP = r" (?:\w+ ){0,4}"
_APOSTROPHES = re.compile(r"['\u2018\u2019\u02bc\u0060\u00b4\u2032]")
_NOT_A_WORD = re.compile(r"[\W_]+")
_LETTER_RUNS = re.compile(r"([^\W\d_])\1+")
# What a normalised message is made of: words of letters and digits, one space apart.
_ONE_WORD = r"[^\W_]+"
# The standard library's regular-expression parser (typeshed has no stub for the private module).
_sre_parser: Any = importlib.import_module("re._parser")


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
    data: dict[str, Any] = json.loads(resources.files("inquiries").joinpath(RULES_FILE).read_text("utf-8"))
    return data


def index_rules(rules: dict[str, Any]) -> dict[str, Any]:
    """What ``Triager`` reads, worked out from the rules: the shorthand table (collapsed), each rule's
    id, category and exactness, and each pattern as ``[rule index, exact, regex source, first-word
    prefixes or "always"]``, in rule-file order."""
    shorthand: dict[str, str] = {}
    for short, spelled_out in rules.get("shorthand", {}).items():
        # Shorthand replaces whole words of the message (see Triager.normalise).
        if not re.fullmatch(_ONE_WORD, short):
            raise ValueError(f"shorthand {short!r} must be one word of letters and digits")
        shorthand[_collapse(short)] = _collapse(spelled_out)
    indexed_rules: list[list[Any]] = []
    patterns: list[list[Any]] = []
    for category, spec in rules["categories"].items():
        for rule in spec["rules"]:
            exact = bool(rule.get("exact"))
            rule_index = len(indexed_rules)
            indexed_rules.append([rule["id"], category, exact])
            for pattern in rule["patterns"]:
                source = _compile(pattern, exact=exact)
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


class _CompiledOnFirstSearch:
    """A pattern's search, compiled the first time a message needs it.

    Messages are searched only by the patterns whose first word they hold, so most patterns are never
    needed by a given message; compiling all of them at import cost every intake cold start ~0.1 s.
    """

    __slots__ = ("_search", "_source")

    def __init__(self, source: str) -> None:
        self._source = source
        self._search: Callable[[str], re.Match[str] | None] | None = None

    def __call__(self, text: str) -> re.Match[str] | None:
        if self._search is None:
            self._search = re.compile(self._source).search
        return self._search(text)


class _Rule(NamedTuple):  # a tuple: a dataclass costs import time to generate, ~1 ms each
    match: RuleMatch
    exact: bool
    search: Callable[[str], re.Match[str] | None]


class Triager:
    """The rules, each pattern compiled on its first search. A message is searched only by the patterns
    whose first word it holds."""

    def __init__(self, index: dict[str, Any]) -> None:
        """Triage by an index (see ``index_rules``): dictionaries built, nothing parsed or compiled."""
        self._shorthand: dict[str, str] = index["shorthand"]
        # Each pattern alone (what a message is searched with), and each rule whole (what it means).
        self._patterns: list[tuple[int, bool, Callable[[str], re.Match[str] | None]]] = []
        sources_of_rule: list[list[str]] = [[] for _ in index["rules"]]
        # Per form of the message (exact: its words; otherwise collapsed), first-word prefix -> the patterns
        # to try; patterns whose start cannot be read are always tried.
        by_prefix: dict[bool, dict[str, set[int]]] = {True: {}, False: {}}
        self._always: set[int] = set()
        for pattern_index, (rule_index, exact, source, prefixes) in enumerate(index["patterns"]):
            self._patterns.append((rule_index, exact, _CompiledOnFirstSearch(source)))
            sources_of_rule[rule_index].append(source)
            if prefixes == "always":
                self._always.add(pattern_index)
                continue
            for prefix in prefixes:
                by_prefix[bool(exact)].setdefault(prefix, set()).add(pattern_index)
        self.rules: list[_Rule] = [
            _Rule(RuleMatch(rule_id=rule_id, category=category), exact, _CompiledOnFirstSearch("|".join(sources)))
            for (rule_id, category, exact), sources in zip(index["rules"], sources_of_rule, strict=True)
        ]
        # What ``assess`` looks up for each word of a message: only prefixes of a length some rule starts with.
        self._prefixes: dict[bool, dict[str, frozenset[int]]] = {
            exact: {prefix: frozenset(found) for prefix, found in table.items()} for exact, table in by_prefix.items()
        }
        self._prefix_lengths: dict[bool, tuple[int, ...]] = {
            exact: tuple(sorted({len(prefix) for prefix in table})) for exact, table in by_prefix.items()
        }

    @classmethod
    def from_rules(cls, rules: dict[str, Any]) -> Triager:
        """Triage by the rules themselves, their index worked out now (every pattern parsed)."""
        return cls(index_rules(rules))

    def normalise(self, text: str) -> tuple[str, str]:
        """The message as the rules read it: (words, collapsed words with shorthand spelled out).

        ``words`` is one line of case-folded words, single-spaced, apostrophes dropped (exact rules
        read it); the second form also has each run of a letter collapsed to one.
        """
        folded = unicodedata.normalize("NFKC", text).casefold()
        words = _NOT_A_WORD.sub(" ", _APOSTROPHES.sub("", folded)).strip()
        # Shorthand is one word, and so is each space-separated part of ``words``: a word is looked up
        # whole (no regex of every shorthand to build at import).
        expanded = " ".join([self._shorthand.get(word, word) for word in _collapse(words).split(" ")])
        return words, expanded

    def assess(self, text: str | None) -> Triage:
        """Which rules the text matches; urgent when any does."""
        if not text:
            return NOT_URGENT
        words, collapsed = self.normalise(text)
        candidates = set(self._always)
        for exact, line in ((True, words), (False, collapsed)):
            table, lengths = self._prefixes[exact], self._prefix_lengths[exact]
            for token in set(line.split()):
                for length in lengths:
                    if length > len(token):
                        break
                    found = table.get(token[:length])
                    if found:
                        candidates |= found
        matched: set[int] = set()
        for pattern_index in sorted(candidates):
            rule_index, exact, search = self._patterns[pattern_index]
            if rule_index not in matched and search(words if exact else collapsed):
                matched.add(rule_index)
        matches = tuple(self.rules[index].match for index in sorted(matched))
        return Triage(urgent=True, matches=matches) if matches else NOT_URGENT


def _collapse(words: str) -> str:
    return _LETTER_RUNS.sub(r"\1", words)


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


def _load_shipped_triager() -> Triager:
    package = resources.files("inquiries")
    index_path = package.joinpath(INDEX_FILE)
    index_file = index_path.read_text("utf-8") if index_path.is_file() else None
    return triager_for(package.joinpath(RULES_FILE).read_bytes(), index_file)


_TRIAGER = _load_shipped_triager()


def assess(text: str | None) -> Triage:
    """Triage one message: urgent when its wording suggests a risk of harm to self or others."""
    return _TRIAGER.assess(text)


def signals_danger(text: str | None) -> bool:
    """True when the text contains wording that suggests a risk of harm to self or others."""
    return assess(text).urgent


def write_index(directory: Path = Path(__file__).parent) -> Path:
    """Regenerate the index file from the rule file beside it (``make triage-index``); its path."""
    index_path = directory / INDEX_FILE
    index_path.write_text(render_index(build_index((directory / RULES_FILE).read_bytes())), "utf-8")
    return index_path


def main(argv: list[str] | None = None) -> int:
    """``python -m inquiries.triage --write-index``: regenerate triage_index.json after a rule change."""
    import argparse  # only the command line needs it, never a Lambda cold start

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--write-index", action="store_true", required=True,
                        help=f"write {INDEX_FILE} from {RULES_FILE}, beside this module")
    parser.parse_args(argv)
    sys.stdout.write(f"wrote {write_index()}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
