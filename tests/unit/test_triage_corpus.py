"""Triage against the labelled corpus in tests/data: every crisis phrasing caught with its category,
few false alarms on ordinary inquiries, and no rule that only other rules' phrasings exercise."""

from __future__ import annotations

from collections import Counter

import pytest
from inquiries.triage import Triager, assess, load_rules

from infra.triage_report import CrisisPhrasing, crisis_phrasings, ordinary_inquiries

CRISIS = crisis_phrasings()
ORDINARY = ordinary_inquiries()
RULES = load_rules()
RULE_IDS = [r["id"] for c in RULES["categories"].values() for r in c["rules"]]


def test_the_corpus_is_large_and_covers_every_category() -> None:
    assert len(CRISIS) >= 200
    assert len(ORDINARY) >= 200
    per_category = Counter(p.category for p in CRISIS)
    assert set(per_category) == set(RULES["categories"])
    assert min(per_category.values()) >= 15
    assert len({p.text for p in CRISIS}) == len(CRISIS)
    assert len(set(ORDINARY)) == len(ORDINARY)


@pytest.mark.parametrize("phrasing", CRISIS, ids=lambda p: f"{p.category}:{p.text[:40]}")
def test_each_crisis_phrasing_is_urgent_with_its_category(phrasing: CrisisPhrasing) -> None:
    verdict = assess(phrasing.text)
    assert verdict.urgent
    assert phrasing.category in verdict.categories


def test_recall_is_complete() -> None:
    missed = [p.text for p in CRISIS if phrasing_missed(p)]
    assert missed == []


def phrasing_missed(phrasing: CrisisPhrasing) -> bool:
    return phrasing.category not in assess(phrasing.text).categories


def test_false_alarms_are_at_most_five_percent() -> None:
    flagged = [text for text in ORDINARY if assess(text).urgent]
    assert len(flagged) / len(ORDINARY) <= 0.05, flagged


def test_every_rule_has_a_phrasing_only_it_catches() -> None:
    only_one = Counter(
        verdict.matches[0].rule_id for verdict in (assess(p.text) for p in CRISIS) if len(verdict.matches) == 1
    )
    assert [rule_id for rule_id in RULE_IDS if not only_one[rule_id]] == []


@pytest.mark.parametrize(
    "text",
    [
        "i'm dying to know when you open",
        "killing it at work, but my mood is flat",
        "my phone died while i was filling this in",
        "i'm shaking with excitement to start",
        "i quit drinking in 2020 and want support staying sober",
        "is it safe to take my meds before a session",
    ],
)
def test_hard_negatives_are_not_urgent(text: str) -> None:
    assert not assess(text).urgent


def test_searching_only_the_rules_a_message_can_start_gives_what_searching_every_rule_gives() -> None:
    # The first-word shortcut must never cost a match: compare it with every rule searched in full.
    triager = Triager.from_rules(RULES)
    for text in [p.text for p in CRISIS] + ORDINARY:
        words, collapsed = triager.normalise(text)
        every_rule = tuple(r.match for r in triager.rules if r.search(words if r.exact else collapsed))
        assert triager.assess(text).matches == every_rule, text
