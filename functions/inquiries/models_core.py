"""What a person submits, checked by pydantic's validator core without loading pydantic (intake's cold start).

Every submission is validated by ``INQUIRY_VALIDATOR``: a ``pydantic_core.SchemaValidator`` built from the
core schema ``inquiry_core_schema`` writes out, the same schema pydantic builds for ``models.InquiryIn``
with the same field rules (this module's functions). Importing pydantic and building one model costs a cold
start about 45 ms of CPU, a fifth of a bare Python Lambda's init (issue 17, item 7); pydantic_core alone,
about 10. ``models.InquiryIn`` stays the description: ``make openapi`` and the tests read it, and
``tests/unit/test_inquiry_core_schema.py`` holds the two to the same answers, field by field.

Every field of an inquiry is protected health information (PHI). Error messages here are fixed texts about
the *rule* that was broken; they never contain a submitted value, and no repr shows a field.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any, Protocol

from pydantic_core import PydanticCustomError, SchemaValidator, ValidationError
from pydantic_core import core_schema as cs

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

# ---- the field rules, shared by ``InquiryIn`` (pydantic) and ``INQUIRY_VALIDATOR`` (its core) --------------


def clean_single_line(value: Any) -> Any:
    """One line of text, cleaned (``record.clean_text``); anything else is left to the type check."""
    return clean_text(value) if isinstance(value, str) else value


def clean_multiline(value: Any) -> Any:
    """Free text, cleaned with its line breaks kept."""
    return clean_text(value, multiline=True) if isinstance(value, str) else value


def blank_to_none(value: Any) -> Any:
    """Optional fields left empty (as a plain HTML form sends them) count as absent."""
    if isinstance(value, str) and value.strip() == "":
        return None
    return value


def address_text(value: Any) -> Any:
    """NFKC and trimmed, but refused (never rewritten) when it holds a hidden character: stripping one
    would turn the address into another that the person did not type."""
    if not isinstance(value, str):
        return value
    if has_hidden_characters(value):
        raise PydanticCustomError("hidden_character", N_("Remove the hidden or control characters from this field."))
    return unicodedata.normalize("NFKC", value).strip()


def check_email(value: str) -> str:
    """The address as stored, or ``email_invalid``."""
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
        return check_email(address_text(value))
    except PydanticCustomError:
        raise InvalidEmailAddress("not a valid email address") from None


def check_phone(value: str) -> str:
    """The number in E.164 form, or ``phone_invalid``."""
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


def optional_single_line(value: Any) -> Any:
    """``clean_single_line``, blank as absent."""
    return blank_to_none(clean_single_line(value))


def optional_multiline(value: Any) -> Any:
    """``clean_multiline``, blank as absent."""
    return blank_to_none(clean_multiline(value))


def optional_address_text(value: Any) -> Any:
    """``address_text``, blank as absent."""
    return blank_to_none(address_text(value))


def optional_phone(value: str | None) -> str | None:
    """``check_phone`` when there is a number."""
    return None if value is None else check_phone(value)


def checkbox(value: Any) -> Any:
    """An unticked checkbox is simply absent from a form post; a blank value means the same."""
    return False if isinstance(value, str) and not value.strip() else value


def honeypot_text(value: Any) -> Any:
    """The hidden field: absent and null both read as empty."""
    return "" if value is None else value


_CHOICE_FIELDS = frozenset({"preferred_contact", "topic", "language"})


def defaults_for_blank_choices(data: Any) -> Any:
    """A plain form sends "" for an untouched <select>; treat it as "not given" so defaults apply."""
    if isinstance(data, dict):
        return {k: v for k, v in data.items() if not (k in _CHOICE_FIELDS and v in ("", None))}
    return data


_RULE_MESSAGES: dict[str, str] = {
    "consent_required": N_("Please agree to be contacted so our team can reply."),
    "phone_required": N_("Enter a phone number so we can call or text you."),
    "sms_consent_required": N_("Please agree to receive text messages, or choose another way to be contacted."),
}


def _rule_error(code: str) -> PydanticCustomError:
    return PydanticCustomError(code, _RULE_MESSAGES[code])


class _ValidatedSoFar(Protocol):
    """What a field's rule sees of the fields validated before it (``pydantic_core``'s ``ValidationInfo``)."""

    @property
    def data(self) -> dict[str, Any]: ...


# Field rules (not a model rule) so that every bad field is named in one answer.
def phone_needed_for_calls_and_texts(value: str | None, info: _ValidatedSoFar) -> str | None:
    """A phone number is required when the person wants a call or a text."""
    wanted = info.data.get("preferred_contact")
    if value is None and wanted in (PreferredContact.PHONE, PreferredContact.SMS):
        raise _rule_error("phone_required")
    return value


def sms_needs_consent(value: bool, info: _ValidatedSoFar) -> bool:
    """Texts need the person's consent to texts."""
    if info.data.get("preferred_contact") is PreferredContact.SMS and value is not True:
        raise _rule_error("sms_consent_required")
    return value


def consent_is_required(value: bool) -> bool:
    """No inquiry without consent to be contacted."""
    if value is not True:
        raise _rule_error("consent_required")
    return value


# ---- the validated inquiry ---------------------------------------------------------------------------------
# The fields in the order the form (and ``InquiryIn``) declares them: errors come out in this order.
INQUIRY_FIELDS = ("name", "email", "preferred_contact", "phone", "sms_consent", "topic", "message",
                  "consent_to_contact", "referral_source", "language", "website")


class SubmittedInquiry(Protocol):
    """A validated inquiry, as intake reads it: ``Inquiry`` (what ``validate_inquiry`` gives) or
    ``models.InquiryIn``."""

    @property
    def name(self) -> str: ...
    @property
    def email(self) -> str: ...
    @property
    def preferred_contact(self) -> PreferredContact: ...
    @property
    def phone(self) -> str | None: ...
    @property
    def sms_consent(self) -> bool: ...
    @property
    def topic(self) -> Topic: ...
    @property
    def message(self) -> str | None: ...
    @property
    def consent_to_contact(self) -> bool: ...
    @property
    def referral_source(self) -> str | None: ...
    @property
    def language(self) -> Language | None: ...
    @property
    def website(self) -> str: ...
    @property
    def is_honeypot_filled(self) -> bool: ...


class Inquiry:
    """A validated inquiry (``validate_inquiry``). Read-only; its repr shows no field (every field is PHI)."""

    __slots__ = INQUIRY_FIELDS

    name: str
    email: str
    preferred_contact: PreferredContact
    phone: str | None
    sms_consent: bool
    topic: Topic
    message: str | None
    consent_to_contact: bool
    referral_source: str | None
    language: Language | None
    website: str

    def __init__(self, fields: Mapping[str, Any]) -> None:
        for field in INQUIRY_FIELDS:
            object.__setattr__(self, field, fields[field])

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"Inquiry is read-only: {name}")

    def __repr__(self) -> str:
        return "Inquiry(<redacted>)"

    @property
    def is_honeypot_filled(self) -> bool:
        """True when the hidden field was filled in: almost certainly a bot."""
        return bool(self.website.strip())


def inquiry_json(inquiry: SubmittedInquiry) -> dict[str, Any]:
    """Every field in JSON types (choices by their values): what ``InquiryIn.model_dump(mode="json")`` gives."""
    out: dict[str, Any] = {}
    for field in INQUIRY_FIELDS:
        value = getattr(inquiry, field)
        out[field] = value.value if isinstance(value, PreferredContact | Topic | Language) else value
    return out


def _enum(cls: type[PreferredContact] | type[Topic] | type[Language]) -> cs.EnumSchema:
    return cs.enum_schema(cls, list(cls.__members__.values()), sub_type="str")


def _field(schema: cs.CoreSchema) -> cs.ModelField:
    return cs.model_field(schema)


def inquiry_core_schema() -> cs.CoreSchema:
    """The core schema pydantic builds for ``InquiryIn``, written out: each field's rules in the same order.

    pydantic applies ``Field(min_length=..., max_length=...)`` placed after a before-validator as after-validators
    raising ``too_short``/``too_long``; here the string's own limits do it (``string_too_short``/``_long``). Both
    name the same field and the answer's message is the field's, so the 422 bodies are the same.
    """
    name = cs.no_info_before_validator_function(clean_single_line, cs.str_schema(min_length=1, max_length=100))
    email = cs.no_info_after_validator_function(
        check_email, cs.no_info_before_validator_function(address_text, cs.str_schema(min_length=3, max_length=254)))
    phone = cs.with_info_after_validator_function(
        phone_needed_for_calls_and_texts,
        cs.no_info_after_validator_function(optional_phone, cs.no_info_before_validator_function(
            optional_address_text, cs.nullable_schema(cs.str_schema(max_length=32)))))
    sms_consent = cs.with_info_after_validator_function(
        sms_needs_consent, cs.no_info_before_validator_function(checkbox, cs.bool_schema()))
    consent = cs.no_info_after_validator_function(
        consent_is_required, cs.no_info_before_validator_function(checkbox, cs.bool_schema()))
    fields: dict[str, cs.ModelField] = {
        "name": _field(name),
        "email": _field(email),
        "preferred_contact": _field(cs.with_default_schema(_enum(PreferredContact), default=PreferredContact.EMAIL)),
        "phone": _field(cs.with_default_schema(phone, default=None, validate_default=True)),
        "sms_consent": _field(cs.with_default_schema(sms_consent, default=False, validate_default=True)),
        "topic": _field(cs.with_default_schema(_enum(Topic), default=Topic.OTHER)),
        "message": _field(cs.with_default_schema(cs.no_info_before_validator_function(
            optional_multiline, cs.nullable_schema(cs.str_schema(max_length=2000))), default=None)),
        "consent_to_contact": _field(consent),
        "referral_source": _field(cs.with_default_schema(cs.no_info_before_validator_function(
            optional_single_line, cs.nullable_schema(cs.str_schema(max_length=100))), default=None)),
        "language": _field(cs.with_default_schema(cs.nullable_schema(_enum(Language)), default=None)),
        "website": _field(cs.with_default_schema(
            cs.no_info_before_validator_function(honeypot_text, cs.str_schema()), default="")),
    }
    return cs.no_info_before_validator_function(
        defaults_for_blank_choices, cs.model_fields_schema(fields, model_name="Inquiry", extra_behavior="forbid"))


INQUIRY_VALIDATOR = SchemaValidator(inquiry_core_schema(), cs.CoreConfig(title="Inquiry"))


def validate_inquiry(data: Any) -> Inquiry:
    """The submitted fields, validated as ``InquiryIn`` would; raises ``pydantic_core.ValidationError``."""
    fields, _extra, _fields_set = INQUIRY_VALIDATOR.validate_python(data)
    return Inquiry(fields)


# ---- the answers ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class ErrorBody:
    """The body of every 4xx/5xx response."""

    # ``record.error_body`` writes it; this describes it for the OpenAPI document only.
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
