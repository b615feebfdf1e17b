"""The triage index: generated from the rules, shipped beside them, read at import instead of parsing
every pattern, and never acted on when it was built from other rules."""

from __future__ import annotations

import json
import tomllib
import warnings
from importlib import resources
from pathlib import Path

import pytest
from inquiries.triage.rules import (
    INDEX_FILE,
    INDEX_FORMAT,
    RULES_FILE,
    Triager,
    build_index,
    first_words,
    index_rules,
    load_shipped_triager,
    render_index,
    required_literals,
    triager_for,
    write_index,
)

from infra import triage_corpus

PACKAGE = resources.files("inquiries.triage")
SHIPPED_RULES = PACKAGE.joinpath(RULES_FILE).read_bytes()
SHIPPED_INDEX = PACKAGE.joinpath(INDEX_FILE).read_text("utf-8")
# Every training round (the frozen ones are never read here); a sample keeps the fallback tests quick.
CORPUS = [p.text for p in triage_corpus.load(frozen=False)][::3]
PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"


def test_the_committed_index_is_what_the_rules_produce() -> None:
    assert render_index(build_index(SHIPPED_RULES)) == SHIPPED_INDEX, (
        f"{INDEX_FILE} is stale: {RULES_FILE} (or how triage reads it) changed without regenerating it. "
        "Run `make triage-index` (python -m inquiries.triage.rules --write-index) and commit the result."
    )


def test_the_shipped_index_is_used_without_building_anything() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the stale-index fallback warns: here it must not run
        triager_for(SHIPPED_RULES, SHIPPED_INDEX)


def test_the_index_ships_with_the_package_like_the_rules() -> None:
    package_data = tomllib.loads(PYPROJECT.read_text("utf-8"))["tool"]["setuptools"]["package-data"]["inquiries.triage"]
    assert {RULES_FILE, INDEX_FILE} <= set(package_data)


def _rules_with_an_extra_rule() -> bytes:
    rules = json.loads(SHIPPED_RULES)
    rules["categories"]["ideation"]["rules"].append(
        {"id": "ideation.only_in_this_test", "source": "988", "patterns": ["quetzalcoatl falls"]})
    return json.dumps(rules).encode()


def test_an_index_built_from_other_rules_is_never_acted_on() -> None:
    changed_rules = _rules_with_an_extra_rule()
    assert not Triager(json.loads(SHIPPED_INDEX)).assess("the quetzalcoatl falls").urgent  # what the stale index says
    with pytest.warns(RuntimeWarning, match="make triage-index"):
        triager = triager_for(changed_rules, SHIPPED_INDEX)
    assert [m.rule_id for m in triager.assess("the quetzalcoatl falls").urgent] == ["ideation.only_in_this_test"]


@pytest.mark.parametrize(
    "index_file",
    [
        SHIPPED_INDEX.replace(json.loads(SHIPPED_INDEX)["rules_sha256"], "0" * 64),  # rules hash mismatch
        SHIPPED_INDEX.replace(f'"format": {INDEX_FORMAT},', f'"format": {INDEX_FORMAT - 1},'),  # an older triage's
        None,  # no index shipped
    ],
    ids=["hash-mismatch", "old-format", "missing"],
)
def test_the_fallback_to_the_rules_gives_the_same_verdicts(index_file: str | None) -> None:
    with pytest.warns(RuntimeWarning, match="make triage-index"):
        fallback = triager_for(SHIPPED_RULES, index_file)
    shipped = load_shipped_triager()
    assert [fallback.assess(text) for text in CORPUS] == [shipped.assess(text) for text in CORPUS]


def test_the_index_and_the_rules_read_alike() -> None:
    rules = json.loads(SHIPPED_RULES)
    from_index, from_rules = Triager(json.loads(SHIPPED_INDEX)), Triager.from_rules(rules)
    for text in CORPUS:
        assert from_index.normalise(text) == from_rules.normalise(text)
        assert from_index.assess(text) == from_rules.assess(text), text


def test_write_index_regenerates_the_file_beside_the_rules(tmp_path: Path) -> None:
    (tmp_path / RULES_FILE).write_bytes(_rules_with_an_extra_rule())
    written = write_index(tmp_path)
    assert written == tmp_path / INDEX_FILE
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        triager = triager_for((tmp_path / RULES_FILE).read_bytes(), written.read_text("utf-8"))
    assert triager.assess("the quetzalcoatl falls").urgent


def test_each_pattern_records_its_rule_and_the_words_it_can_start_with() -> None:
    index = index_rules({"shorthand": {}, "categories": {
        "ideation": {"rules": [{"id": "ideation.a", "patterns": ["(i|we) want to die", r"\w+ ~ die"]}]},
        "overdose": {"rules": [{"id": "overdose.od", "exact": True, "patterns": ["od"]}]},
    }})
    assert index["rules"] == [["ideation.a", "ideation", False, "urgent"], ["overdose.od", "overdose", True, "urgent"]]
    assert [(rule, exact, prefixes) for rule, exact, _source, prefixes, _required in index["patterns"]] == [
        (0, False, ["i ", "we "]), (0, False, "always"), (1, True, ["od"])]  # "i ": the word "i" itself
    assert [required for *_, required in index["patterns"]] == [[[" want to die"]], [["die"]], [["od"]]]


@pytest.mark.parametrize(("pattern", "clauses"), [
    (r"\b(?:kil\w* (my ?self|me self))\b", [["e self", "self"], ["kil"]]),
    (r"\b(?:(overdosed|took too many) (pils|tablets)( again)?)\b",
     [["overdosed", "took too many"], ["pils", "tablets"]]),
    (r"\b(?:(pils|od|x) tonight)\b", [[" tonight"]]),  # "x" is too short to be worth a test
    (r"(?i)\b(?:die)\b", []),  # a case-insensitive pattern: its literals say nothing of the text
    (r"\b(?:(?i:die) now)\b", [[" now"]]),
    (r"\b(?:(end )?it al)\b", [["it al"]]),  # an optional part is not required
    (r"\b(?:(very )+sad)\b", [["very "], ["sad"]]),  # a part repeated once or more is
])
def test_required_literals_are_what_every_match_holds(pattern: str, clauses: list[list[str]]) -> None:
    assert required_literals(pattern) == clauses


@pytest.mark.parametrize(("pattern", "words"), [
    (r"\b(?:(a|the) rope)\b", {"a ", "the "}),  # read on past the group: "a" and "the" whole
    (r"\b(?:kil\w* me)\b", {"kil"}),  # a beginning: kill, killing, kil
    (r"\b(?:(over)?dosed (on|with))\b", {"over", "dosed "}),  # an optional part: only a beginning
    (r"\b(?:(a )?plan)\b", {"a ", "plan"}),
    (r"\b(?:\w+ die)\b", None),
])
def test_first_words_marks_the_words_a_match_holds_whole(pattern: str, words: set[str] | None) -> None:
    assert first_words(pattern) == (None if words is None else frozenset(words))


def test_a_whole_first_word_is_not_looked_up_as_a_beginning() -> None:
    triager = Triager(index_rules({"shorthand": {}, "categories": {
        "ideation": {"rules": [{"id": "ideation.a", "patterns": ["i want to die"]}]}}}))
    assert not triager.assess("it want to die").urgent
    assert triager._patterns[0][2]._compiled is None  # "it" never starts "i want to die": not even tried
    assert [m.rule_id for m in triager.assess("i want to die").urgent] == ["ideation.a"]


def test_a_pattern_is_tried_only_where_the_text_holds_what_it_requires() -> None:
    triager = Triager(index_rules({"shorthand": {}, "categories": {
        "ideation": {"rules": [{"id": "ideation.a", "patterns": ["want ~ die"]}]}}}))
    compiled = triager._patterns[0][2]
    assert not triager.assess("i want to go home and dine, i want to").urgent
    assert compiled._compiled is None  # "want" is there, " die" is not: never tried, so never even compiled
    assert [m.rule_id for m in triager.assess("i want to really die").urgent] == ["ideation.a"]
    assert compiled._compiled is not None


def test_shorthand_must_be_one_word() -> None:
    with pytest.raises(ValueError, match="one word"):
        index_rules({"shorthand": {"want to": "wanna"}, "categories": {}})


@pytest.mark.parametrize("index_file", ["{not json", '{"format": 2}', SHIPPED_INDEX.replace('"patterns"', '"pattern"')],
                         ids=["not-json", "no-hash", "missing-key"])
def test_an_unreadable_index_falls_back_to_the_rules_instead_of_failing_the_cold_start(index_file: str) -> None:
    with pytest.warns(RuntimeWarning, match="make triage-index"):
        fallback = triager_for(SHIPPED_RULES, index_file)
    assert fallback.assess("i want to kill myself").urgent


def test_lexicons_are_expanded_into_the_patterns_that_name_them() -> None:
    index = index_rules({"lexicons": {"PILLS": ["pills", "tablets"]}, "categories": {
        "overdose": {"rules": [{"id": "overdose.a", "patterns": ["took all my {PILLS}"]}]}}})
    triager = Triager(index)
    assert [m.rule_id for m in triager.assess("i took all my tablets").urgent] == ["overdose.a"]
    assert "lexicon:PILLS" in triager.assess("the pills are on the table").concepts
    with pytest.raises(ValueError, match="unknown lexicon"):
        index_rules({"categories": {"overdose": {"rules": [{"id": "x", "patterns": ["{NOPE}"]}]}}})
