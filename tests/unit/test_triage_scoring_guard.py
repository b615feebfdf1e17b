"""Cheaper scoring, the same decisions: every corpus message (every round, frozen ones included, both
languages) gets from the shipped triage exactly what the frozen plain reading (``tests/triage_reference``)
gives it: level, categories, rule ids, language, and the model's two scores within 1e-9.

Nothing here reads what a frozen round says, only whether two readings of it agree. It fails when a change
to how triage scores (a feature dropped or computed differently, a rule match missed) moves any message.
"""

from __future__ import annotations

import pytest
from inquiries.triage import shipped_reader
from inquiries.triage.reader import Reader

from infra import triage_corpus
from tests.triage_reference import model as reference_model
from tests.triage_reference import reader as reference_reader
from tests.triage_reference import rules as reference_rules

ROUNDS = triage_corpus.round_names()
# A few messages no round holds: a long intake (2,000 characters), shorthand, accents, sentence breaks.
EXTRA = [
    " ".join(p.text for p in triage_corpus.read_round(triage_corpus.CORPUS_DIR / "en_r1.tsv"))[:2000],
    "I was sober for 5 years. Right now I want to kill myself.",
    "kms tn, got the pillz saved up... dont tell my mum",
    "Quisiera información. Hace años intenté quitarme la vída; hoy estoy estable.",
    "not going to lie, i want to die",
    "hallucinating during the infusion?! is that normal",
]
TOLERANCE = 1e-9


@pytest.fixture(scope="module")
def reference() -> reference_reader.Reader:
    rules = reference_rules.Triager.from_rules(reference_rules.load_rules())
    model = reference_model.shipped_model()
    return reference_reader.Reader(rules, lambda: model)


def _reference_scores(reference: reference_reader.Reader, text: str) -> tuple[float, float]:
    from tests.triage_reference import features
    from tests.triage_reference.language import message_language

    verdict, words, collapsed = reference.rules.read(text)
    model = reference._model()
    found = features.extract(collapsed, verdict, message_language(words), model.parts)
    scale = features.word_scale(collapsed, model.parts)
    return model.probability("urgent", found, scale), model.probability("risk", found, scale)


def _disagreements(reference: reference_reader.Reader, shipped: Reader, texts: list[str]) -> list[str]:
    wrong: list[str] = []
    for number, text in enumerate(texts):
        expected, got = reference.assess(text), shipped.assess(text)
        if ((got.level, got.categories, got.rule_ids, got.language)
                != (expected.level, expected.categories, expected.rule_ids, expected.language)):
            wrong.append(f"#{number}: {expected.level}/{expected.rule_ids} became {got.level}/{got.rule_ids}")
            continue
        old, new = _reference_scores(reference, text), shipped.scores(text)
        if any(abs(a - b) > TOLERANCE for a, b in zip(old, new, strict=True)):
            wrong.append(f"#{number}: scores {old} became {new}")
    return wrong


def _texts(round_name: str) -> list[str]:
    return [p.text for p in triage_corpus.read_round(triage_corpus.CORPUS_DIR / f"{round_name}.tsv")]


@pytest.mark.parametrize("round_name", ROUNDS)
def test_every_message_of_a_round_is_read_as_the_plain_reading_reads_it(
        reference: reference_reader.Reader, round_name: str) -> None:
    texts = _texts(round_name)
    wrong = _disagreements(reference, shipped_reader(), texts)
    # Messages by position only: the words of a frozen round are never printed.
    assert not wrong, f"{round_name}: {len(wrong)} of {len(texts)} messages read differently: {wrong[:10]}"


def test_messages_no_round_holds_are_read_as_the_plain_reading_reads_them(
        reference: reference_reader.Reader) -> None:
    assert not _disagreements(reference, shipped_reader(), EXTRA)


def test_the_guard_covers_both_languages_every_level_and_the_frozen_rounds(
        reference: reference_reader.Reader) -> None:
    assert len(ROUNDS) == len(list(triage_corpus.CORPUS_DIR.glob("*.tsv")))
    assert set(ROUNDS) >= triage_corpus.FROZEN_ROUNDS
    verdicts = [reference.assess(text) for name in ROUNDS[::5] for text in _texts(name)[::7]]
    assert {v.language for v in verdicts} == {"en", "es"}
    assert {v.level.value for v in verdicts} == {"urgent", "priority", "none"}
