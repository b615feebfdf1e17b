"""What intake does per request is done in C where the standard library can: the same answers, less CPU.

The warm intake p99 (docs/benchmarks.md, "Warm intake") is held to 3x Powertools' hello world.

The strict JSON reader (``intake.strict_json``) looked at every character of every body in Python twice: once
for the nesting depth, once per string for lone surrogates. A body with no more opening brackets than
``MAX_DEPTH`` cannot nest deeper, so the depth scan runs only for bodies that could be refused by it; the
surrogate check is one regular-expression search. Every text field was cleaned character by character with a
Unicode category lookup; ASCII text (most of it) is now cleaned by ``str.translate``. These properties pin that
the answers are unchanged.
"""

from __future__ import annotations

import json
import re
import unicodedata
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from inquiries.intake.strict_json import MAX_DEPTH, JsonRefused, nesting_depth, parse_strict_json
from inquiries.record import clean_text, has_hidden_characters

texts = st.text(alphabet=st.characters(codec="utf-8") | st.sampled_from("[]{}\"\\\ud800\udfff"), max_size=60)
nested = st.recursive(st.integers() | st.text(max_size=3),
                      lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=2), children,
                                                                                           max_size=3),
                      max_leaves=20)


def _reason(text: str) -> str | None:
    try:
        parse_strict_json(text)
    except JsonRefused as refused:
        return refused.reason
    except json.JSONDecodeError:
        return "not_json"
    return None


@settings(max_examples=300, deadline=None)
@given(nested)
def test_a_body_is_refused_as_too_deep_exactly_when_it_nests_deeper_than_the_limit(value: Any) -> None:
    text = json.dumps(value)

    assert (_reason(text) == "too_deep") == (nesting_depth(text) > MAX_DEPTH)


@settings(max_examples=300, deadline=None)
@given(texts)
def test_a_string_is_refused_for_a_lone_surrogate_exactly_when_it_holds_one(text: str) -> None:
    body = json.dumps({"message": text})
    lone = any(0xD800 <= ord(ch) <= 0xDFFF for ch in text)

    assert (_reason(body) == "lone_surrogate") == lone


def test_a_key_with_a_lone_surrogate_is_refused() -> None:
    assert _reason('{"\\ud800": 1}') == "lone_surrogate"


# ---- text cleaning: ASCII in C, the rest character by character, the same result ---------------------------------
def _clean_by_category(value: str, multiline: bool) -> str:
    """``record.clean_text`` as it was: every character's Unicode category looked up in Python."""
    text = unicodedata.normalize("NFKC", value).replace("\r\n", "\n").replace("\r", "\n")
    out = [(ch if multiline else " ") if ch in "\n\t" else ch for ch in text
           if ch in "\n\t" or unicodedata.category(ch) not in ("Cc", "Cf")]
    cleaned = "".join(out)
    return (cleaned if multiline else re.sub(r"\s+", " ", cleaned)).strip()


ascii_with_controls = st.text(alphabet=st.characters(max_codepoint=0x7F), max_size=80)
any_text = st.text(max_size=40)


@settings(max_examples=400, deadline=None)
@given(ascii_with_controls | any_text, st.booleans())
def test_text_is_cleaned_as_the_category_by_category_loop_cleaned_it(value: str, multiline: bool) -> None:
    assert clean_text(value, multiline=multiline) == _clean_by_category(value, multiline)


@settings(max_examples=400, deadline=None)
@given(ascii_with_controls | any_text)
def test_hidden_characters_are_found_as_the_category_lookup_found_them(value: str) -> None:
    hidden = any(unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp") for ch in value)

    assert has_hidden_characters(value) is hidden


def test_the_warm_comparison_runs_alone_and_against_another_checkout(capsys: pytest.CaptureFixture[str]) -> None:
    from infra.bench import warm
    from infra.bench.cold_start import FUNCTIONS_DIR

    assert warm.main(["--requests", "5", "--warmup", "2", "--blocks", "1", "--against", str(FUNCTIONS_DIR)]) == 0

    rows = [line for line in capsys.readouterr().out.splitlines() if line.startswith("| ") and "x |" in line]
    assert [row.split(" | ")[0] for row in rows] == ["| this checkout", f"| {FUNCTIONS_DIR}"]
