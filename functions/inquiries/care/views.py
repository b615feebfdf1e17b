"""What the care API answers and accepts: list items, one inquiry in full, a change, the audit trail.

The list item never carries the message, email or phone; the full inquiry is the only place PHI is
shown. Error texts are fixed and never echo a submitted or stored value.

Plain dataclasses, on purpose: CareApiFunction never imports pydantic (it alone costs a cold start
about a quarter of a bare Python Lambda's init). infra/openapi.py still describes these types with
pydantic at build time, from the same annotations, docstrings and ``__pydantic_config__``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, is_dataclass
from typing import Annotated, Any, TypeVar

from inquiries.ids import short_reference
from inquiries.record import FieldError, InquiryStatus, PreferredContact, Topic, UnreadableRecord, clean_text


def json_name(name: str) -> str:
    """A field's name in JSON: a trailing underscore only keeps a Python keyword (``from``) usable."""
    return name.removesuffix("_")


# What pydantic (infra/openapi.py, build time only) reads: name each field as the JSON does.
_DOCUMENTED: dict[str, Any] = {"alias_generator": json_name}


@dataclass(frozen=True)
class Length:
    """How many characters a text may hold once cleaned; infra/openapi.py documents it as min/maxLength."""

    least: int
    most: int

    def admits(self, text: str) -> bool:
        """True when ``text`` is within the limits."""
        return self.least <= len(text) <= self.most

    def __get_pydantic_json_schema__(self, core_schema: Any, handler: Any) -> dict[str, Any]:
        """pydantic's hook (build time only): the text's schema with these limits."""
        return {**handler(core_schema), "minLength": self.least, "maxLength": self.most}


ASSIGNEE_LENGTH = Length(1, 100)
NOTE_LENGTH = Length(1, 2000)


# The views hold PHI: no generated repr (it would print every field into any log line or traceback that
# shows one) and no generated equality (nothing compares them), which also leaves less to build at init.
@dataclass(frozen=True, kw_only=True, repr=False, eq=False)
class CareListItem:
    """One row of a status list."""

    __pydantic_config__ = _DOCUMENTED

    inquiry_id: str
    reference: str
    created_at: str
    status: InquiryStatus
    urgent: bool = False
    topic: Topic
    preferred_contact: PreferredContact
    name: str
    assignee: str | None = None
    due_at: str | None = None
    version: int = 1


@dataclass(frozen=True, kw_only=True, repr=False, eq=False)
class CarePage:
    """``GET /care/inquiries``: newest first, and the cursor of the next page (null on the last)."""

    __pydantic_config__ = _DOCUMENTED

    items: tuple[CareListItem, ...]
    next_cursor: str | None


@dataclass(frozen=True, kw_only=True, repr=False, eq=False)
class Note:
    """A care-team note on an inquiry."""

    __pydantic_config__ = _DOCUMENTED

    at: str
    actor: str
    text: str


@dataclass(frozen=True, kw_only=True, repr=False, eq=False)
class HistoryEntry:
    """One change to an inquiry: a status move (from, to), an assignment (from, to) or a note."""

    __pydantic_config__ = _DOCUMENTED

    at: str
    actor: str
    action: str
    from_: str | None = None
    to: str | None = None


@dataclass(frozen=True, kw_only=True, repr=False, eq=False)
class CareInquiry(CareListItem):
    """``GET /care/inquiries/{inquiry_id}``: every submitted field plus the care team's own."""

    email: str
    phone: str | None = None
    message: str | None = None
    consent_to_contact: bool
    sms_consent: bool = False
    referral_source: str | None = None
    triage_categories: tuple[str, ...] = field(default_factory=tuple)
    notes: tuple[Note, ...] = field(default_factory=tuple)
    history: tuple[HistoryEntry, ...] = field(default_factory=tuple)


@dataclass(frozen=True, kw_only=True, repr=False, eq=False)
class AuditItem:
    """One audited act: who (email and Cognito sub), when, what, which inquiry (none for a list)."""

    __pydantic_config__ = _DOCUMENTED

    at: str
    actor: str
    actor_id: str
    action: str
    inquiry_id: str | None = None
    fields: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True, kw_only=True, repr=False, eq=False)
class AuditTrail:
    """``GET /care/audit``: newest first."""

    __pydantic_config__ = _DOCUMENTED

    items: tuple[AuditItem, ...]


def as_json(view: CarePage | CareInquiry | AuditTrail) -> str:
    """A view as the API's compact JSON: every field in order, absent values as null."""
    return json.dumps(_plain(view), ensure_ascii=False, separators=(",", ":"))


def _plain(value: Any) -> Any:
    if is_dataclass(value) and not isinstance(value, type):
        return {json_name(f.name): _plain(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value  # str, bool, int, None; a StrEnum is written as its value


# Reading what DynamoDB gives (``data.items.plain_values``): a missing optional attribute takes its
# default, a string set reads as a sorted list, anything else of the wrong kind is UnreadableRecord.
_REQUIRED = object()
_E = TypeVar("_E", InquiryStatus, Topic, PreferredContact)
_V = TypeVar("_V")


def _stored(values: Mapping[str, Any], name: str, kind: type[Any] | tuple[type[Any], ...],
            default: Any = _REQUIRED) -> Any:
    value = values.get(name, default)
    if value is _REQUIRED or (value is not default and not isinstance(value, kind)):
        raise UnreadableRecord(name)
    if isinstance(value, bool) and kind is int:  # True is an int to Python, not a version
        raise UnreadableRecord(name)
    return value


def _stored_choice(values: Mapping[str, Any], name: str, kind: type[_E]) -> _E:
    try:
        return kind(_stored(values, name, str))
    except ValueError:
        raise UnreadableRecord(name) from None


def _stored_texts(values: Mapping[str, Any], name: str) -> tuple[str, ...]:
    found = _stored(values, name, (list, tuple, set, frozenset), None) or ()
    if not all(isinstance(v, str) for v in found):
        raise UnreadableRecord(name)
    return tuple(sorted(found) if isinstance(found, set | frozenset) else found)


def _stored_entries(values: Mapping[str, Any], name: str, read: Callable[[Mapping[str, Any]], _V]) -> tuple[_V, ...]:
    found = _stored(values, name, (list, tuple), None) or ()
    if not all(isinstance(v, Mapping) for v in found):
        raise UnreadableRecord(name)
    try:
        return tuple(read(entry) for entry in found)
    except UnreadableRecord as exc:
        raise UnreadableRecord(f"{name}.{exc.field_name}") from None


def _note(values: Mapping[str, Any]) -> Note:
    return Note(at=_stored(values, "at", str), actor=_stored(values, "actor", str), text=_stored(values, "text", str))


def _history_entry(values: Mapping[str, Any]) -> HistoryEntry:
    return HistoryEntry(at=_stored(values, "at", str), actor=_stored(values, "actor", str),
                        action=_stored(values, "action", str), from_=_stored(values, "from", str, None),
                        to=_stored(values, "to", str, None))


def _list_fields(values: Mapping[str, Any]) -> dict[str, Any]:
    inquiry_id = _stored(values, "inquiry_id", str)
    return {
        "inquiry_id": inquiry_id,
        "reference": short_reference(inquiry_id),
        "created_at": _stored(values, "created_at", str),
        "status": _stored_choice(values, "status", InquiryStatus),
        "urgent": _stored(values, "urgent", bool, False),
        "topic": _stored_choice(values, "topic", Topic),
        "preferred_contact": _stored_choice(values, "preferred_contact", PreferredContact),
        "name": _stored(values, "name", str),
        "assignee": _stored(values, "assignee", str, None),
        "due_at": _stored(values, "due_at", str, None),
        "version": _stored(values, "version", int, 1),
    }


def list_item(values: Mapping[str, Any]) -> CareListItem:
    """A list row from the index's projected attributes. Raises ``UnreadableRecord``."""
    return CareListItem(**_list_fields(values))


def full_inquiry(values: Mapping[str, Any]) -> CareInquiry:
    """The full view of a stored inquiry. Raises ``UnreadableRecord``."""
    return CareInquiry(
        **_list_fields(values),
        email=_stored(values, "email", str),
        phone=_stored(values, "phone", str, None),
        message=_stored(values, "message", str, None),
        consent_to_contact=_stored(values, "consent_to_contact", bool),
        sms_consent=_stored(values, "sms_consent", bool, False),
        referral_source=_stored(values, "referral_source", str, None),
        triage_categories=_stored_texts(values, "triage_categories"),
        notes=_stored_entries(values, "notes", _note),
        history=_stored_entries(values, "history", _history_entry),
    )


def audit_item(values: Mapping[str, Any]) -> AuditItem:
    """One entry of ``data.audit.AuditRecords.entries``. Raises ``UnreadableRecord``."""
    return AuditItem(at=_stored(values, "at", str), actor=_stored(values, "actor", str),
                     actor_id=_stored(values, "actor_id", str), action=_stored(values, "action", str),
                     inquiry_id=_stored(values, "inquiry_id", str, None), fields=_stored_texts(values, "fields"))


@dataclass(frozen=True, kw_only=True, repr=False, eq=False)
class CareChange:
    """``PATCH /care/inquiries/{inquiry_id}``: any of status, assignee (null unassigns) and a note to add."""

    __pydantic_config__ = {**_DOCUMENTED, "extra": "forbid"}  # noqa: RUF012

    status: InquiryStatus | None = None
    assignee: Annotated[str, ASSIGNEE_LENGTH] | None = None
    note: Annotated[str, NOTE_LENGTH] | None = None


CHANGE_FIELD_MESSAGES: dict[str, str] = {
    "status": "Choose one of: new, contacted, scheduled, closed, not_a_fit, spam.",
    "assignee": "Give the assignee as 1 to 100 characters, or null to unassign.",
    "note": "Write the note in 1 to 2000 characters.",
}
ONLY_THESE_FIELDS = "Only status, assignee and note can be changed."
_STATUSES = frozenset(status.value for status in InquiryStatus)


class InvalidFields(Exception):
    """A change body that breaks a field rule (422). Its errors are fixed texts, never a sent value."""

    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__(", ".join(str(error.field) for error in errors))
        self.errors = errors


@dataclass(frozen=True, repr=False, eq=False)
class RequestedChange:
    """A change as sent: its values, and which fields the body named (a named ``assignee`` of null
    unassigns; an unnamed one is left as it is)."""

    change: CareChange
    given: frozenset[str]


def requested_change(body: Mapping[str, Any]) -> RequestedChange:
    """Read a PATCH body (a JSON object). Raises ``InvalidFields`` with one error per broken field, in
    the order status, assignee, note, then one for any other key."""
    errors: list[FieldError] = []
    status = body.get("status")
    if status is not None and (not isinstance(status, str) or status not in _STATUSES):
        errors.append(FieldError(field="status", message=CHANGE_FIELD_MESSAGES["status"]))
    assignee = _text_or_none(body, "assignee", ASSIGNEE_LENGTH, multiline=False, errors=errors)
    note = _text_or_none(body, "note", NOTE_LENGTH, multiline=True, errors=errors)
    if set(body) - set(CHANGE_FIELD_MESSAGES):
        errors.append(FieldError(field=None, message=ONLY_THESE_FIELDS))
    if errors:
        raise InvalidFields(errors)
    change = CareChange(status=None if status is None else InquiryStatus(status), assignee=assignee, note=note)
    return RequestedChange(change=change, given=frozenset(body) & frozenset(CHANGE_FIELD_MESSAGES))


def _text_or_none(body: Mapping[str, Any], name: str, length: Length, *, multiline: bool,
                  errors: list[FieldError]) -> str | None:
    value = body.get(name)
    if value is None:
        return None
    text = clean_text(value, multiline=multiline) if isinstance(value, str) else None
    if text is None or not length.admits(text):
        errors.append(FieldError(field=name, message=CHANGE_FIELD_MESSAGES[name]))
        return None
    return text
