"""What the care API answers and accepts: list items, one inquiry in full, a change, the audit trail.

The list item never carries the message, email or phone; the full inquiry is the only place PHI is
shown. Error texts are fixed and never echo a submitted or stored value.

Plain dataclasses, on purpose: CareApiFunction never imports pydantic (it alone costs a cold start
about a quarter of a bare Python Lambda's init). infra/openapi.py still describes these types with
pydantic at build time, from the same annotations, docstrings and ``__pydantic_config__``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, is_dataclass
from datetime import datetime
from typing import Annotated, Any

from inquiries.care.attempts import Channel, Outcome
from inquiries.care.levels import LevelReason
from inquiries.care.transitions import CloseReason
from inquiries.ids import short_reference
from inquiries.record import (
    FieldError,
    InquiryStatus,
    Language,
    Level,
    PreferredContact,
    StoredValues,
    Topic,
    UnreadableRecord,
    clean_text,
    read_level,
)


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
class InquiryRow:
    """What a list row and the full inquiry share."""

    __pydantic_config__ = _DOCUMENTED

    inquiry_id: str
    reference: str
    created_at: str
    status: InquiryStatus
    level: Level = Level.NONE
    urgent: bool = False
    topic: Topic
    language: Language = Language.EN
    preferred_contact: PreferredContact
    name: str
    assignee: str | None = None
    due_at: str | None = None
    next_attempt_at: str | None = None
    version: int = 1


@dataclass(frozen=True, kw_only=True, repr=False, eq=False)
class CareListItem(InquiryRow):
    """One row of a status list; ``attempts`` counts the contact attempts logged."""

    attempts: int = 0


@dataclass(frozen=True, kw_only=True, repr=False, eq=False)
class CareQueueItem(CareListItem):
    """One row of the queue: a list row, the first characters of the message (``preview``) and, when the
    same person's urgent open inquiry lifts this newer one to the top, that inquiry's reference
    (``lifted_by``); its triage category codes (``triage_categories``: why it is urgent or priority)."""

    preview: str | None = None
    lifted_by: str | None = None
    triage_categories: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True, kw_only=True, repr=False, eq=False)
class CareQueue:
    """``GET /care/queue``: the open inquiries (new, attempting, contacted) by attention, and how many
    inquiries each status holds."""

    __pydantic_config__ = _DOCUMENTED

    items: tuple[CareQueueItem, ...]
    counts: dict[str, int]


@dataclass(frozen=True, kw_only=True, repr=False, eq=False)
class BulkResult:
    """One inquiry's outcome in ``POST /care/bulk``: the HTTP status its change alone would have had."""

    __pydantic_config__ = _DOCUMENTED

    inquiry_id: str
    status: int


@dataclass(frozen=True, kw_only=True, repr=False, eq=False)
class BulkResults:
    """``POST /care/bulk``: one result per item, in the order sent."""

    __pydantic_config__ = _DOCUMENTED

    results: tuple[BulkResult, ...]


@dataclass(frozen=True, kw_only=True, repr=False, eq=False)
class CarePage:
    """``GET /care/inquiries``: newest first, and the cursor of the next page (null on the last)."""

    __pydantic_config__ = _DOCUMENTED

    items: tuple[CareListItem, ...]
    next_cursor: str | None


@dataclass(frozen=True, kw_only=True, repr=False, eq=False)
class Note:
    """A care-team note on an inquiry: ``actor_id`` is who wrote it (their Cognito ``sub``; null on a note
    stored before identity was the sub), ``actor`` the name the user pool keeps for them."""

    __pydantic_config__ = _DOCUMENTED

    at: str
    actor: str
    actor_id: str | None = None
    text: str


@dataclass(frozen=True, kw_only=True, repr=False, eq=False)
class HistoryEntry:
    """One change to an inquiry: a status move (from, to), an assignment (from, to), a level correction
    (from, to, reason) or a note; ``actor_id`` and ``actor`` as on a note."""

    __pydantic_config__ = _DOCUMENTED

    at: str
    actor: str
    actor_id: str | None = None
    action: str
    from_: str | None = None
    to: str | None = None
    reason: str | None = None


@dataclass(frozen=True, kw_only=True, repr=False, eq=False)
class Attempt:
    """One try to reach the person: how (``channel``), what came of it (``outcome``), when to try next;
    ``actor_id`` and ``actor`` as on a note."""

    __pydantic_config__ = _DOCUMENTED

    at: str
    actor: str
    actor_id: str | None = None
    channel: Channel
    outcome: Outcome
    next_attempt_at: str | None = None


@dataclass(frozen=True, kw_only=True, repr=False, eq=False)
class RelatedInquiry:
    """Another inquiry of the same person (the same keyed email or phone hash): what tells it apart."""

    __pydantic_config__ = _DOCUMENTED

    inquiry_id: str
    reference: str
    status: InquiryStatus
    level: Level = Level.NONE
    created_at: str


@dataclass(frozen=True, kw_only=True, repr=False, eq=False)
class CareInquiry(InquiryRow):
    """``GET /care/inquiries/{inquiry_id or reference}``: every submitted field plus the care team's own, and
    the same person's other inquiries (``related``, newest first)."""

    email: str
    phone: str | None = None
    message: str | None = None
    consent_to_contact: bool
    sms_consent: bool = False
    referral_source: str | None = None
    triage_categories: tuple[str, ...] = field(default_factory=tuple)
    close_reason: CloseReason | None = None
    attempts: tuple[Attempt, ...] = field(default_factory=tuple)
    notes: tuple[Note, ...] = field(default_factory=tuple)
    history: tuple[HistoryEntry, ...] = field(default_factory=tuple)
    related: tuple[RelatedInquiry, ...] = field(default_factory=tuple)


@dataclass(frozen=True, kw_only=True, repr=False, eq=False)
class SearchResults:
    """``GET /care/search?q=``: the inquiries found (list items, newest first)."""

    __pydantic_config__ = _DOCUMENTED

    items: tuple[CareListItem, ...]


@dataclass(frozen=True, kw_only=True, repr=False, eq=False)
class TeamMember:
    """A care-team member to assign to: ``id`` is their Cognito sub (what ``assignee`` holds), ``name`` the
    name the pool keeps for them (else their sign-in email), ``groups`` their care groups."""

    __pydantic_config__ = _DOCUMENTED

    id: str
    name: str
    groups: tuple[str, ...]


@dataclass(frozen=True, kw_only=True, repr=False, eq=False)
class CareTeam:
    """``GET /care/team``: the enabled members of ``care-team`` and ``care-admin``, by name."""

    __pydantic_config__ = _DOCUMENTED

    members: tuple[TeamMember, ...]


@dataclass(frozen=True, kw_only=True, repr=False, eq=False)
class AuditItem:
    """One audited act: who (``actor_id``, the Cognito sub, and ``actor``, the name the user pool keeps for
    them), when, what (``list``, ``read``, ``update``, ``audit_read``, ``search``), which inquiry (none for a
    list or a search); a change's field names; a list's status, page and the ids it showed (a read: the same
    person's other inquiries it showed; a search: what it found); a read of the trail's or a search's kind of
    filter (``reference``, ``email``, ``phone``, ``name``: never the term)."""

    __pydantic_config__ = _DOCUMENTED

    at: str
    actor: str
    actor_id: str
    action: str
    inquiry_id: str | None = None
    fields: tuple[str, ...] = field(default_factory=tuple)
    status: str | None = None
    page: int | None = None
    inquiry_ids: tuple[str, ...] | None = None
    filters: tuple[str, ...] = field(default_factory=tuple)
    reference: str | None = None
    """The inquiry's reference (``INQ-XXXXXXXX``): stored on newer entries, derived from the id on older ones."""
    kind: str = "other"
    """What sort of act, for grouping: ``list``, ``read``, ``search``, ``change``, ``audit``, ``export``,
    ``erasure`` or ``other``."""
    references: tuple[str, ...] | None = None
    """The references of ``inquiry_ids`` (a list, a search, an export, an erasure)."""
    counts: dict[str, int] | None = None
    """An erasure's counts of what was removed (never what it was)."""
    reason: str | None = None
    """An erasure's reason code."""
    request_id: str | None = None
    """The erasure request an entry belongs to."""


@dataclass(frozen=True, kw_only=True, repr=False, eq=False)
class AuditTrail:
    """``GET /care/audit``: newest first; ``next_cursor`` continues the same query (null at its end)."""

    __pydantic_config__ = _DOCUMENTED

    items: tuple[AuditItem, ...]
    next_cursor: str | None = None


def as_json(view: CarePage | CareInquiry | AuditTrail | CareQueue | BulkResults | SearchResults | CareTeam) -> str:
    """A view as the API's compact JSON: every field in order, absent values as null."""
    return json.dumps(plain(view), ensure_ascii=False, separators=(",", ":"))


def plain(value: Any) -> Any:
    """A view (dataclasses, lists, dicts, scalars) as JSON-ready values, under the API's field names."""
    if is_dataclass(value) and not isinstance(value, type):
        return {json_name(f.name): plain(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    return value  # str, bool, int, None; a StrEnum is written as its value


# Who acted, as shown: the pool's name for the stored ``actor_id`` when it has one, else what was recorded
# (the name at the time; an email on entries stored before identity was the sub), else the sub.
NameOf = Callable[[str], str | None]


def _no_names(_sub: str) -> str | None:
    return None


def shown_actor(read: StoredValues, name_of: NameOf) -> tuple[str, str | None]:
    """(the name to show, the ``actor_id``) of a stored note, history or audit entry."""
    actor_id = read.optional_text("actor_id")
    recorded = read.optional_text("actor")
    name = name_of(actor_id) if actor_id else None
    shown = name or recorded or actor_id
    if shown is None:
        raise UnreadableRecord("actor")
    return shown, actor_id


# Reading what DynamoDB gives: ``record.StoredValues``, the same rules as the stored record's.
def _note(read: StoredValues, name_of: NameOf) -> Note:
    actor, actor_id = shown_actor(read, name_of)
    return Note(at=read.text("at"), actor=actor, actor_id=actor_id, text=read.text("text"))


def _history_entry(read: StoredValues, name_of: NameOf) -> HistoryEntry:
    actor, actor_id = shown_actor(read, name_of)
    return HistoryEntry(at=read.text("at"), actor=actor, actor_id=actor_id, action=read.text("action"),
                        from_=read.optional_text("from"), to=read.optional_text("to"),
                        reason=read.optional_text("reason"))


def _attempt(read: StoredValues, name_of: NameOf) -> Attempt:
    actor, actor_id = shown_actor(read, name_of)
    return Attempt(at=read.text("at"), actor=actor, actor_id=actor_id, channel=read.choice("channel", Channel),
                   outcome=read.choice("outcome", Outcome), next_attempt_at=read.optional_text("next_attempt_at"))


def _list_fields(read: StoredValues) -> dict[str, Any]:
    inquiry_id = read.text("inquiry_id")
    return {
        "inquiry_id": inquiry_id,
        "reference": short_reference(inquiry_id),
        "created_at": read.text("created_at"),
        "status": read.choice("status", InquiryStatus),
        "level": read_level(read),
        "urgent": read.flag("urgent", default=False),
        "topic": read.choice("topic", Topic),
        "language": read.choice("language", Language, default=Language.EN),
        "preferred_contact": read.choice("preferred_contact", PreferredContact),
        "name": read.text("name"),
        "assignee": read.optional_text("assignee"),
        "due_at": read.optional_text("due_at"),
        "next_attempt_at": read.optional_text("next_attempt_at"),
        "version": read.whole_number("version", default=1),
    }


def list_item(values: Mapping[str, Any]) -> CareListItem:
    """A list row from the index's projected attributes (and ``attempt_count``, ``next_attempt_at`` when
    read beside them). Raises ``UnreadableRecord``."""
    read = StoredValues(values)
    return CareListItem(**_list_fields(read), attempts=read.whole_number("attempt_count", default=0))


PREVIEW_CHARACTERS = 140


def preview_of(message: str | None) -> str | None:
    """The first ``PREVIEW_CHARACTERS`` of a message, on one line, with an ellipsis when cut."""
    if not message:
        return None
    text = " ".join(message.split())
    return text if len(text) <= PREVIEW_CHARACTERS else text[:PREVIEW_CHARACTERS].rstrip() + "\u2026"


def queue_item(values: Mapping[str, Any], lifted_by: str | None) -> CareQueueItem:
    """A queue row from the index's attributes and the few read beside them (``message`` for the preview,
    ``attempt_count``, ``next_attempt_at``). Raises ``UnreadableRecord``."""
    read = StoredValues(values)
    return CareQueueItem(**_list_fields(read), attempts=read.whole_number("attempt_count", default=0),
                         preview=preview_of(read.optional_text("message")), lifted_by=lifted_by,
                         triage_categories=read.codes("triage_categories"))


def related_inquiry(values: Mapping[str, Any]) -> RelatedInquiry:
    """One of the same person's other inquiries. Raises ``UnreadableRecord``."""
    read = StoredValues(values)
    inquiry_id = read.text("inquiry_id")
    return RelatedInquiry(inquiry_id=inquiry_id, reference=short_reference(inquiry_id),
                          status=read.choice("status", InquiryStatus), level=read_level(read),
                          created_at=read.text("created_at"))


def full_inquiry(values: Mapping[str, Any], name_of: NameOf = _no_names,
                 related: tuple[RelatedInquiry, ...] = ()) -> CareInquiry:
    """The full view of a stored inquiry, who acted shown by ``name_of``, with the same person's other
    inquiries. Raises ``UnreadableRecord``."""
    read = StoredValues(values)
    return CareInquiry(
        **_list_fields(read),
        email=read.text("email"),
        phone=read.optional_text("phone"),
        message=read.optional_text("message"),
        consent_to_contact=read.flag("consent_to_contact"),
        sms_consent=read.flag("sms_consent", default=False),
        referral_source=read.optional_text("referral_source"),
        triage_categories=read.codes("triage_categories"),
        close_reason=read.choice("close_reason", CloseReason) if values.get("close_reason") else None,
        attempts=read.entries("attempts", lambda entry: _attempt(entry, name_of)),
        notes=read.entries("notes", lambda entry: _note(entry, name_of)),
        history=read.entries("history", lambda entry: _history_entry(entry, name_of)),
        related=related,
    )


def audit_item(values: Mapping[str, Any], name_of: NameOf = _no_names) -> AuditItem:
    """One entry of ``data.audit.AuditRecords.entries``, who acted shown by ``name_of``. Raises
    ``UnreadableRecord``."""
    read = StoredValues(values)
    actor, _actor_id = shown_actor(read, name_of)
    inquiry_id = read.optional_text("inquiry_id")
    inquiry_ids = read.codes("inquiry_ids") if values.get("inquiry_ids") is not None else None
    counts = values.get("counts")
    return AuditItem(at=read.text("at"), actor=actor, actor_id=read.text("actor_id"),
                     action=read.text("action"), inquiry_id=inquiry_id,
                     fields=read.codes("fields"), status=read.optional_text("status"),
                     page=read.whole_number("page") if values.get("page") is not None else None,
                     inquiry_ids=inquiry_ids, filters=read.codes("filters"),
                     reference=read.optional_text("reference") or (short_reference(inquiry_id) if inquiry_id else None),
                     kind=audit_kind(read.text("action")),
                     references=tuple(short_reference(i) for i in inquiry_ids) if inquiry_ids is not None else None,
                     counts={str(k): int(v) for k, v in counts.items()} if isinstance(counts, dict) else None,
                     reason=read.optional_text("reason"), request_id=read.optional_text("request_id"))


# What sort of act each action is, so list views can be grouped (reads of one record stand out).
AUDIT_KINDS = {"list": "list", "read": "read", "search": "search", "update": "change", "attempt": "change",
               "audit_read": "audit", "audit_export": "export", "person_export": "export", "person_search": "search",
               "erasure": "erasure", "erasure_requested": "erasure", "erasure_approved": "erasure",
               "erasure_rejected": "erasure", "export_requested": "export", "export_approved": "export",
               "export_rejected": "export", "report_read": "report", "report_export": "export"}


def audit_kind(action: str) -> str:
    """The kind of an action (``other`` for one this version does not know)."""
    return AUDIT_KINDS.get(action, "other")


@dataclass(frozen=True, kw_only=True, repr=False, eq=False)
class CareChange:
    """``PATCH /care/inquiries/{inquiry_id}``: any of status, assignee (null unassigns), a corrected triage
    level with its reason, and a note to add."""

    __pydantic_config__ = {**_DOCUMENTED, "extra": "forbid", "use_attribute_docstrings": True}  # noqa: RUF012

    status: InquiryStatus | None = None
    close_reason: CloseReason | None = None
    """Why the inquiry is closed: required with ``status`` ``closed``, refused otherwise."""
    assignee: Annotated[str, ASSIGNEE_LENGTH] | None = None
    level: Level | None = None
    """The level triage should have given; a change needs ``level_reason``."""
    level_reason: LevelReason | None = None
    """``missed`` when the new level is higher (urgent > priority > none), ``false_alarm`` when lower."""
    note: Annotated[str, NOTE_LENGTH] | None = None


# From the same limits and choices the change is checked against, so a message cannot drift from its rule.
CHANGE_FIELD_MESSAGES: dict[str, str] = {
    "status": f"Choose one of: {', '.join(InquiryStatus)}.",
    "close_reason": f"Choose one of: {', '.join(CloseReason)}.",
    "assignee": f"Give the assignee as {ASSIGNEE_LENGTH.least} to {ASSIGNEE_LENGTH.most} characters, "
                "or null to unassign.",
    "level": f"Choose one of: {', '.join(Level)}.",
    "level_reason": f"Choose one of: {', '.join(LevelReason)}.",
    "note": f"Write the note in {NOTE_LENGTH.least} to {NOTE_LENGTH.most} characters.",
}
ONLY_THESE_FIELDS = ("Only status (with close_reason when closing), assignee, level (with level_reason) and note "
                     "can be changed.")
_STATUSES = frozenset(status.value for status in InquiryStatus)
_CLOSE_REASONS = frozenset(reason.value for reason in CloseReason)
_LEVELS = frozenset(level.value for level in Level)
_LEVEL_REASONS = frozenset(reason.value for reason in LevelReason)


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
    the order status, close_reason, assignee, level, level_reason, note, then one for any other key. Whether a level
    and its reason fit the inquiry is the service's rule (it knows the current level)."""
    errors: list[FieldError] = []
    status = _choice_or_none(body, "status", _STATUSES, errors)
    close_reason = _choice_or_none(body, "close_reason", _CLOSE_REASONS, errors)
    assignee = _text_or_none(body, "assignee", ASSIGNEE_LENGTH, multiline=False, errors=errors)
    level = _choice_or_none(body, "level", _LEVELS, errors)
    level_reason = _choice_or_none(body, "level_reason", _LEVEL_REASONS, errors)
    note = _text_or_none(body, "note", NOTE_LENGTH, multiline=True, errors=errors)
    if set(body) - set(CHANGE_FIELD_MESSAGES):
        errors.append(FieldError(field=None, message=ONLY_THESE_FIELDS))
    if errors:
        raise InvalidFields(errors)
    change = CareChange(status=None if status is None else InquiryStatus(status),
                        close_reason=None if close_reason is None else CloseReason(close_reason), assignee=assignee,
                        level=None if level is None else Level(level),
                        level_reason=None if level_reason is None else LevelReason(level_reason), note=note)
    return RequestedChange(change=change, given=frozenset(body) & frozenset(CHANGE_FIELD_MESSAGES))


def _choice_or_none(body: Mapping[str, Any], name: str, choices: frozenset[str],
                    errors: list[FieldError]) -> str | None:
    value = body.get(name)
    if value is None:
        return None
    if not isinstance(value, str) or value not in choices:
        errors.append(FieldError(field=name, message=CHANGE_FIELD_MESSAGES[name]))
        return None
    return value


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


@dataclass(frozen=True, kw_only=True, repr=False, eq=False)
class CareAttempt:
    """``POST /care/inquiries/{inquiry_id}/attempts``: one try to reach the person, and optionally when to try
    next and a note."""

    __pydantic_config__ = {**_DOCUMENTED, "extra": "forbid", "use_attribute_docstrings": True}  # noqa: RUF012

    channel: Channel
    outcome: Outcome
    next_attempt_at: str | None = None
    """When to try next: an ISO 8601 date and time with its offset (``2026-03-10T09:30:00-08:00``), not in
    the past."""
    note: Annotated[str, NOTE_LENGTH] | None = None


ATTEMPT_FIELD_MESSAGES: dict[str, str] = {
    "channel": f"Choose one of: {', '.join(Channel)}.",
    "outcome": f"Choose one of: {', '.join(Outcome)}.",
    "next_attempt_at": "Give next_attempt_at as an ISO 8601 date and time with its offset, not in the past.",
    "note": CHANGE_FIELD_MESSAGES["note"],
}
ONLY_ATTEMPT_FIELDS = "An attempt takes only channel, outcome, next_attempt_at and note."
_CHANNELS = frozenset(c.value for c in Channel)
_OUTCOMES = frozenset(o.value for o in Outcome)


def _moment_or_none(body: Mapping[str, Any], name: str, errors: list[FieldError]) -> datetime | None:
    value = body.get(name)
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00")) if isinstance(value, str) else None
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        errors.append(FieldError(field=name, message=ATTEMPT_FIELD_MESSAGES[name]))
        return None
    return moment


@dataclass(frozen=True, repr=False, eq=False)
class RequestedAttempt:
    """An attempt as sent, its next time read as an aware datetime."""

    channel: Channel
    outcome: Outcome
    next_attempt_at: datetime | None
    note: str | None


def requested_attempt(body: Mapping[str, Any]) -> RequestedAttempt:
    """Read an attempt body (a JSON object). Raises ``InvalidFields`` with one error per broken field, in the
    order channel, outcome, next_attempt_at, note, then one for any other key. Whether the next time is in
    the future is the service's rule (it has the clock)."""
    errors: list[FieldError] = []
    channel = body.get("channel")
    if not isinstance(channel, str) or channel not in _CHANNELS:
        errors.append(FieldError(field="channel", message=ATTEMPT_FIELD_MESSAGES["channel"]))
    outcome = body.get("outcome")
    if not isinstance(outcome, str) or outcome not in _OUTCOMES:
        errors.append(FieldError(field="outcome", message=ATTEMPT_FIELD_MESSAGES["outcome"]))
    next_at = _moment_or_none(body, "next_attempt_at", errors)
    note = _text_or_none(body, "note", NOTE_LENGTH, multiline=True, errors=errors)
    if set(body) - set(ATTEMPT_FIELD_MESSAGES):
        errors.append(FieldError(field=None, message=ONLY_ATTEMPT_FIELDS))
    if errors:
        raise InvalidFields(errors)
    return RequestedAttempt(channel=Channel(str(channel)), outcome=Outcome(str(outcome)), next_attempt_at=next_at,
                            note=note)


MAX_BULK_ITEMS = 50
BULK_FIELDS = ("status", "close_reason", "assignee")
BULK_ITEMS_MESSAGE = (f"Give items as 1 to {MAX_BULK_ITEMS} different inquiries, each "
                      '{"inquiry_id": an inquiry id, "version": the version you last read}.')
BULK_CHANGE_MESSAGE = "Give change as an object with status (and close_reason when closing) and/or assignee."
_ID_PATTERN = re.compile(r"^[0-9A-HJKMNP-TV-Z]{26}$")


@dataclass(frozen=True, kw_only=True, repr=False, eq=False)
class BulkItem:
    """One inquiry of a bulk change, at the version the member last read."""

    __pydantic_config__ = {**_DOCUMENTED, "extra": "forbid"}  # noqa: RUF012

    inquiry_id: Annotated[str, Length(26, 26)]
    version: int


@dataclass(frozen=True, kw_only=True, repr=False, eq=False)
class BulkChange:
    """What a bulk change may set on each inquiry."""

    __pydantic_config__ = {**_DOCUMENTED, "extra": "forbid"}  # noqa: RUF012

    status: InquiryStatus | None = None
    close_reason: CloseReason | None = None
    assignee: Annotated[str, ASSIGNEE_LENGTH] | None = None


@dataclass(frozen=True, kw_only=True, repr=False, eq=False)
class CareBulk:
    """``POST /care/bulk``: the same change to several inquiries, each checked, audited and versioned alone."""

    __pydantic_config__ = {**_DOCUMENTED, "extra": "forbid"}  # noqa: RUF012

    items: tuple[BulkItem, ...]
    change: BulkChange


def requested_bulk(body: Mapping[str, Any]) -> tuple[tuple[tuple[str, int], ...], RequestedChange]:
    """Read a bulk body: the (inquiry id, version) pairs and the change. Raises ``InvalidFields``."""
    errors: list[FieldError] = []
    raw_items = body.get("items")
    items: list[tuple[str, int]] = []
    if isinstance(raw_items, list) and 1 <= len(raw_items) <= MAX_BULK_ITEMS:
        for raw in raw_items:
            if not (isinstance(raw, dict) and set(raw) == {"inquiry_id", "version"}
                    and isinstance(raw["inquiry_id"], str) and _ID_PATTERN.match(raw["inquiry_id"])
                    and isinstance(raw["version"], int) and not isinstance(raw["version"], bool)
                    and 1 <= raw["version"] < 10**10):
                break
            items.append((raw["inquiry_id"], raw["version"]))
    if len(items) != (len(raw_items) if isinstance(raw_items, list) else -1) or not items \
            or len({i for i, _ in items}) != len(items):
        errors.append(FieldError(field="items", message=BULK_ITEMS_MESSAGE))
    change = body.get("change")
    if not (isinstance(change, dict) and change and set(change) <= set(BULK_FIELDS)):
        errors.append(FieldError(field="change", message=BULK_CHANGE_MESSAGE))
    if set(body) - {"items", "change"}:
        errors.append(FieldError(field=None, message="A bulk change takes only items and change."))
    if errors:
        raise InvalidFields(errors)
    assert isinstance(change, dict)
    return tuple(items), requested_change(change)
