"""Finding inquiries for the care team: by reference, exact email, exact phone or name, never by a Scan and
never with the term in a log line, a metric or the audit trail (the trail keeps the kind of search and the ids
it found).

- A reference (``INQ-`` and 8 characters, any case; Crockford's O, I and L read as 0, 1, 1) or a whole inquiry
  id: the ``ref#`` lookup item.
- An address (it has an ``@``): normalised as intake stores it, its keyed hash under every valid pepper,
  through EmailHashIndex.
- A phone (only digits, spaces and ``+().-``, seven digits or more): read as intake reads it (US by default)
  to E.164, its keyed hash under every valid pepper.
- Anything else is a name: every token of two characters or more must match (accents and case ignored), or
  the whole name does. Exact tokens only: no partial, misspelled or sounds-like names, and a token matches
  among the newest ``MAX_IDS_PER_KEY`` inquiries that carry it.

At most ``MAX_RESULTS`` inquiries are shown, newest first (ids are ULIDs, which sort by time), and only their
list attributes are read (one GetItem each, with a projection).

The same person's other inquiries (``related``) are found by the keyed hashes of the inquiry's email and phone,
under every valid pepper and as stored: at most ``MAX_RELATED``, newest first.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from inquiries.data.care import LIST_ATTRIBUTES
from inquiries.data.items import email_hashes, plain_values
from inquiries.data.lookups import (
    PHONE_PREFIX,
    LookupRecords,
    full_name,
    full_name_keys,
    name_token_keys,
    name_tokens,
    phone_keys,
    reference_key,
)
from inquiries.peppers import Peppers

MAX_TERM_LENGTH = 200
MAX_RESULTS = 25
MAX_IDS_PER_KEY = 500
# The same person's other inquiries: at most this many, and only what tells them apart.
MAX_RELATED = 20
RELATED_ATTRIBUTES = ("inquiry_id", "status", "level", "urgent", "created_at")
DEFAULT_PHONE_REGION = "US"  # as intake reads a number without a country code (inquiries.models)

SEARCH = "search"  # the audit entry's action
REFERENCE = "reference"
EMAIL = "email"
PHONE = "phone"
NAME = "name"

_REFERENCE = re.compile(r"^(?:INQ-?)([0-9A-Z]{8})$")
_INQUIRY_ID = re.compile(r"^[0-9A-HJKMNP-TV-Z]{26}$")
_PHONE = re.compile(r"^\+?[0-9 ().\-]+$")
# Crockford base 32, as references are written: letters people mistake for digits read as those digits.
_CROCKFORD_READS = str.maketrans({"O": "0", "I": "1", "L": "1"})
_CROCKFORD = re.compile(r"^[0-9A-HJKMNP-TV-Z]{8}$")
TERM_RULE = (f"Search by a reference (INQ-...), an email address, a phone number or a name: {MAX_TERM_LENGTH} "
             "characters at most.")
NAME_RULE = "Give a name of at least two letters, an email address, a phone number or a reference."


class InvalidSearch(Exception):
    """A term that cannot be searched (422); ``message`` is a fixed text that never echoes it."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def reference_of(text: str) -> str | None:
    """The 8 characters of a reference (``INQ-XXXXXXXX`` in any case), or None when ``text`` is not one."""
    match = _REFERENCE.match(text.strip().upper())
    if match is None:
        return None
    characters = match.group(1).translate(_CROCKFORD_READS)
    return characters if _CROCKFORD.match(characters) else None


def is_inquiry_id(text: str) -> bool:
    """Whether ``text`` is a whole inquiry id (a ULID)."""
    return bool(_INQUIRY_ID.match(text))


def _normalised_email(text: str) -> str | None:
    """An address as intake stores it (NFKC, trimmed, IDNA domain in lower case), or None."""
    from email_validator import EmailNotValidError, validate_email  # only a search by address needs it

    try:
        result = validate_email(unicodedata.normalize("NFKC", text).strip(), check_deliverability=False)
    except EmailNotValidError:
        return None
    return f"{result.local_part}@{result.ascii_domain.lower()}"


def _e164(text: str) -> str | None:
    """A phone as intake stores it (E.164), or None."""
    import phonenumbers  # only a search by phone needs it

    try:
        parsed = phonenumbers.parse(text, DEFAULT_PHONE_REGION)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(parsed):
        return None
    return str(phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164))


@dataclass(frozen=True)
class Found:
    """What a search found: its kind (audited) and the stored list attributes of each inquiry, newest first."""

    kind: str
    items: list[dict[str, Any]]


@dataclass(frozen=True)
class InquirySearch:
    """Searches through InquiryLookupTable and EmailHashIndex; reads only the list attributes of what it shows."""

    lookups: LookupRecords
    peppers: Callable[[], Peppers]

    def find(self, term: str) -> Found:
        """The inquiries ``term`` finds. Raises ``InvalidSearch`` for a blank, too long or unsearchable term."""
        text = term.strip()
        if not text or len(term) > MAX_TERM_LENGTH:
            raise InvalidSearch(TERM_RULE)
        kind, ids = self._ids(text)
        newest = sorted(set(ids), reverse=True)[:MAX_RESULTS]
        return Found(kind=kind, items=[plain_values(item) for item in self.lookups.inquiries(newest, LIST_ATTRIBUTES)])

    def related(self, values: dict[str, Any]) -> list[dict[str, Any]]:
        """What shows the same person's other inquiries (``related_ids``): id, status, level, time."""
        ids = related_ids(self.lookups, values, self.peppers())
        return [plain_values(item) for item in self.lookups.inquiries(ids, RELATED_ATTRIBUTES)]

    def resolve(self, raw: str) -> str | None:
        """The inquiry id a path names: the id itself, or the newest inquiry with that reference (or None)."""
        if is_inquiry_id(raw):
            return raw
        characters = reference_of(raw)
        if characters is None:
            return None
        ids = self.lookups.ids_by_key(reference_key(characters), 1)
        return ids[0] if ids else None

    def _ids(self, text: str) -> tuple[str, Iterable[str]]:
        if is_inquiry_id(text.upper()):
            return REFERENCE, self.lookups.ids_by_key(reference_key(text.upper()), MAX_RESULTS)
        characters = reference_of(text)
        if characters is not None:
            return REFERENCE, self.lookups.ids_by_key(reference_key(characters), MAX_RESULTS)
        if "@" in text:
            address = _normalised_email(text)
            if address is None:
                return EMAIL, []
            return EMAIL, [i for h in email_hashes(address, self.peppers())
                           for i in self.lookups.ids_by_email_hash(h, MAX_RESULTS)]
        if _PHONE.match(text) and sum(ch.isdigit() for ch in text) >= 7:
            phone = _e164(text)
            if phone is None:
                return PHONE, []
            return PHONE, [i for key in phone_keys(phone, self.peppers())
                           for i in self.lookups.ids_by_key(key, MAX_RESULTS)]
        return NAME, self._by_name(text)

    def _by_name(self, text: str) -> set[str]:
        tokens = name_tokens(text)
        if not tokens:
            raise InvalidSearch(NAME_RULE)
        peppers = self.peppers()
        matches: set[str] | None = None
        for token in tokens:
            ids = {i for key in name_token_keys(token, peppers) for i in self.lookups.ids_by_key(key, MAX_IDS_PER_KEY)}
            matches = ids if matches is None else matches & ids
            if not matches:
                break
        whole = {i for key in full_name_keys(full_name(text), peppers)
                 for i in self.lookups.ids_by_key(key, MAX_RESULTS)}
        return (matches or set()) | whole


def related_ids(lookups: LookupRecords, values: dict[str, Any], peppers: Peppers) -> list[str]:
    """The ids of the same person's other inquiries (the same keyed email or phone hash, under every valid
    pepper and as stored), newest first, at most ``MAX_RELATED``; never the inquiry itself."""
    ids: set[str] = set()
    hashes = set(email_hashes(str(values["email"]), peppers)) if values.get("email") else set()
    if values.get("email_hash"):
        hashes.add(str(values["email_hash"]))
    for hashed in hashes:
        ids.update(lookups.ids_by_email_hash(hashed, MAX_RELATED + 1))
    keys = set(phone_keys(str(values["phone"]), peppers)) if values.get("phone") else set()
    if values.get("phone_hash"):
        keys.add(PHONE_PREFIX + str(values["phone_hash"]))
    for key in keys:
        ids.update(lookups.ids_by_key(key, MAX_RELATED + 1))
    ids.discard(str(values["inquiry_id"]))
    return sorted(ids, reverse=True)[:MAX_RELATED]
