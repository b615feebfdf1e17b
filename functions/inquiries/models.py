"""What a person submits, described with pydantic: ``InquiryIn``, for the OpenAPI document and the tests.

Intake does not load this module: every submission is validated by ``inquiries.models_core``'s validator,
built by pydantic's core from the same field rules without importing pydantic (issue 17, item 7: pydantic and
one model cost a cold start ~45 ms). ``InquiryIn`` is the description of record: ``make openapi`` reads it, and
``tests/unit/test_inquiry_core_schema.py`` holds the core validator to its answers. The names intake shares
with it (the answers, the error descriptions, the address check) are defined in ``models_core`` and
re-exported here.

The record we keep and the vocabulary every function shares are in ``inquiries.record``, which
loads no pydantic.

Every field of an inquiry is protected health information (PHI). Error messages here are
fixed texts about the *rule* that was broken; they never contain a submitted value.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from inquiries.models_core import (
    DEFAULT_PHONE_REGION,
    IDEMPOTENCY_KEY_PATTERN,
    MAX_IDEMPOTENCY_KEY_LENGTH,
    AcceptedInquiry,
    ErrorBody,
    InvalidEmailAddress,
    address_text,
    check_email,
    checkbox,
    clean_single_line,
    consent_is_required,
    defaults_for_blank_choices,
    describe_validation_errors,
    honeypot_text,
    normalise_email,
    optional_address_text,
    optional_multiline,
    optional_phone,
    optional_single_line,
    phone_needed_for_calls_and_texts,
    sms_needs_consent,
)
from inquiries.record import Language, PreferredContact, Topic

__all__ = [
    "DEFAULT_PHONE_REGION", "IDEMPOTENCY_KEY_PATTERN", "MAX_IDEMPOTENCY_KEY_LENGTH", "AcceptedInquiry", "ErrorBody",
    "InquiryIn", "InvalidEmailAddress", "describe_validation_errors", "normalise_email",
]

SingleLine = BeforeValidator(clean_single_line)
Name = Annotated[str, SingleLine, Field(min_length=1, max_length=100)]
Email = Annotated[str, BeforeValidator(address_text), Field(min_length=3, max_length=254),
                  AfterValidator(check_email)]
Phone = Annotated[
    Annotated[str, Field(max_length=32)] | None,
    BeforeValidator(optional_address_text),
    AfterValidator(optional_phone),
]
Message = Annotated[Annotated[str, Field(max_length=2000)] | None, BeforeValidator(optional_multiline)]
# An unticked checkbox is simply absent from a form post; a blank value means the same.
Checkbox = Annotated[bool, BeforeValidator(checkbox)]
ReferralSource = Annotated[Annotated[str, Field(max_length=100)] | None, BeforeValidator(optional_single_line)]


class InquiryIn(BaseModel):
    """An inquiry as submitted through the website form (JSON or form-encoded)."""

    model_config = ConfigDict(extra="forbid", title="Inquiry")

    name: Name = Field(description="The person's name, 1-100 characters.")
    email: Email = Field(description="Where we send the confirmation; at most 254 characters.")
    preferred_contact: PreferredContact = Field(
        default=PreferredContact.EMAIL, description="How the care team should reach the person."
    )
    phone: Phone = Field(
        default=None, validate_default=True,
        description="Optional; stored in E.164 form. Required when preferred_contact is phone or sms.",
    )
    sms_consent: Checkbox = Field(
        default=False, validate_default=True, description="Must be true when preferred_contact is sms."
    )
    topic: Topic = Field(default=Topic.OTHER, description="What the inquiry is about.")
    message: Message = Field(default=None, description="Optional free text, at most 2000 characters.")
    # ``const: true`` in the published schema: false is refused (422, ``consent_required``), so a body the
    # schema calls valid is never refused for it. The validator below enforces it and names the rule.
    consent_to_contact: Checkbox = Field(description="Must be true: the person agrees to be contacted.",
                                         json_schema_extra={"const": True})
    referral_source: ReferralSource = Field(default=None, description="How the person heard of the clinic.")
    language: Language | None = Field(
        default=None,
        description="The language the person reads, en or es (the page sends it); without it, the message's "
                    "language when it is Spanish, then Accept-Language, then en.",
    )
    # No length limit: a limit would answer a bot's long honeypot value with a 422 that gives it away.
    website: Annotated[str, BeforeValidator(honeypot_text)] = Field(
        default="", description="Leave empty. (A honeypot: only bots fill it in.)"
    )

    @model_validator(mode="before")
    @classmethod
    def _defaults_for_blank_choices(cls, data: Any) -> Any:
        return defaults_for_blank_choices(data)

    # Field validators (not a model validator) so that every bad field is named in one answer.
    @field_validator("phone")
    @classmethod
    def _phone_needed_for_calls_and_texts(cls, value: str | None, info: ValidationInfo) -> str | None:
        return phone_needed_for_calls_and_texts(value, info)

    @field_validator("sms_consent")
    @classmethod
    def _sms_needs_consent(cls, value: bool, info: ValidationInfo) -> bool:
        return sms_needs_consent(value, info)

    @field_validator("consent_to_contact")
    @classmethod
    def _consent_is_required(cls, value: bool) -> bool:
        return consent_is_required(value)

    @property
    def is_honeypot_filled(self) -> bool:
        """True when the hidden field was filled in: almost certainly a bot."""
        return bool(self.website.strip())
