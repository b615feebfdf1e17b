"""Triage against its labelled corpus (tests/data/triage): the corpus's size and shape, the shipped model
trained on exactly the training rounds and scored in pure Python as scikit-learn scores it, the rules'
guard (no rule is dead weight), and floors on what the rules and the model do on their training rounds.

The frozen rounds are never read here beyond their count: they measure triage on words nobody here has
fitted (``make triage``)."""

from __future__ import annotations

import hashlib
from collections import Counter
from pathlib import Path

import pytest
from inquiries.record import Level
from inquiries.triage import assess, features
from inquiries.triage.model import LinearModel, shipped_model
from inquiries.triage.rules import PRIORITY, URGENT, load_rules, load_shipped_triager

from infra import triage_corpus, triage_train
from infra.triage_corpus import FROZEN_ROUNDS, CorpusError, Phrasing, read_round

TRAINING = triage_corpus.load(frozen=False)
RULES = load_rules()
CATEGORIES = set(RULES["categories"])


def test_the_corpus_is_large_in_both_languages_and_covers_every_category() -> None:
    everything = TRAINING + triage_corpus.load(frozen=True)
    sizes = Counter((p.language, p.urgent) for p in everything)
    assert sizes[("en", True)] >= 1000 and sizes[("en", False)] >= 1000
    assert sizes[("es", True)] >= 250 and sizes[("es", False)] >= 250
    for language in ("en", "es"):
        per_category = Counter(p.category for p in TRAINING if p.language == language and p.urgent)
        assert set(per_category) == CATEGORIES
        assert min(per_category.values()) >= 15
        assert Counter(p.level for p in TRAINING if p.language == language)["priority"] >= 100


def test_frozen_rounds_exist_in_both_languages_and_are_kept_out_of_training() -> None:
    assert {name[:2] for name in FROZEN_ROUNDS} == {"en", "es"}
    assert not {p.round for p in TRAINING} & FROZEN_ROUNDS
    # The shipped model says which corpus it was trained on: the training rounds, nothing else.
    digest = hashlib.sha256("\n".join(f"{p.round}\t{p.level}\t{p.category}\t{p.text}"
                                      for p in TRAINING).encode("utf-8")).hexdigest()
    assert shipped_model().version == digest[:12], "retrain with `make train-triage`"


def test_a_malformed_line_is_refused_with_its_place_never_its_text(tmp_path: Path) -> None:
    path = tmp_path / "en_r99.tsv"
    path.write_text("# a round\nurgent\t-\ti want to die\n", "utf-8")
    with pytest.raises(CorpusError, match=r"en_r99.tsv:2") as refused:
        read_round(path)
    assert "die" not in str(refused.value)


@pytest.mark.timeout(600)  # the whole training (five fits per head): about a minute of CPU, far more on a busy machine
def test_the_committed_model_is_what_training_gives() -> None:
    assert triage_train.build() == (triage_train.MODEL_PATH.read_text("utf-8")), (
        "model.json is stale: the corpus, the rules or the features changed. Run `make train-triage`.")


def test_the_pure_python_scores_are_scikit_learns(monkeypatch: pytest.MonkeyPatch) -> None:
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    sample = TRAINING[::5]
    prepared = triage_train.Prepared.of(sample, load_shipped_triager())
    monkeypatch.setattr(triage_train, "MIN_WEIGHT", 0.0)
    monkeypatch.setattr(triage_train, "MIN_PHRASINGS", 1)
    exported = LinearModel(triage_train.fit_heads(prepared, triage_train.Settings()))
    found = prepared.feature_sets(features.ALL_PARTS)
    scales = prepared.scales(features.ALL_PARTS)
    assert min(scales) < 0.5 and max(scales) == 1.0  # long messages' words weigh less, short ones' fully
    vectorizer = DictVectorizer()
    matrix = vectorizer.fit_transform([features.values(f, s) for f, s in zip(found, scales, strict=True)]).tocsr()
    matrix.indices, matrix.indptr = matrix.indices.astype("int32"), matrix.indptr.astype("int32")
    # The fit reads each feature scaled by its naive Bayes ratio; the export folds the ratio into the weight.
    labels = [p.urgent for p in sample]
    ratios = triage_train.naive_bayes_ratios(matrix, labels)
    assert triage_train.Settings().nb_scaling and ratios.min() < 0 < ratios.max()
    scaled = matrix.multiply(ratios).tocsr()
    scaled.indices, scaled.indptr = scaled.indices.astype("int32"), scaled.indptr.astype("int32")
    reference = LogisticRegression(C=triage_train.REGULARISATION_C, solver="liblinear", class_weight="balanced",
                                   max_iter=2000, random_state=0).fit(scaled, labels)
    expected = reference.predict_proba(scaled)[:, 1]
    got = [exported.probability("urgent", f, s) for f, s in zip(found, scales, strict=True)]
    assert max(abs(a - b) for a, b in zip(got, expected, strict=True)) < 0.01


def test_a_subset_fits_the_model_a_fresh_reading_of_its_phrasings_would() -> None:
    # The folds take their rows of a matrix vectorised once for the whole corpus (Prepared.matrix): the same model
    # as vectorising the subset alone, columns it never meets included.
    sample = TRAINING[::25]
    rules = load_shipped_triager()
    whole = triage_train.Prepared.of(sample, rules)
    keep = [i for i in range(len(sample)) if i % 3]
    settings = triage_train.Settings()
    cut = triage_train.fit_heads(whole.subset(keep).subset(list(range(0, len(keep), 2))), settings, categories=False)
    fresh = triage_train.fit_heads(triage_train.Prepared.of([sample[i] for i in keep][::2], rules), settings,
                                   categories=False)
    assert cut == fresh and cut["urgent"]


@pytest.mark.parametrize("language", ["en", "es"])
def test_on_its_training_rounds_triage_catches_what_it_was_fitted_to(language: str) -> None:
    mine = [p for p in TRAINING if p.language == language]
    urgent = [p for p in mine if p.urgent]
    other = [p for p in mine if not p.urgent]
    caught = sum(assess(p.text).urgent for p in urgent)
    alarms = sum(assess(p.text).urgent for p in other)
    assert caught / len(urgent) >= 0.99
    assert alarms / len(other) <= 0.01
    history = [p for p in mine if p.level == "priority"]
    assert sum(assess(p.text).level is not Level.NONE for p in history) / len(history) >= 0.95


def _rule_verdicts() -> list[tuple[Phrasing, tuple[str, ...], tuple[str, ...]]]:
    rules = load_shipped_triager()
    out = []
    for p in TRAINING:
        verdict = rules.assess(p.text)
        out.append((p, tuple(m.rule_id for m in verdict.urgent), tuple(m.rule_id for m in verdict.priority)))
    return out


VERDICTS = _rule_verdicts()


def test_every_danger_rule_has_a_phrasing_only_it_catches() -> None:
    only = Counter(urgent[0] for p, urgent, _ in VERDICTS if p.level != "none" and len(urgent) == 1)
    danger_rules = [r["id"] for c in RULES["categories"].values() for r in c["rules"]
                    if r.get("level", URGENT) == URGENT]
    assert [rule_id for rule_id in danger_rules if not only[rule_id]] == []


def test_every_priority_rule_lowers_a_danger_match_or_alone_marks_a_risk_told_as_history() -> None:
    used = Counter(rule_id for p, _, priority in VERDICTS if p.level == "priority" for rule_id in priority)
    priority_rules = [r["id"] for c in RULES["categories"].values() for r in c["rules"] if r.get("level") == PRIORITY]
    assert priority_rules
    assert [rule_id for rule_id in priority_rules if not used[rule_id]] == []


def test_every_modifier_and_lexicon_is_met_in_the_training_rounds() -> None:
    rules = load_shipped_triager()
    seen: Counter[str] = Counter()
    for p in TRAINING:
        seen.update(rules.assess(p.text).concepts)
    expected = {"modifier:" + kind for kind in RULES["modifiers"]} | {"lexicon:" + name for name in RULES["lexicons"]}
    assert {name for name in expected if not seen[name]} == set()
