"""The list's paging cursor: the index key to resume after and the page number, signed and bounded.

A cursor is ``<payload>.<signature>``, both base64url without padding. The payload is the compact JSON
``{"k": {"created_at", "inquiry_id", "status"}, "p": page}``; the signature is an HMAC-SHA256 of the
payload under the keyed-hash pepper (``peppers``, purpose ``list-cursor``), cut to 128 bits. Only a
cursor this API handed out opens: a forged key (to skip anywhere in an index, or one so large DynamoDB
refuses it, which would be a 503) is an ``InvalidCursor`` (422) before DynamoDB sees anything. A cursor
signed under the previous pepper still opens while a rotation settles.

The page number is what the audit trail records for a list (``page``: 1 without a cursor).
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from boto3.dynamodb.types import TypeDeserializer

from inquiries.data.errors import InvalidCursor
from inquiries.peppers import Peppers

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.type_defs import AttributeValueTypeDef

CURSOR = "list-cursor"
# Far above a real cursor (about 180 characters), far below anything DynamoDB would refuse.
MAX_CURSOR_CHARS = 400
MAX_PAGE = 1_000_000
_SIGNATURE_CHARS = 32  # hex of 128 bits
_KEY_NAMES = frozenset({"inquiry_id", "status", "created_at"})
_SHAPE = re.compile(r"^[A-Za-z0-9_-]{1,360}\.[A-Za-z0-9_-]{1,64}$")
_KEY_VALUE = re.compile(r"^[0-9A-Za-z:.+_-]{1,40}$")

_deserializer = TypeDeserializer()


def b64(raw: bytes) -> str:
    """Unpadded URL-safe base64: what a cursor's parts are written in."""
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def unb64(text: str) -> bytes:
    """The bytes of an unpadded URL-safe base64 text (raises on a malformed one)."""
    return base64.urlsafe_b64decode((text + "=" * (-len(text) % 4)).encode("ascii"))


@dataclass(frozen=True)
class ListCursors:
    """Seals and opens list cursors; ``peppers`` gives the keys (read at first use, then cached)."""

    peppers: Callable[[], Peppers]

    def seal(self, last_key: Mapping[str, Any], page: int) -> str:
        """The cursor of page ``page``, which starts after ``last_key`` (the index's LastEvaluatedKey)."""
        key = {k: _deserializer.deserialize(v) for k, v in last_key.items()}
        payload = b64(json.dumps({"k": key, "p": page}, sort_keys=True, separators=(",", ":")).encode("utf-8"))
        signature = self.peppers().keyed_hash(CURSOR, payload)[:_SIGNATURE_CHARS]
        return f"{payload}.{b64(bytes.fromhex(signature))}"

    def open(self, cursor: str, status: str) -> tuple[dict[str, AttributeValueTypeDef], int]:
        """The ExclusiveStartKey and page number a cursor stands for. Raises ``InvalidCursor`` unless this
        API signed it, for this status's list."""
        if len(cursor) > MAX_CURSOR_CHARS or not _SHAPE.match(cursor):
            raise InvalidCursor("not a cursor")
        payload, signature = cursor.split(".")
        try:
            raw_signature = unb64(signature)
        except (ValueError, binascii.Error):
            raise InvalidCursor("unreadable signature") from None
        if b64(raw_signature) != signature:  # one spelling only: base64's unused low bits must be zero
            raise InvalidCursor("not a cursor")
        given = raw_signature.hex()
        expected = [h[:_SIGNATURE_CHARS] for h in self.peppers().all_keyed_hashes(CURSOR, payload)]
        if not any(hmac.compare_digest(given, e) for e in expected):
            raise InvalidCursor("not signed here")
        try:
            plain = json.loads(unb64(payload))
        except (ValueError, binascii.Error, UnicodeError):
            raise InvalidCursor("unreadable cursor") from None
        key = plain.get("k") if isinstance(plain, dict) else None
        page = plain.get("p") if isinstance(plain, dict) else None
        if (not isinstance(key, dict) or set(key) != _KEY_NAMES
                or not all(isinstance(v, str) and _KEY_VALUE.match(v) for v in key.values())
                or key["status"] != status
                or isinstance(page, bool) or not isinstance(page, int) or not 2 <= page <= MAX_PAGE):
            raise InvalidCursor("not a cursor of this list")
        return {k: {"S": v} for k, v in key.items()}, page
