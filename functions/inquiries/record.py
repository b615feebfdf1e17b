"""The inquiry as every function reads it: its choices, its text rules, the stored record, the crisis
resources and the error body every API answers with.

No pydantic here, on purpose: every function imports this module, and importing pydantic costs a
cold start about a quarter of a bare Python Lambda's init (docs/benchmarks.md). Only intake, which
validates what a person submits, loads pydantic (``inquiries.models``).

Every field of an inquiry is protected health information (PHI). ``UnreadableRecord`` and every
other error text here names a rule or a field, never a value.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, Self, TypeVar

MAX_BODY_BYTES = 16 * 1024


class PreferredContact(StrEnum):
    """How the person would like the care team to reach them."""

    EMAIL = "email"
    PHONE = "phone"
    SMS = "sms"


class Topic(StrEnum):
    """What the inquiry is about (a category, chosen from a fixed list)."""

    ADDICTION = "addiction"
    DEPRESSION = "depression"
    ANXIETY = "anxiety"
    PTSD = "ptsd"
    CHRONIC_PAIN = "chronic_pain"
    OTHER = "other"


class Level(StrEnum):
    """How soon the care team must reach the person: triage's verdict (DESIGN.md, "Triage levels")."""

    URGENT = "urgent"
    PRIORITY = "priority"
    NONE = "none"


class Language(StrEnum):
    """The language the person reads: the page's choice, else the message's, else ``Accept-Language``."""

    EN = "en"
    ES = "es"


class InquiryStatus(StrEnum):
    """Where an inquiry is in the care team's workflow (``care.transitions`` says which moves are allowed)."""

    NEW = "new"
    # Tried, not yet reached (a call attempt without an answer): the response clock keeps running.
    ATTEMPTING = "attempting"
    CONTACTED = "contacted"
    SCHEDULED = "scheduled"
    CLOSED = "closed"
    NOT_A_FIT = "not_a_fit"
    SPAM = "spam"


# Cc = control characters, Cf = invisible format characters (zero-width, bidi overrides).
_STRIPPED_CATEGORIES = frozenset({"Cc", "Cf"})
_KEPT_IN_MULTILINE = frozenset({"\n", "\t"})
_SPACES = re.compile(r"\s+")
# In ASCII the only control or format characters are C0 and DEL (category Cc; Cf has none): for ASCII text,
# ``str.translate`` with these tables gives what the per-character loop below gives, in C (every submission's
# text goes through here).
_ASCII_CONTROLS = {code: None for code in [*range(0x20), 0x7F]}
_ASCII_SINGLE_LINE = _ASCII_CONTROLS | {ord("\n"): " ", ord("\t"): " "}
_ASCII_MULTILINE = _ASCII_CONTROLS | {ord("\n"): "\n", ord("\t"): "\t"}


def clean_text(value: str, *, multiline: bool = False) -> str:
    """NFKC-normalise, drop control and format characters, trim.

    Single-line fields turn newlines and tabs into spaces; the message keeps them
    (with CRLF folded to LF).
    """
    text = unicodedata.normalize("NFKC", value).replace("\r\n", "\n").replace("\r", "\n")
    if text.isascii():
        cleaned = text.translate(_ASCII_MULTILINE if multiline else _ASCII_SINGLE_LINE)
    else:
        out = []
        for ch in text:
            if ch in _KEPT_IN_MULTILINE:
                out.append(ch if multiline else " ")
            elif unicodedata.category(ch) not in _STRIPPED_CATEGORIES:
                out.append(ch)
        cleaned = "".join(out)
    if not multiline:
        cleaned = _SPACES.sub(" ", cleaned)
    return cleaned.strip()


# What an address or a number may never hold: control, invisible format (zero-width, soft hyphen,
# bidi overrides), surrogate, private-use, unassigned and line/paragraph separator characters.
_HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})


def has_hidden_characters(value: str) -> bool:
    """True when ``value`` holds a character a person cannot see or type into an address."""
    if value.isascii():  # the only such ASCII characters are C0 and DEL (Cc): the ones str.isprintable refuses
        return not value.isprintable()
    return any(unicodedata.category(ch) in _HIDDEN_CATEGORIES for ch in value)


@dataclass(frozen=True)
class CrisisResource:
    """A place to get help right now: its name, the number, how to reach it, and the links to do so."""

    # The attribute docstrings describe the fields in docs/openapi.json (``intake.api.openapi_document``).
    name: str
    contact: str
    how: str
    call: str | None = None
    """Number to call (a tel: link), when it takes calls."""
    text: str | None = None
    """Number to text (an sms: link), when it takes texts."""
    text_word: str | None = None
    """What to text to that number, when it asks for a word."""


CRISIS_RESOURCES: tuple[CrisisResource, ...] = (
    CrisisResource(
        name="988 Suicide & Crisis Lifeline",
        contact="988",
        how="Call or text 988, any time, day or night. Free and confidential. Veterans: call 988 and press 1. "
            "En español: call 988 and press 2, or text AYUDA to 988.",
        call="988",
        text="988",
    ),
    CrisisResource(
        name="Emergency services",
        contact="911",
        how="If you or someone else is in immediate danger, call 911 or go to the nearest emergency room.",
        call="911",
    ),
    CrisisResource(
        name="Crisis Text Line",
        contact="741741",
        how="Text HOME to 741741 to reach a trained crisis counselor, any time. Free and confidential.",
        text="741741",
        text_word="HOME",
    ),
)

# Worded from the owners' own pages: 988lifeline.org/es (call 988 and press 2 for Spanish; text AYUDA to
# 988) and Crisis Text Line (text AYUDA to 741741 for a counselor in Spanish).
CRISIS_RESOURCES_ES: tuple[CrisisResource, ...] = (
    CrisisResource(
        name="988 Línea de Prevención del Suicidio y Crisis",
        contact="988",
        how="Llame al 988 y oprima el 2 para hablar en español, o envíe un mensaje de texto con la palabra "
            "AYUDA al 988. A cualquier hora, gratis y confidencial.",
        call="988",
        text="988",
        text_word="AYUDA",
    ),
    CrisisResource(
        name="Servicios de emergencia",
        contact="911",
        how="Si usted u otra persona está en peligro inmediato, llame al 911 o vaya a la sala de emergencias "
            "más cercana.",
        call="911",
    ),
    CrisisResource(
        name="Crisis Text Line",
        contact="741741",
        how="Envíe AYUDA por mensaje de texto al 741741 para hablar con un consejero en español, a cualquier "
            "hora. Gratis y confidencial.",
        text="741741",
        text_word="AYUDA",
    ),
)


def crisis_resources(language: Language | str) -> tuple[CrisisResource, ...]:
    """The crisis resources in the person's language (English unless ``es``)."""
    return CRISIS_RESOURCES_ES if language == Language.ES else CRISIS_RESOURCES


@dataclass(frozen=True, kw_only=True)
class FieldError:
    """One problem with a request. ``field`` is null when the problem is with the request as a whole."""

    field: str | None = None
    message: str


def error_body(errors: Sequence[FieldError]) -> str:
    """The JSON body of every 4xx/5xx answer: ``{"errors": [{"field": ..., "message": ...}]}``."""
    return json.dumps({"errors": [asdict(error) for error in errors]}, separators=(",", ":"))


class UnreadableRecord(Exception):
    """A stored item that is not an inquiry this code can read. Its text names the field, never a value."""

    def __init__(self, field_name: str) -> None:
        super().__init__(f"stored inquiry unreadable at {field_name!r}")
        self.field_name = field_name


# No generated repr (it would print every field, PHI, into any log line or traceback that shows the
# object) and no generated equality (nothing compares records): fewer methods to build at cold start.
@dataclass(frozen=True, kw_only=True, repr=False, eq=False)
class StoredInquiry:
    """An inquiry as kept in InquiriesTable (``data.items.InquiryItem`` is the item intake writes)."""

    inquiry_id: str
    created_at: datetime
    status: InquiryStatus
    name: str
    email: str
    phone: str | None = None
    preferred_contact: PreferredContact
    topic: Topic
    message: str | None = None
    consent_to_contact: bool
    sms_consent: bool = False
    referral_source: str | None = None
    urgent: bool = False
    level: Level = Level.NONE
    language: Language = Language.EN
    # Triage codes only (category codes and rule ids), never the words that matched.
    triage_categories: tuple[str, ...] = ()
    triage_rules: tuple[str, ...] = ()
    spam: bool = False
    ttl: int
    confirmation_sent_at: datetime | None = None
    care_team_notified_at: datetime | None = None

    @classmethod
    def from_values(cls, values: Mapping[str, Any]) -> Self:
        """Read a stored item's plain values (``data.items.plain_values``); other attributes are ignored.

        Raises ``UnreadableRecord`` naming the first field that is missing or of the wrong kind.
        """
        read = StoredValues(values)
        return cls(
            inquiry_id=read.text("inquiry_id"),
            created_at=read.moment("created_at"),
            status=read.choice("status", InquiryStatus),
            name=read.text("name"),
            email=read.text("email"),
            phone=read.optional_text("phone"),
            preferred_contact=read.choice("preferred_contact", PreferredContact),
            topic=read.choice("topic", Topic),
            message=read.optional_text("message"),
            consent_to_contact=read.flag("consent_to_contact"),
            sms_consent=read.flag("sms_consent", default=False),
            referral_source=read.optional_text("referral_source"),
            urgent=read.flag("urgent", default=False),
            level=read_level(read),
            language=read.choice("language", Language, default=Language.EN),
            triage_categories=read.codes("triage_categories"),
            triage_rules=read.codes("triage_rules"),
            spam=read.flag("spam", default=False),
            ttl=read.whole_number("ttl"),
            confirmation_sent_at=read.optional_moment("confirmation_sent_at"),
            care_team_notified_at=read.optional_moment("care_team_notified_at"),
        )


def read_level(read: StoredValues) -> Level:
    """An item's triage level; items stored before levels existed have only ``urgent``."""
    if "level" in read.values:
        return read.choice("level", Level)
    return Level.URGENT if read.flag("urgent", default=False) else Level.NONE


_E = TypeVar("_E", bound=StrEnum)
_V = TypeVar("_V")
_MISSING = object()


@dataclass(frozen=True, repr=False, eq=False)
class StoredValues:
    """Typed reads of one stored item's plain values (``data.items.plain_values``), for every reader of
    stored items (this record, the care console's views): a missing optional attribute takes its default,
    a string set reads as a sorted tuple, and a missing or mistyped value raises ``UnreadableRecord``
    naming the attribute, never the value."""

    values: Mapping[str, Any]

    def _get(self, name: str, default: Any) -> Any:
        value = self.values.get(name, default)
        if value is _MISSING:
            raise UnreadableRecord(name)
        return value

    def text(self, name: str) -> str:
        value = self._get(name, _MISSING)
        if not isinstance(value, str):
            raise UnreadableRecord(name)
        return value

    def optional_text(self, name: str) -> str | None:
        value = self._get(name, None)
        if value is not None and not isinstance(value, str):
            raise UnreadableRecord(name)
        return value

    def flag(self, name: str, default: bool | None = None) -> bool:
        value = self._get(name, _MISSING if default is None else default)
        if not isinstance(value, bool):
            raise UnreadableRecord(name)
        return value

    def whole_number(self, name: str, default: int | None = None) -> int:
        value = self._get(name, _MISSING if default is None else default)
        if isinstance(value, bool) or not isinstance(value, int):  # True is an int to Python, not a number
            raise UnreadableRecord(name)
        return value

    def choice(self, name: str, kind: type[_E], default: Any = _MISSING) -> _E:
        value = self._get(name, default)
        try:
            return kind(value)
        except (ValueError, TypeError):
            raise UnreadableRecord(name) from None

    def codes(self, name: str) -> tuple[str, ...]:
        value = self._get(name, None)
        if value is None:
            return ()
        if not isinstance(value, list | tuple | set | frozenset) or not all(isinstance(v, str) for v in value):
            raise UnreadableRecord(name)
        return tuple(sorted(value)) if isinstance(value, set | frozenset) else tuple(value)

    def entries(self, name: str, read: Callable[[StoredValues], _V]) -> tuple[_V, ...]:
        """A list of maps, each read by ``read``; an unreadable one is named ``<name>.<attribute>``."""
        value = self._get(name, None)
        if value is None:
            return ()
        if not isinstance(value, list | tuple) or not all(isinstance(v, Mapping) for v in value):
            raise UnreadableRecord(name)
        try:
            return tuple(read(StoredValues(entry)) for entry in value)
        except UnreadableRecord as exc:
            raise UnreadableRecord(f"{name}.{exc.field_name}") from None

    def moment(self, name: str) -> datetime:
        moment = self.optional_moment(name)
        if moment is None:
            raise UnreadableRecord(name)
        return moment

    def optional_moment(self, name: str) -> datetime | None:
        value = self._get(name, None)
        if value is None or isinstance(value, datetime):
            return value
        if not isinstance(value, str):
            raise UnreadableRecord(name)
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            raise UnreadableRecord(name) from None
