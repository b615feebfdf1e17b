"""Intake's validator (``models_core``: pydantic's core alone) answers every submission as ``InquiryIn`` would.

``InquiryIn`` (pydantic) is the description ``make openapi`` publishes; intake validates with a
``SchemaValidator`` built from a core schema written out in ``models_core``, so its cold start does not import
pydantic (issue 17, item 7). These tests hold the two together: the same fields, defaults and rules in the same
order, and, on generated submissions, the same stored values or the same 422 body.
"""

from __future__ import annotations

import functools
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from inquiries import models_core
from inquiries.models import InquiryIn
from inquiries.models_core import (
    INQUIRY_FIELDS,
    Inquiry,
    describe_validation_errors,
    inquiry_core_schema,
    inquiry_json,
    validate_inquiry,
)
from inquiries.record import FieldError, Language, PreferredContact, Topic
from pydantic_core import ValidationError

from tests.support import phi


def _steps(schema: dict[str, Any]) -> list[tuple[Any, ...]]:
    """One field's schema as the checks it runs, outermost first: pydantic's length validators and the string's
    own limits read alike, and a model's classmethod rule reads as the ``models_core`` function it calls."""
    kind = schema["type"]
    if kind == "model-field":
        return _steps(schema["schema"])
    if kind == "default":
        return [("default", schema["default"], schema.get("validate_default", False)), *_steps(schema["schema"])]
    if kind == "nullable":
        return [("nullable",), *_steps(schema["schema"])]
    if kind in ("function-before", "function-after"):
        function = schema["function"]["function"]
        if isinstance(function, functools.partial):  # pydantic's min/max length validators
            return [*_steps(schema["schema"]), *sorted(function.keywords.items())]
        name = getattr(function, "__name__", "").lstrip("_")
        return [(kind, name, schema["function"]["type"]), *_steps(schema["schema"])]
    if kind == "str":
        # Checked together; listed as pydantic applies them (the minimum, then the maximum).
        limits = [(k, schema[k]) for k in ("min_length", "max_length") if k in schema]
        return [("str",), *limits]
    if kind == "enum":
        return [("enum", schema["cls"], tuple(schema["members"]))]
    return [(kind,)]


def _fields(schema: dict[str, Any]) -> tuple[tuple[str, str], dict[str, list[tuple[Any, ...]]], str]:
    """(the model's before-rule, its fields' checks in order, what it does with unknown fields)."""
    if schema["type"] == "model":
        extra = schema["config"]["extra_fields_behavior"]
        schema = schema["schema"]
    else:
        extra = schema["schema"]["extra_behavior"]
    before = (schema["type"], schema["function"]["function"].__name__.lstrip("_"))
    fields = schema["schema"]["fields"]
    return before, {name: _steps(field) for name, field in fields.items()}, extra


def test_the_core_schema_has_inquiryins_fields_defaults_and_rules_in_its_order() -> None:
    ours = _fields(dict(inquiry_core_schema()))
    theirs = _fields(dict(InquiryIn.__pydantic_core_schema__))

    assert list(ours[1]) == list(theirs[1]) == list(INQUIRY_FIELDS)
    assert ours == theirs


def test_the_check_would_see_a_rule_missing_from_the_core_schema(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(models_core, "consent_is_required", lambda value: value)

    assert _fields(dict(inquiry_core_schema())) != _fields(dict(InquiryIn.__pydantic_core_schema__))


def _answer(validate: Any, data: Any) -> tuple[str, Any]:
    try:
        inquiry = validate(data)
    except ValidationError as refused:
        return "422", describe_validation_errors(refused)
    return "accepted", inquiry_json(inquiry)


_text = st.sampled_from(["", " ", "Robin", "robin@example.com", " Robin.X@Example.COM ", "a@b", "(415) 555-0134",
                         "+44 20 7946 0958", "555", "on", "true", "false", "no", "x" * 101, "x" * 2001, "y" * 33,
                         "line\r\nbreak\x00", "a\u200bb@example.com", "\uff32obin", "email", "phone", "sms", "es",
                         "en", "fr", "anxiety", "ptsd", "other", "http://x"])
_value: st.SearchStrategy[Any] = (_text | st.booleans() | st.none() | st.integers(-1, 2) | st.just([])
                                 | st.just({"a": 1}))
_key = st.sampled_from([*INQUIRY_FIELDS, "extra", "x y", ""])
_submission = st.dictionaries(_key, _value, max_size=12)


# Mostly valid: a name, an address and consent, then the optional fields with plausible or blank values.
_valid_base = st.fixed_dictionaries({
    "name": st.sampled_from(["Robin", " \uff32obin Example ", "x" * 100]),
    "email": st.sampled_from(["robin@example.com", " Robin.X@Example.COM ", "a@b.co"]),
    "consent_to_contact": st.sampled_from([True, "on", "true", 1]),
})
_optional = st.dictionaries(
    st.sampled_from(["preferred_contact", "phone", "sms_consent", "topic", "message", "referral_source", "language",
                     "website"]),
    st.sampled_from(["", " ", None, True, False, "on", "email", "phone", "sms", "anxiety", "other", "es", "en",
                     "(415) 555-0134", "+44 20 7946 0958", "hi\r\nthere", "a friend", "http://x"]),
    max_size=8)


@settings(max_examples=600, deadline=None)
@given(st.fixed_dictionaries({"name": _text, "email": _text, "consent_to_contact": _value}) | _submission
       | _valid_base, _submission | _optional)
def test_every_submission_gets_the_same_answer_from_both(base: dict[str, Any], more: dict[str, Any]) -> None:
    _same_answer({**base, **more})


@settings(max_examples=300, deadline=None)
@given(_valid_base, _optional)
def test_every_plausible_submission_gets_the_same_answer_from_both(base: dict[str, Any], more: dict[str, Any]) -> None:
    _same_answer({**base, **more})


def _same_answer(data: dict[str, Any]) -> None:

    ours = _answer(validate_inquiry, data)

    assert ours == _answer(InquiryIn.model_validate, data)
    if ours[0] == "accepted":
        # The canonical form the submission's keyed hash is made of (``Submission.payload_hash``): what
        # ``model_dump(mode="json")`` gave before, so a retry across the deploy still matches its first try.
        assert ours[1] == InquiryIn.model_validate(data).model_dump(mode="json")


@pytest.mark.parametrize("data", [[], "text", 3, None, {"name": "Robin", "email": "robin@example.com",
                                                        "consent_to_contact": True, "preferred_contact": "sms",
                                                        "phone": "(415) 555-0134", "sms_consent": "on",
                                                        "topic": "ptsd", "message": "hi", "language": "es",
                                                        "referral_source": " a friend ", "website": None}])
def test_odd_bodies_and_a_full_one_get_the_same_answer_from_both(data: Any) -> None:
    assert _answer(validate_inquiry, data) == _answer(InquiryIn.model_validate, data)


def test_a_body_that_is_not_an_object_is_named_as_such() -> None:
    assert _answer(validate_inquiry, []) == ("422", [FieldError(field=None,
                                                                message="Send the inquiry as a JSON object.")])


def test_the_validated_inquiry_has_the_types_intake_reads_and_is_read_only() -> None:
    inquiry = validate_inquiry({"name": "Robin", "email": "robin@example.com", "consent_to_contact": "on",
                                "language": "es"})

    assert isinstance(inquiry, Inquiry)
    assert inquiry.preferred_contact is PreferredContact.EMAIL and inquiry.topic is Topic.OTHER
    assert inquiry.language is Language.ES and inquiry.consent_to_contact is True
    with pytest.raises(AttributeError):
        inquiry.name = "someone else"


def test_the_validated_inquiry_never_shows_a_submitted_value_when_printed() -> None:
    phi.start_test()
    inquiry = validate_inquiry(phi.distinctive_inquiry())

    for shown in (repr(inquiry), str(inquiry)):
        assert phi.submitted_by_this_test().leaks(shown) == []
