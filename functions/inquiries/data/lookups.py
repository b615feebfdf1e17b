"""InquiryLookupTable: how the care team finds an inquiry without a Scan and without a value in clear.

Items (key ``lookup_key`` + ``inquiry_id``; ``ttl`` the inquiry's own, so no item outlives its inquiry):

- ``ref#<the reference's 8 characters>`` (the reference is not secret: the person was emailed it);
- ``phone#<keyed hash of the E.164 phone>``;
- ``name#<keyed hash of one normalised name token>``: casefolded, accents stripped, tokens of two
  characters or more, at most ``MAX_NAME_TOKENS``;
- ``fullname#<keyed hash of the whole normalised name>``.

Every hash is keyed with the secret pepper (``inquiries.peppers``): a copy of the table tells nobody a name or
a number. Intake writes the items in the transaction that stores the inquiry, and the inquiry keeps their keys
(``lookup_keys``) and its phone's hash (``phone_hash``), so erasure deletes exactly them and the same person's
other inquiries are found by hash. Why a table and not indexes: CloudFormation adds one index per stack update,
and a name has several tokens.

Reads here are the care API's: the inquiry ids under one key (newest first: ids are ULIDs), the ids of one
email hash (EmailHashIndex), and single items with only the attributes asked for. Raises ``DataUnavailable``.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from inquiries import aws
from inquiries import peppers as keyed
from inquiries.data.errors import domain_errors
from inquiries.data.items import EMAIL_HASH_INDEX
from inquiries.data.pages import query_pages

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.type_defs import AttributeValueTypeDef, TransactWriteItemTypeDef

    from inquiries.peppers import Peppers

REFERENCE_PREFIX = "ref#"
PHONE_PREFIX = "phone#"
NAME_PREFIX = "name#"
FULLNAME_PREFIX = "fullname#"
MAX_NAME_TOKENS = 6
MIN_TOKEN_LENGTH = 2


def normalised_words(name: str) -> list[str]:
    """The words of a name as lookups compare them: compatibility forms folded (full-width letters), accents
    stripped, case folded, split at anything that is not a letter or a digit."""
    decomposed = unicodedata.normalize("NFKD", name)
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
    return "".join(ch if ch.isalnum() else " " for ch in bare).split()


def name_tokens(name: str) -> tuple[str, ...]:
    """The distinct words of two characters or more, in order, at most ``MAX_NAME_TOKENS``."""
    tokens = dict.fromkeys(w for w in normalised_words(name) if len(w) >= MIN_TOKEN_LENGTH)
    return tuple(tokens)[:MAX_NAME_TOKENS]


def full_name(name: str) -> str:
    """The whole name, normalised: its words joined by one space."""
    return " ".join(normalised_words(name))


def reference_key(reference: str) -> str:
    """The key of a reference (``INQ-XXXXXXXX``, its 8 characters, or a whole inquiry id)."""
    return REFERENCE_PREFIX + reference[-8:].upper()


def phone_hash(phone: str, peppers: Peppers) -> str:
    """The keyed hash of an E.164 phone under the current pepper (stored on the inquiry as ``phone_hash``)."""
    return peppers.keyed_hash(keyed.PHONE, phone)


def phone_keys(phone: str, peppers: Peppers) -> list[str]:
    """The phone's lookup key under every valid pepper: what a search must try."""
    return [PHONE_PREFIX + h for h in peppers.all_keyed_hashes(keyed.PHONE, phone)]


def name_token_keys(token: str, peppers: Peppers) -> list[str]:
    """One normalised token's lookup key under every valid pepper."""
    return [NAME_PREFIX + h for h in peppers.all_keyed_hashes(keyed.NAME, token)]


def full_name_keys(normalised: str, peppers: Peppers) -> list[str]:
    """A normalised whole name's lookup key under every valid pepper."""
    return [FULLNAME_PREFIX + h for h in peppers.all_keyed_hashes(keyed.FULLNAME, normalised)]


def lookup_keys(inquiry_id: str, name: str, phone: str | None, peppers: Peppers) -> list[str]:
    """Every lookup key of one inquiry, under the current pepper (what intake and the backfill write)."""
    keys = [reference_key(inquiry_id)]
    if phone:
        keys.append(PHONE_PREFIX + phone_hash(phone, peppers))
    keys += [NAME_PREFIX + peppers.keyed_hash(keyed.NAME, token) for token in name_tokens(name)]
    whole = full_name(name)
    if whole:
        keys.append(FULLNAME_PREFIX + peppers.keyed_hash(keyed.FULLNAME, whole))
    return list(dict.fromkeys(keys))


def lookup_puts(table: str, inquiry_id: str, keys: Iterable[str], ttl: int) -> list[TransactWriteItemTypeDef]:
    """One transaction Put per key: the item holds the key, the inquiry's id and its ``ttl``, nothing else."""
    return [{"Put": {"TableName": table, "Item": {"lookup_key": {"S": key}, "inquiry_id": {"S": inquiry_id},
                                                  "ttl": {"N": str(ttl)}}}} for key in keys]


def lookup_ttl_updates(table: str, inquiry_id: str, keys: Iterable[str], ttl: int) -> list[TransactWriteItemTypeDef]:
    """One transaction Update per key: a new ``ttl`` (a released held-back submission's retention). Unconditional:
    an item that went missing is written again, so nothing the inquiry lists can make its change fail."""
    return [{"Update": {"TableName": table, "Key": {"lookup_key": {"S": key}, "inquiry_id": {"S": inquiry_id}},
                        "UpdateExpression": "SET #ttl = :ttl", "ExpressionAttributeNames": {"#ttl": "ttl"},
                        "ExpressionAttributeValues": {":ttl": {"N": str(ttl)}}}} for key in keys]


@dataclass(frozen=True)
class LookupRecords:
    """The care API's lookups: inquiry ids by lookup key or email hash, and single inquiries' chosen attributes."""

    lookup_table: str
    inquiries_table: str

    def ids_by_key(self, key: str, limit: int) -> list[str]:
        """The newest ``limit`` inquiry ids under one lookup key (newest first)."""
        kwargs: dict[str, Any] = {
            "TableName": self.lookup_table,
            "KeyConditionExpression": "lookup_key = :key",
            "ExpressionAttributeValues": {":key": {"S": key}},
            "ProjectionExpression": "inquiry_id",
            "ScanIndexForward": False,
            "Limit": limit,
        }
        return list(self._ids(kwargs, limit))

    def ids_by_email_hash(self, email_hash: str, limit: int, read_at_most: int = 500) -> list[str]:
        """The newest ``limit`` inquiry ids stored under one email hash (EmailHashIndex, keys only, in no order:
        up to ``read_at_most`` are read and sorted, newest first)."""
        kwargs: dict[str, Any] = {
            "TableName": self.inquiries_table,
            "IndexName": EMAIL_HASH_INDEX,
            "KeyConditionExpression": "email_hash = :h",
            "ExpressionAttributeValues": {":h": {"S": email_hash}},
            "ProjectionExpression": "inquiry_id",
        }
        return sorted(self._ids(kwargs, read_at_most), reverse=True)[:limit]

    def _ids(self, kwargs: dict[str, Any], limit: int) -> Iterator[str]:
        seen = 0
        for page in query_pages(aws.dynamodb(), kwargs, domain=True):
            for item in page.get("Items", []):
                yield item["inquiry_id"]["S"]
                seen += 1
                if seen >= limit:
                    return

    def inquiries(self, inquiry_ids: Sequence[str],
                  attributes: Sequence[str]) -> list[dict[str, AttributeValueTypeDef]]:
        """The named attributes of each inquiry still stored, in the order asked (one GetItem each: no
        function may BatchGet the inquiries table; callers bound how many they ask for)."""
        names = {f"#a{i}": name for i, name in enumerate(attributes)}
        found = []
        for inquiry_id in inquiry_ids:
            with domain_errors():
                resp = aws.dynamodb().get_item(TableName=self.inquiries_table, Key={"inquiry_id": {"S": inquiry_id}},
                                               ProjectionExpression=", ".join(names), ExpressionAttributeNames=names)
            item = resp.get("Item")
            if item:
                found.append(dict(item))
        return found
