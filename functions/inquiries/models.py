"""What a person submits, validated with pydantic (intake only), and intake's 202 answer.

Only ``InquiryIn`` is built by pydantic at cold start: every submission is validated with it. The 202
answer is made by intake itself and never validated, so it is a plain dataclass; the error body is only
described (for the OpenAPI document), so its pydantic schema is built when the document is made
(``defer_build``). Each pydantic schema costs a cold start about a millisecond or more (issue 17, item 7).

The record we keep and the vocabulary every function shares are in ``inquiries.record``, which
loads no pydantic.

Every field of an inquiry is protected health information (PHI). Error messages here are
fixed texts about the *rule* that was broken; they never contain a submitted value.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from inquiries.i18n import N_
from inquiries.record import (
    CrisisResource,
    FieldError,
    Language,
    PreferredContact,
    Topic,
    clean_text,
    has_hidden_characters,
)

MAX_IDEMPOTENCY_KEY_LENGTH = 64
# A UUID, a ULID or any token of the same safe characters: nothing that could smuggle a header or a log line.
IDEMPOTENCY_KEY_PATTERN = r"^[A-Za-z0-9._:-]*$"
DEFAULT_PHONE_REGION = "US"


def _clean_single_line(value: Any) -> Any:
    return clean_text(value) if isinstance(value, str) else value


def _clean_multiline(value: Any) -> Any:
    return clean_text(value, multiline=True) if isinstance(value, str) else value


def _blank_to_none(value: Any) -> Any:
    """Optional fields left empty (as a plain HTML form sends them) count as absent."""
    if isinstance(value, str) and value.strip() == "":
        return None
    return value


def _address_text(value: Any) -> Any:
    """NFKC and trimmed, but refused (never rewritten) when it holds a hidden character: stripping one
    would turn the address into another that the person did not type."""
    if not isinstance(value, str):
        return value
    if has_hidden_characters(value):
        raise PydanticCustomError("hidden_character", N_("Remove the hidden or control characters from this field."))
    return unicodedata.normalize("NFKC", value).strip()


def _check_email(value: str) -> str:
    # Imported on first use: compiling its patterns costs a cold start ~50 ms, and only intake (and the
    # erasure tool) read addresses; handlers/intake.py loads it at init, as every submission needs it.
    from email_validator import EmailNotValidError, validate_email

    try:
        result = validate_email(value, check_deliverability=False)
    except EmailNotValidError:
        raise PydanticCustomError("email_invalid", N_("Enter a valid email address, like name@example.com.")) from None
    # Keep the mailbox as typed (some providers treat case as significant), lower-case the domain.
    return f"{result.local_part}@{result.ascii_domain.lower()}"


class InvalidEmailAddress(ValueError):
    """An address intake would refuse, so nothing can be stored under it."""


def normalise_email(value: str) -> str:
    """An address exactly as intake stores it (NFKC, trimmed, IDNA domain in lower case).

    Raises ``InvalidEmailAddress`` for an address intake would refuse.
    """
    try:
        return _check_email(_address_text(value))
    except PydanticCustomError:
        raise InvalidEmailAddress("not a valid email address") from None


def _check_phone(value: str) -> str:
    # Imported on first use: a phone number is optional, and only intake validates one.
    import phonenumbers

    try:
        parsed = phonenumbers.parse(value, DEFAULT_PHONE_REGION)
    except phonenumbers.NumberParseException:
        parsed = None
    if parsed is None or not phonenumbers.is_valid_number(parsed):
        raise PydanticCustomError(
            "phone_invalid", "Enter a valid phone number, including the area code."
        )
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def _optional_single_line(value: Any) -> Any:
    return _blank_to_none(_clean_single_line(value))


def _optional_multiline(value: Any) -> Any:
    return _blank_to_none(_clean_multiline(value))


def _optional_address_text(value: Any) -> Any:
    return _blank_to_none(_address_text(value))


def _optional_phone(value: str | None) -> str | None:
    return None if value is None else _check_phone(value)


SingleLine = BeforeValidator(_clean_single_line)
Name = Annotated[str, SingleLine, Field(min_length=1, max_length=100)]
Email = Annotated[str, BeforeValidator(_address_text), Field(min_length=3, max_length=254),
                  AfterValidator(_check_email)]
Phone = Annotated[
    Annotated[str, Field(max_length=32)] | None,
    BeforeValidator(_optional_address_text),
    AfterValidator(_optional_phone),
]
Message = Annotated[Annotated[str, Field(max_length=2000)] | None, BeforeValidator(_optional_multiline)]
# An unticked checkbox is simply absent from a form post; a blank value means the same.
Checkbox = Annotated[bool, BeforeValidator(lambda v: False if isinstance(v, str) and not v.strip() else v)]
ReferralSource = Annotated[Annotated[str, Field(max_length=100)] | None, BeforeValidator(_optional_single_line)]


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
    website: Annotated[str, BeforeValidator(lambda v: "" if v is None else v)] = Field(
        default="", description="Leave empty. (A honeypot: only bots fill it in.)"
    )

    @model_validator(mode="before")
    @classmethod
    def _defaults_for_blank_choices(cls, data: Any) -> Any:
        # A plain form sends "" for an untouched <select>; treat it as "not given" so defaults apply.
        if isinstance(data, dict):
            return {k: v for k, v in data.items() if not (k in _CHOICE_FIELDS and v in ("", None))}
        return data

    # Field validators (not a model validator) so that every bad field is named in one answer.
    @field_validator("phone")
    @classmethod
    def _phone_needed_for_calls_and_texts(cls, value: str | None, info: ValidationInfo) -> str | None:
        wanted = info.data.get("preferred_contact")
        if value is None and wanted in (PreferredContact.PHONE, PreferredContact.SMS):
            raise _rule_error("phone_required")
        return value

    @field_validator("sms_consent")
    @classmethod
    def _sms_needs_consent(cls, value: bool, info: ValidationInfo) -> bool:
        if info.data.get("preferred_contact") is PreferredContact.SMS and value is not True:
            raise _rule_error("sms_consent_required")
        return value

    @field_validator("consent_to_contact")
    @classmethod
    def _consent_is_required(cls, value: bool) -> bool:
        if value is not True:
            raise _rule_error("consent_required")
        return value

    @property
    def is_honeypot_filled(self) -> bool:
        """True when the hidden field was filled in: almost certainly a bot."""
        return bool(self.website.strip())


_CHOICE_FIELDS = frozenset({"preferred_contact", "topic", "language"})


def _rule_error(code: str) -> PydanticCustomError:
    return PydanticCustomError(code, _RULE_MESSAGES[code])


_RULE_MESSAGES: dict[str, str] = {
    "consent_required": N_("Please agree to be contacted so our team can reply."),
    "phone_required": N_("Enter a phone number so we can call or text you."),
    "sms_consent_required": N_("Please agree to receive text messages, or choose another way to be contacted."),
}


class ErrorBody(BaseModel):
    """The body of every 4xx/5xx response."""

    # ``record.error_body`` writes it; this describes it for the OpenAPI document only, which builds it.
    model_config = ConfigDict(defer_build=True)

    errors: list[FieldError]


@dataclass(frozen=True, kw_only=True)
class AcceptedInquiry:
    """The 202 answer. Holds no PHI: the same body is kept for idempotent replays."""

    # The attribute docstrings describe the fields in docs/openapi.json (``intake.api.openapi_document``).
    inquiry_id: str
    """Time-sortable id of the stored inquiry."""
    reference: str
    """Short reference the person can quote to the care team."""
    urgent: bool
    """True when the message suggests the person may be in danger."""
    message: str
    """What happens next, for the person."""
    crisis_resources: list[CrisisResource] | None = None
    """Present when urgent: where to get help right now."""

    def to_dict(self) -> dict[str, Any]:
        """Every field, the crisis resources as objects: what the idempotency record keeps for a replay."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> AcceptedInquiry:
        """The answer ``to_dict`` kept (or the pydantic model that preceded this class kept: the same shape)."""
        resources = data.get("crisis_resources")
        return cls(inquiry_id=str(data["inquiry_id"]), reference=str(data["reference"]), urgent=bool(data["urgent"]),
                   message=str(data["message"]),
                   crisis_resources=None if resources is None else [CrisisResource(**r) for r in resources])

    def to_json(self) -> str:
        """The 202 body: compact JSON, absent values left out at every level."""
        return json.dumps(_without_none(self.to_dict()), ensure_ascii=False, separators=(",", ":"))


def _without_none(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_none(v) for v in value]
    return value


# ---- turning validation failures into safe, field-named messages -----------------------------------

_FIELD_MESSAGES: dict[str, str] = {
    "name": N_("Enter your name (up to 100 characters)."),
    "email": N_("Enter a valid email address, like name@example.com."),
    "phone": N_("Enter a valid phone number, including the area code."),
    "preferred_contact": N_("Choose email, phone or text message."),
    "topic": N_("Choose a topic from the list."),
    "message": N_("Keep your message to 2000 characters or fewer."),
    "consent_to_contact": N_("Please agree to be contacted so our team can reply."),
    "sms_consent": N_("Answer yes or no."),
    "referral_source": N_("Keep this to 100 characters or fewer."),
    "website": N_("Leave this field empty."),
}
_SAFE_FIELD_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]{0,63}$")


def describe_validation_errors(exc: ValidationError) -> list[FieldError]:
    """One ``FieldError`` per bad field, in a stable order, with fixed texts (no input echoed)."""
    found: dict[str, FieldError] = {}
    for err in exc.errors(include_input=False, include_url=False):
        ctx = err.get("ctx") or {}
        loc = [str(part) for part in err.get("loc", ())]
        field = str(ctx.get("field") or (loc[0] if loc else "")) or None
        code = err["type"]
        if code == "extra_forbidden":
            name = field if field and _SAFE_FIELD_NAME.match(field) else None
            key = f"extra:{name}"
            found.setdefault(key, FieldError(field=name, message=N_("This field is not part of the form.")))
            continue
        if field is None:
            found.setdefault("", FieldError(field=None, message=N_("Send the inquiry as a JSON object.")))
            continue
        if code == "missing":
            message = N_("This field is required.")
        elif code in _RULE_MESSAGES or code in ("email_invalid", "phone_invalid", "hidden_character"):
            message = str(err["msg"])  # our own fixed texts
        else:
            message = _FIELD_MESSAGES.get(field, N_("This value is not valid."))
        found.setdefault(field, FieldError(field=field, message=message))
    return list(found.values())
