"""Searching the audit trail over its whole retention: by inquiry, by actor, by action, by date range.

Which key answers a query (never a Scan):

- an inquiry (``inquiry_id``; a reference is resolved to one by the caller): ``InquiryIndex``;
- else an actor (their Cognito ``sub``): ``ActorIndex`` (``actor_id`` + ``entry_id``);
- else (an action alone, dates alone, or nothing): the table's ``day`` partitions, walked newest first from
  ``to`` (or today) back to ``from`` (or the oldest day still retained).

A date range is a key condition on ``entry_id`` (``<at>#<random>`` sorts by time); the action, and an
actor given with an inquiry, are a FilterExpression. Each request reads at most ``MAX_READS`` DynamoDB pages
(and walks at most ``MAX_EMPTY_DAYS`` days without a match), so a page of results may be short (even empty)
while ``next_cursor`` says there is more.

The cursor is opaque: the partition and the exact key to resume after, bound to the query's filters and
signed under the keyed-hash pepper (purpose ``audit-cursor``). Anything else, or a cursor of another query,
is ``InvalidCursor`` (422) before DynamoDB sees anything.
"""

from __future__ import annotations

import binascii
import hmac
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from inquiries import aws
from inquiries.data.audit import INQUIRY_INDEX
from inquiries.data.cursor import b64, unb64
from inquiries.data.errors import InvalidCursor, domain_errors
from inquiries.peppers import Peppers

ACTOR_INDEX = "ActorIndex"
CURSOR_PURPOSE = "audit-cursor"
MAX_READS = 20  # DynamoDB pages per request that found something or stopped mid-partition
MAX_EMPTY_DAYS = 180  # days without a match walked per request (one small Query each), on top
MAX_CURSOR_CHARS = 600
_SIGNATURE_CHARS = 32
_SHAPE = re.compile(r"^[A-Za-z0-9_-]{1,540}\.[A-Za-z0-9_-]{1,64}$")
_KEY_VALUE = re.compile(r"^[0-9A-Za-z:.#_-]{1,80}$")
_KEY_NAMES = {"day", "entry_id", "inquiry_id", "actor_id"}


@dataclass(frozen=True)
class AuditQuery:
    """What to find. ``start``/``end`` are inclusive dates (UTC days); every field is optional."""

    inquiry_id: str | None = None
    actor_id: str | None = None
    action: str | None = None
    start: date | None = None
    end: date | None = None

    def fingerprint(self) -> str:
        """The query as canonical text (a cursor is bound to its hash; the text itself is never stored)."""
        return json.dumps([self.inquiry_id, self.actor_id, self.action,
                           self.start.isoformat() if self.start else None,
                           self.end.isoformat() if self.end else None], separators=(",", ":"))

    def filter_kinds(self) -> tuple[str, ...]:
        """Which filters were given (for the audit entry of the search: kinds, never values)."""
        given = {"inquiry": self.inquiry_id, "actor": self.actor_id, "action": self.action,
                 "from": self.start, "to": self.end}
        return tuple(kind for kind, value in given.items() if value)


@dataclass(frozen=True)
class AuditPage:
    """Stored entries (plain values, newest first) and the cursor of what follows (None at the end)."""

    entries: list[dict[str, Any]]
    next_cursor: str | None


@dataclass(frozen=True)
class AuditSearch:
    """Pages of the audit trail for an ``AuditQuery``. Raises ``DataUnavailable``, ``InvalidCursor``."""

    audit_table: str
    retention_days: int
    peppers: Callable[[], Peppers]

    # ---- the cursor ------------------------------------------------------------------------------------------
    def _seal(self, query: AuditQuery, day: str | None, key: dict[str, str] | None) -> str:
        bound = self.peppers().keyed_hash(CURSOR_PURPOSE, query.fingerprint())[:_SIGNATURE_CHARS]
        payload = b64(json.dumps({"q": bound, "d": day, "k": key}, sort_keys=True,
                                  separators=(",", ":")).encode("utf-8"))
        signature = self.peppers().keyed_hash(CURSOR_PURPOSE, payload)[:_SIGNATURE_CHARS]
        return f"{payload}.{b64(bytes.fromhex(signature))}"

    def _open(self, query: AuditQuery, cursor: str) -> tuple[str | None, dict[str, str] | None]:
        if len(cursor) > MAX_CURSOR_CHARS or not _SHAPE.match(cursor):
            raise InvalidCursor("not a cursor")
        payload, signature = cursor.split(".")
        try:
            raw_signature = unb64(signature)
        except (ValueError, binascii.Error):
            raise InvalidCursor("unreadable signature") from None
        if b64(raw_signature) != signature:
            raise InvalidCursor("not a cursor")
        expected = [h[:_SIGNATURE_CHARS] for h in self.peppers().all_keyed_hashes(CURSOR_PURPOSE, payload)]
        if not any(hmac.compare_digest(raw_signature.hex(), e) for e in expected):
            raise InvalidCursor("not signed here")
        try:
            plain = json.loads(unb64(payload))
        except (ValueError, binascii.Error, UnicodeError):
            raise InvalidCursor("unreadable cursor") from None
        if not isinstance(plain, dict) or set(plain) != {"q", "d", "k"}:
            raise InvalidCursor("not a cursor")
        bound = [h[:_SIGNATURE_CHARS] for h in self.peppers().all_keyed_hashes(CURSOR_PURPOSE, query.fingerprint())]
        if not isinstance(plain["q"], str) or not any(hmac.compare_digest(plain["q"], b) for b in bound):
            raise InvalidCursor("another query's cursor")
        day, key = plain["d"], plain["k"]
        if day is not None and not (isinstance(day, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", day)):
            raise InvalidCursor("not a cursor")
        if key is not None and (not isinstance(key, dict) or not set(key) <= _KEY_NAMES
                                or not all(isinstance(v, str) and _KEY_VALUE.match(v) for v in key.values())):
            raise InvalidCursor("not a cursor")
        return day, key

    # ---- the search ------------------------------------------------------------------------------------------
    def page(self, query: AuditQuery, *, now: datetime, limit: int, cursor: str | None) -> AuditPage:
        """Up to ``limit`` entries, newest first, after ``cursor``; at most ``MAX_READS`` reads."""
        day, start_key = self._open(query, cursor) if cursor else (None, None)
        found: list[dict[str, Any]] = []
        reads = 0
        if query.inquiry_id or query.actor_id:
            kwargs = self._indexed(query)
            key: dict[str, str] | None = start_key
            while reads < MAX_READS and len(found) < limit:
                last = self._read(kwargs, key, limit - len(found), found)
                reads += 1
                if last is None:
                    return AuditPage(found, None)
                key = last
            return AuditPage(found, self._seal(query, None, key))

        newest, oldest = self._days(query, now)
        current = date.fromisoformat(day) if day else newest
        key = start_key
        empty_days = 0
        while current >= oldest:
            if reads >= MAX_READS or empty_days >= MAX_EMPTY_DAYS or len(found) >= limit:
                return AuditPage(found, self._seal(query, current.isoformat(), key))
            kwargs = self._day(query, current)
            before = len(found)
            last = self._read(kwargs, key, limit - len(found), found)
            if last is None and len(found) == before:
                empty_days += 1  # a quiet day: cheap, and a search over years must not page through each one
            else:
                reads += 1
            if last is None:
                current, key = current - timedelta(days=1), None
            else:
                key = last
        return AuditPage(found, None)

    def _days(self, query: AuditQuery, now: datetime) -> tuple[date, date]:
        today = now.date()
        newest = min(query.end, today) if query.end else today
        retained = today - timedelta(days=self.retention_days)
        oldest = max(query.start, retained) if query.start else retained
        return newest, oldest

    @staticmethod
    def _range(query: AuditQuery) -> tuple[str, dict[str, Any]]:
        """The entry_id key condition of the date range ('' without one)."""
        if query.start and query.end:
            return (" AND entry_id BETWEEN :lo AND :hi",
                    {":lo": {"S": query.start.isoformat()}, ":hi": {"S": query.end.isoformat() + "~"}})
        if query.start:
            return " AND entry_id >= :lo", {":lo": {"S": query.start.isoformat()}}
        if query.end:
            return " AND entry_id <= :hi", {":hi": {"S": query.end.isoformat() + "~"}}
        return "", {}

    def _indexed(self, query: AuditQuery) -> dict[str, Any]:
        condition, values = self._range(query)
        filters: list[str] = []
        if query.inquiry_id:
            index, key_condition = INQUIRY_INDEX, "inquiry_id = :key"
            values[":key"] = {"S": query.inquiry_id}
            if query.actor_id:
                filters.append("actor_id = :actor")
                values[":actor"] = {"S": query.actor_id}
        else:
            index, key_condition = ACTOR_INDEX, "actor_id = :key"
            values[":key"] = {"S": query.actor_id}
        if query.action:
            filters.append("#action = :action")
            values[":action"] = {"S": query.action}
        kwargs: dict[str, Any] = {"IndexName": index, "KeyConditionExpression": key_condition + condition,
                                  "ExpressionAttributeValues": values}
        if filters:
            kwargs["FilterExpression"] = " AND ".join(filters)
        if query.action:
            kwargs["ExpressionAttributeNames"] = {"#action": "action"}
        return kwargs

    def _day(self, query: AuditQuery, day: date) -> dict[str, Any]:
        values: dict[str, Any] = {":key": {"S": day.isoformat()}}
        names = {"#day": "day"}
        kwargs: dict[str, Any] = {"KeyConditionExpression": "#day = :key", "ExpressionAttributeValues": values,
                                  "ExpressionAttributeNames": names}
        if query.action:
            kwargs["FilterExpression"] = "#action = :action"
            values[":action"] = {"S": query.action}
            names["#action"] = "action"
        return kwargs

    def _read(self, kwargs: dict[str, Any], start: dict[str, str] | None, want: int,
              found: list[dict[str, Any]]) -> dict[str, str] | None:
        """One Query page of at most ``want`` evaluated items into ``found``; the key to resume after, or None
        when the partition is done. ``Limit`` is what was still wanted, so resuming is exact."""
        request: dict[str, Any] = {"TableName": self.audit_table, "ScanIndexForward": False, "Limit": want, **kwargs}
        if start:
            request["ExclusiveStartKey"] = {k: {"S": v} for k, v in start.items()}
        with domain_errors():
            page = aws.dynamodb().query(**request)
        found.extend(entry_values(item) for item in page.get("Items", []))
        last = page.get("LastEvaluatedKey")
        return {k: v["S"] for k, v in last.items()} if last else None


def entry_values(item: dict[str, Any]) -> dict[str, Any]:
    """A stored entry as plain values (what ``care.views.audit_item`` reads)."""
    return {
        "at": item["at"]["S"],
        "actor": item["actor"]["S"],
        "actor_id": item["actor_id"]["S"],
        "action": item["action"]["S"],
        "inquiry_id": item["inquiry_id"]["S"] if "inquiry_id" in item else None,
        "reference": item["reference"]["S"] if "reference" in item else None,
        "fields": [f["S"] for f in item.get("fields", {}).get("L", [])],
        "status": item["status"]["S"] if "status" in item else None,
        "page": int(item["page"]["N"]) if "page" in item else None,
        "inquiry_ids": [i["S"] for i in item["inquiry_ids"]["L"]] if "inquiry_ids" in item else None,
        "filters": [f["S"] for f in item.get("filters", {}).get("L", [])],
        "counts": ({k: int(v["N"]) for k, v in item["counts"]["M"].items()} if "counts" in item else None),
        "reason": item["reason"]["S"] if "reason" in item else None,
        "request_id": item["request_id"]["S"] if "request_id" in item else None,
    }
