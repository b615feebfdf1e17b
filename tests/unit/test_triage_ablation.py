"""The ablation (``python -m infra.triage_report --ablation-rows``) made cheap without changing a figure.

Each row used to vectorise the corpus for its own kinds of feature, read every phrasing with the rules again
in every fold, and fit every head. Now the rules read each text once, every row's kinds of feature are
columns of one matrix (``Prepared.cut_from``), and only the ``urgent`` head is fitted. These tests pin that
each shortcut is exactly what it replaces, on a small subset of the corpus: masked columns equal a
vectorising without the part, and the rows' figures equal the full evaluation's."""

from __future__ import annotations

import io
from collections import Counter
from contextlib import redirect_stdout
from typing import Any

import pytest
from inquiries.triage import features
from inquiries.triage.rules import Triager, load_shipped_triager

from infra import triage_corpus, triage_report, triage_train
from infra.triage_report import ABLATION, Figures

TRAINING = triage_corpus.load(frozen=False)
FROZEN = triage_corpus.load(frozen=True)
# Every kind of model the ablation trains (rules alone, row 0, trains none).
ABLATION_PARTS = sorted({settings.parts for _, settings in ABLATION if settings is not None})
# What the ablation prints of each language's figures (the levels below urgent are not printed).
URGENT_FIELDS = ("urgent", "urgent_caught", "not_urgent", "false_alarms", "category_total", "category_caught",
                 "missed_rounds")


@pytest.mark.parametrize("parts", ABLATION_PARTS, ids=lambda parts: "+".join(parts))
def test_a_kind_of_feature_masked_out_of_the_wider_matrix_is_the_matrix_vectorised_without_it(
        parts: tuple[str, ...]) -> None:
    sample = TRAINING[::30]
    rules = load_shipped_triager()
    alone = triage_train.Prepared.of(sample, rules)
    cut = alone.cut_from(triage_train.UNION_PARTS)
    direct, direct_names = alone.matrix(parts)
    masked, masked_names = cut.matrix(parts)
    assert cut._can_cut(parts) and not alone._can_cut(parts)  # the two are made differently
    assert masked_names == direct_names
    assert masked.shape == direct.shape and (masked != direct).nnz == 0
    # And a subset (a fold) of each fits the same model.
    keep = [i for i in range(len(sample)) if i % 4]
    settings = triage_train.Settings(parts=parts, nb_scaling=False)
    assert (triage_train.fit_heads(cut.subset(keep), settings, categories=False)
            == triage_train.fit_heads(alone.subset(keep), settings, categories=False))


def test_a_long_message_s_words_weigh_less_in_a_masked_scaled_matrix_too() -> None:
    # The test above is only as good as its subset: it must hold long messages, whose words a SCALED model weighs less.
    parts = (features.WORDS, features.SCALED)
    cut = triage_train.Prepared.of(TRAINING[::30], load_shipped_triager()).cut_from(triage_train.UNION_PARTS)
    masked, names = cut.matrix(parts)
    assert 0 < masked.data.min() < 0.5 and masked.data.max() == 1.0
    assert not any(name.startswith(("c:", "s:", "lexicon:", "rule")) for name in names)


def _urgent_figures(figures: dict[str, Figures]) -> dict[str, dict[str, Any]]:
    return {language: {name: getattr(f, name) for name in URGENT_FIELDS} for language, f in figures.items()}


@pytest.mark.timeout(600)
@pytest.mark.parametrize("row", [1, 5], ids=["words alone", "every rule decides, scaled, history apart"])
def test_an_ablation_row_measured_the_cheap_way_gives_the_full_evaluation_s_figures(row: int) -> None:
    sample, frozen = TRAINING[::12], FROZEN[::6]
    settings = ABLATION[row][1]
    assert settings is not None
    rules = load_shipped_triager()
    full = triage_report.evaluate(settings, rules, triage_train.Prepared.of(sample, rules), frozen,
                                  with_training=False)
    remembering = triage_report.RememberingTriager(rules)
    cheap = triage_report.evaluate(settings, remembering,
                                   triage_train.Prepared.of(sample, remembering).cut_from(triage_train.UNION_PARTS),
                                   frozen, with_training=False, urgent_only=True)
    assert _urgent_figures(cheap.held_out) == _urgent_figures(full.held_out)
    assert _urgent_figures(cheap.frozen) == _urgent_figures(full.frozen)
    assert full.held_out["en"].urgent_caught and full.held_out["en"].false_alarms  # figures worth comparing


@pytest.fixture(scope="module")
def ablation_run(request: pytest.FixtureRequest) -> dict[str, Any]:
    """Rows 1 to 5 of the ablation on a small subset, counting the rules' reads and the vectorisings."""
    from sklearn.feature_extraction import DictVectorizer

    sample, frozen = TRAINING[::25], FROZEN[::10]
    rules = load_shipped_triager()
    prepared = triage_train.Prepared.of(sample, rules)
    reads: Counter[str] = Counter()
    vectorisings: list[int] = []
    read, fit_transform = Triager.read, DictVectorizer.fit_transform

    def counted_read(self: Triager, text: str) -> Any:
        reads[text] += 1
        return read(self, text)

    def counted_fit_transform(self: DictVectorizer, x: Any, y: Any = None) -> Any:
        vectorisings.append(1)
        return fit_transform(self, x, y)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Triager, "read", counted_read)
        patch.setattr(DictVectorizer, "fit_transform", counted_fit_transform)
        printed = io.StringIO()
        with redirect_stdout(printed):
            triage_report._ablation("1,2,3,4,5", rules, sample, prepared, frozen)
    return {"reads": reads, "vectorisings": len(vectorisings), "printed": printed.getvalue(),
            "texts": {p.text for p in sample + frozen}}


@pytest.mark.timeout(600)
def test_the_ablation_reads_each_phrasing_with_the_rules_once(ablation_run: dict[str, Any]) -> None:
    reads = ablation_run["reads"]
    assert set(ablation_run["texts"]) <= set(reads)  # every phrasing was read (held out or frozen)
    assert max(reads[text] for text in ablation_run["texts"]) == 1, "a phrasing was read again"
    assert len(ablation_run["printed"].splitlines()) == 6  # the heading and five rows


@pytest.mark.timeout(600)
def test_the_ablation_vectorises_the_corpus_once_for_all_its_rows(ablation_run: dict[str, Any]) -> None:
    assert ablation_run["vectorisings"] == 1
