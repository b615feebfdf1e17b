"""Triage: wording that signals danger makes an inquiry urgent."""

from __future__ import annotations

from importlib import resources

import pytest
from inquiries.record import Level
from inquiries.triage import MODEL_RISK, MODEL_URGENT, Triage, assess, signals_danger
from inquiries.triage.features import ALL_PARTS
from inquiries.triage.model import MODEL_FORMAT, LinearModel
from inquiries.triage.reader import Reader
from inquiries.triage.rules import (
    RULES_FILE,
    RuleMatch,
    Triager,
    collapse_letters,
    first_word_prefixes,
    load_rules,
    load_shipped_triager,
)

CATEGORIES = (
    "ideation", "plan_and_means", "preparation_and_farewell", "overdose", "self_harm",
    "harm_to_others", "someone_else_at_risk", "dangerous_withdrawal", "threat_from_others", "medical_emergency",
)


@pytest.mark.parametrize(
    "text",
    [
        "I have been having suicidal thoughts",
        "sometimes I want to kill myself",
        "I'm thinking of ending my life",
        "I don\u2019t want to live anymore",
        "Everyone would be better off dead without me",
        "I have been cutting myself again",
        "I overdosed last month and I'm scared",
        "I took too many pills last night",
        "I can't go on like this",
        "I want to die",
        "SELF-HARM has been a problem",
        "i'm afraid i might hurt someone",
    ],
)
def test_danger_wording_is_urgent(text: str) -> None:
    assert signals_danger(text)


@pytest.mark.parametrize(
    "text",
    [
        None,
        "",
        "I'd like to learn about ketamine for depression and integration sessions.",
        "My anxiety makes it hard to sleep; what does treatment cost?",
        "I have been sober for two years but still struggle with cravings.",
        "Do you take insurance? My PTSD therapist referred me.",
        "I dyed my hair",
    ],
)
def test_ordinary_inquiries_are_not_urgent(text: str | None) -> None:
    assert not signals_danger(text)


# ---- how the message is read ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("i\u2019m not going to lie, i want to die", "ideation"),  # negation never hides danger
        ("not sure i want to live", "ideation"),
        ("I DON'T WANT TO LIVE ANYMORE", "ideation"),
        ("i dont want to live any more", "ideation"),  # no apostrophe, split word
        ("i want to dieeeee", "ideation"),  # repeated letters
        ("i waaant to   die!!!", "ideation"),  # spacing and punctuation
        ("i want.to.die", "ideation"),
        ("\uff49 \uff57\uff41\uff4e\uff54 \uff54\uff4f \uff44\uff49\uff45", "ideation"),  # full-width (NFKC)
        ("kms", "ideation"),  # shorthand
        ("i wanna unalive myself", "ideation"),
        ("i am feeling sucidal", "ideation"),  # misspelling
        ("i od'd", "overdose"),
        ("i OD\u2019d last night", "overdose"),
        ("ur better off without me", "ideation"),
    ],
)
def test_messages_are_read_past_their_spelling(text: str, category: str) -> None:
    assert category in assess(text).categories


@pytest.mark.parametrize(
    "text", ["that is odd", "an odd question about parking", "my phone died", "sudoku helps me relax"]
)
def test_shorthand_does_not_swallow_ordinary_words(text: str) -> None:
    assert not assess(text).urgent


def test_shorthand_is_spelled_out_only_where_it_is_a_whole_word() -> None:
    _words, expanded = Triager.from_rules(load_rules()).normalise("Imma KMS, imo im fine... kmsx")
    assert expanded == "i am going to kil myself imo i am fine kmsx"


def test_a_match_names_the_rule_and_the_category_never_the_words() -> None:
    verdict = assess("My husband said he wants to die and I found a rope")
    assert verdict.urgent
    assert {"someone_else_at_risk", "plan_and_means"} <= set(verdict.categories)
    assert all(isinstance(m, RuleMatch) for m in verdict.matches)
    assert all(set(vars(m)) == {"rule_id", "category"} for m in verdict.matches)
    known_ids = {r["id"] for c in load_rules()["categories"].values() for r in c["rules"]} | {MODEL_URGENT, MODEL_RISK}
    assert set(verdict.rule_ids) <= known_ids  # codes from the rule file, nothing taken from the message
    assert verdict.rule_ids == tuple(m.rule_id for m in verdict.matches)


def test_every_category_the_issue_names_has_rules_and_every_rule_a_source() -> None:
    rules = load_rules()
    assert list(rules["categories"]) == list(CATEGORIES)
    ids = [r["id"] for c in rules["categories"].values() for r in c["rules"]]
    assert len(ids) == len(set(ids))
    for category in rules["categories"].values():
        assert category["rules"]
        for rule in category["rules"]:
            assert rule["source"] in rules["sources"]
            assert rule["patterns"]


def test_letters_collapse_outside_escapes_and_classes() -> None:
    assert collapse_letters(r"kill\w* (my ?self)") == r"kil\w* (my ?self)"
    assert collapse_letters(r"[ss]ee\b") == r"[ss]e\b"


def test_an_unreadable_rule_start_is_always_tried() -> None:
    assert first_word_prefixes(r"\b(?:(?:a |the )?plan)\b") == frozenset({"a", "the", "plan"})
    assert first_word_prefixes(r"\b(?:\w+ die)\b") is None


def test_the_rules_ship_with_the_package() -> None:
    assert (resources.files("inquiries.triage") / RULES_FILE).is_file()


def test_nothing_to_read_is_not_urgent() -> None:
    assert assess(None) == Triage()
    assert assess(None).level is Level.NONE
    assert assess("   ...  ").matches == ()


# ---- levels: present danger, history, denial ------------------------------------------------------------
@pytest.mark.parametrize(
    "text",
    [
        "I attempted suicide in 2016 and have been stable since with therapy.",
        "i tried to kill myself when i was 17, im 31 now and doing ok",
        "No thoughts of harming myself, I just want help cutting back on drinking.",
        "I'm not suicidal, just exhausted and stuck.",
        "My brother died of an overdose two years ago and I've been drinking more since.",
        "I lost my husband to suicide four years ago and the anniversary is coming up.",
        "hace diez años intenté quitarme la vida, hoy estoy estable",
        "no tengo pensamientos de hacerme daño, solo quiero dejar de tomar",
    ],
)
def test_a_risk_told_as_history_denied_or_grieved_is_priority(text: str) -> None:
    verdict = assess(text)
    assert verdict.level is Level.PRIORITY
    assert not verdict.urgent
    assert verdict.categories


@pytest.mark.parametrize(
    "text",
    [
        # History never lowers a present danger: in the same sentence, or in another one.
        "I attempted years ago and the thoughts are back again this week",
        "I overdosed in 2019. Tonight I took the whole bottle of oxys.",
        "not going to lie, I want to die",
        "I was sober for 5 years. Right now I want to kill myself.",
    ],
)
def test_history_never_lowers_a_present_danger(text: str) -> None:
    assert assess(text).level is Level.URGENT


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("me quiero morir, ya no aguanto", "ideation"),
        ("mi pareja dice que me va a matar si lo dejo", "threat_from_others"),
        ("mi papá dejó de tomar hace dos días y está temblando y ve bichos en la pared", "dangerous_withdrawal"),
        ("me tomé todo el frasco de clonas", "overdose"),
        ("encontré una soga en el closet de mi hijo", "someone_else_at_risk"),
    ],
)
def test_spanish_danger_is_urgent_and_named_spanish(text: str, category: str) -> None:
    verdict = assess(text)
    assert verdict.urgent
    assert category in verdict.categories
    assert verdict.language == "es"


@pytest.mark.parametrize(
    "text",
    [
        "is it normal to hallucinate during the infusion?",
        "do you give out naloxone kits? I want one at home just in case",
        "this commute is killing me, do you have evening sessions?",
        "me muero de ganas de empezar, cuando hay cita?",
        "I drink a fifth a day and want to quit, do I need a medical detox first?",
    ],
)
def test_ordinary_clinic_questions_and_idioms_are_not_urgent(text: str) -> None:
    assert assess(text).level is not Level.URGENT


def test_the_model_reads_what_no_rule_anticipated() -> None:
    text = "i have been saving up my prescription for weeks and tonight feels like the right time"
    verdict = assess(text)
    assert verdict.urgent
    from inquiries.triage import shipped_reader  # the shipped reader: the rules alone miss it
    assert not shipped_reader().rules.assess(text).urgent
    assert verdict.rule_ids == (MODEL_URGENT,)


def _silent_model(deciding: list[str]) -> LinearModel:
    """A model that never fires (every score ~0), deciding by the rules listed alone."""
    return LinearModel({"format": MODEL_FORMAT, "parts": list(ALL_PARTS), "deciding_rules": deciding,
                        "bias": {"urgent": -50.0, "risk": -50.0}, "urgent": {}, "risk": {},
                        "thresholds": {"urgent:en": 0.5, "risk:en": 0.5, "urgent:es": 0.5, "risk:es": 0.5},
                        "categories": [], "category_bias": [], "category_weights": {}})


def test_a_deciding_rule_is_urgent_whatever_the_model_says_and_any_other_rule_only_informs_it() -> None:
    rules = load_shipped_triager()
    text = "I want to kill myself"
    [rule_id] = [m.rule_id for m in rules.assess(text).urgent]
    deciding = Reader(rules, lambda: _silent_model([rule_id])).assess(text)
    weighed = Reader(rules, lambda: _silent_model([])).assess(text)
    assert deciding.level is Level.URGENT and deciding.rule_ids == (rule_id,)
    # Not deciding: the model overrules it, and the match still marks a risk (priority), never nothing.
    assert weighed.level is Level.PRIORITY


def _history_weighing_model(*, history_apart: bool) -> LinearModel:
    """A model for which a danger match is urgent, unless the word "years" is in the message."""
    return LinearModel({"format": MODEL_FORMAT, "parts": list(ALL_PARTS), "deciding_rules": [],
                        "history_apart": history_apart,
                        "bias": {"urgent": -5.0, "risk": -5.0}, "urgent": {"rule:urgent": 10.0, "w:years": -20.0},
                        "risk": {}, "thresholds": {"urgent:en": 0.5, "risk:en": 0.5, "urgent:es": 0.5, "risk:es": 0.5},
                        "categories": [], "category_bias": [], "category_weights": {}})


def test_a_danger_told_beside_a_history_is_weighed_without_the_history() -> None:
    rules = load_shipped_triager()
    text = "I was sober for 5 years. Right now I want to kill myself."
    assert rules.assess(text).history_sentences == (0,)

    apart = Reader(rules, lambda: _history_weighing_model(history_apart=True)).assess(text)
    together = Reader(rules, lambda: _history_weighing_model(history_apart=False)).assess(text)

    assert apart.level is Level.URGENT and apart.categories == ("ideation",)
    assert together.level is Level.PRIORITY  # the words of the history outvoted the danger
    # A danger told inside the history itself stays a history (priority): it has nothing to be weighed without.
    told_as_history = Reader(rules, lambda: _history_weighing_model(history_apart=True)).assess(
        "Years ago I wanted to kill myself.")
    assert told_as_history.level is Level.PRIORITY
