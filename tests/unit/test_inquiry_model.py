"""What an inquiry is: normalisation and the field rules of the public contract.

Every test runs twice: against ``InquiryIn`` (pydantic: the description ``make openapi`` reads) and against
``models_core.validate_inquiry`` (pydantic's core alone: what intake validates every submission with).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from inquiries.models import InquiryIn, describe_validation_errors
from inquiries.models_core import validate_inquiry
from inquiries.record import PreferredContact, Topic, clean_text
from pydantic import ValidationError

VALID: dict[str, Any] = {"name": "Robin Example", "email": "robin@example.com", "consent_to_contact": True}

# The validator under test: set for each test by ``_each_validator``.
validate: Callable[[Any], Any] = InquiryIn.model_validate


@pytest.fixture(autouse=True, params=["pydantic model", "core validator"])
def _each_validator(request: pytest.FixtureRequest) -> Iterator[None]:
    global validate
    validate = InquiryIn.model_validate if request.param == "pydantic model" else validate_inquiry
    yield
    validate = InquiryIn.model_validate


def errors_for(data: dict[str, Any]) -> dict[str | None, str]:
    with pytest.raises(ValidationError) as caught:
        validate(data)
    return {e.field: e.message for e in describe_validation_errors(caught.value)}


def test_minimal_inquiry_takes_the_documented_defaults() -> None:
    inquiry = validate(VALID)
    assert inquiry.preferred_contact is PreferredContact.EMAIL
    assert inquiry.topic is Topic.OTHER
    assert inquiry.phone is None and inquiry.message is None and inquiry.referral_source is None
    assert inquiry.sms_consent is False
    assert not inquiry.is_honeypot_filled


def test_text_is_nfkc_normalised_and_stripped_of_control_and_invisible_characters() -> None:
    inquiry = validate(
        {
            **VALID,
            "name": "\u00a0\uff32\uff4f\uff42\uff49\uff4e\u200b \x07Example\t",
            "message": "line one\r\nline\x00 two\u202e",
        }
    )
    assert inquiry.name == "Robin Example"
    assert inquiry.message == "line one\nline two"


def test_clean_text_folds_whitespace_in_single_line_fields_only() -> None:
    assert clean_text("a \n\n b") == "a b"
    assert clean_text("a \n\n b", multiline=True) == "a \n\n b"


def test_phone_is_normalised_to_e164() -> None:
    assert validate({**VALID, "phone": "(415) 555-0134"}).phone == "+14155550134"
    assert validate({**VALID, "phone": "+44 20 7946 0958"}).phone == "+442079460958"


def test_email_domain_is_lower_cased_and_mailbox_kept() -> None:
    assert validate({**VALID, "email": " Robin.X@Example.COM "}).email == "Robin.X@example.com"


@pytest.mark.parametrize("email", ["robin", "robin@", "@example.com", "robin@localhost", "robin@[10.0.0.1]",
                                   "robin@example..com", "a" * 250 + "@example.com"])
def test_undeliverable_looking_addresses_are_refused(email: str) -> None:
    assert "email" in errors_for({**VALID, "email": email})


@pytest.mark.parametrize(("field", "value"), [("name", "n" * 101), ("message", "m" * 2001),
                                               ("referral_source", "r" * 101), ("name", "   ")])
def test_length_limits_apply_after_trimming(field: str, value: str) -> None:
    assert field in errors_for({**VALID, field: value})


def test_exact_length_limits_are_accepted() -> None:
    inquiry = validate(
        {**VALID, "name": "n" * 100, "message": "m" * 2000, "referral_source": "r" * 100}
    )
    assert len(inquiry.message or "") == 2000


@pytest.mark.parametrize("contact", ["phone", "sms"])
def test_phone_is_required_for_calls_and_texts(contact: str) -> None:
    assert errors_for({**VALID, "preferred_contact": contact, "sms_consent": True})["phone"]


def test_sms_requires_sms_consent() -> None:
    errs = errors_for({**VALID, "preferred_contact": "sms", "phone": "4155550134"})
    assert set(errs) == {"sms_consent"}


@pytest.mark.parametrize("value", [False, "off", "", "false"])
def test_consent_to_contact_must_be_true(value: object) -> None:
    assert set(errors_for({**VALID, "consent_to_contact": value})) == {"consent_to_contact"}


def test_form_checkbox_on_counts_as_true() -> None:
    inquiry = validate({**VALID, "consent_to_contact": "on", "sms_consent": "on",
                                        "preferred_contact": "sms", "phone": "4155550134"})
    assert inquiry.consent_to_contact is True and inquiry.sms_consent is True


def test_unknown_fields_are_rejected_by_name() -> None:
    assert errors_for({**VALID, "diagnosis": "x"}) == {"diagnosis": "This field is not part of the form."}


def test_unknown_field_with_an_odd_name_is_not_echoed() -> None:
    errs = errors_for({**VALID, "<script>alert(1)</script>": "x"})
    assert list(errs) == [None]


def test_error_messages_never_contain_the_submitted_value() -> None:
    secret = "zq-secret-7731"
    errs = errors_for({"name": secret * 20, "email": secret, "phone": secret, "topic": secret,
                       "preferred_contact": secret, "message": secret * 200, "consent_to_contact": secret})
    assert len(errs) == 7
    assert all(secret not in message for message in errs.values())


def test_honeypot_is_detected() -> None:
    assert validate({**VALID, "website": "http://x"}).is_honeypot_filled
    assert not validate({**VALID, "website": "  "}).is_honeypot_filled
