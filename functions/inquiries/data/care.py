"""The care team's data access to InquiriesTable: the list by status, one inquiry, versioned changes.

Self-contained (its own serializer and exceptions) so it sits beside the rest of the data layer.

Item attributes this module adds to an inquiry: ``version`` (a number, 1 at intake, +1 per change),
``assignee``, ``notes`` (list of {at, actor, text}), ``history`` (list of {at, actor, action, from?,
to?}), ``updated_at``, ``first_contact_at``, ``released_at`` and ``last_reminded_at``.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError

from inquiries import aws
from inquiries.settings import Settings

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.type_defs import AttributeValueTypeDef, TransactWriteItemTypeDef

STATUS_INDEX = "StatusIndex"
DISPATCH_PENDING = "pending"
# What the StatusIndex projects besides its keys (template.yaml): never message, email or phone.
LIST_ATTRIBUTES = ("inquiry_id", "status", "created_at", "name", "assignee", "due_at", "version", "topic",
                   "urgent", "preferred_contact")
_CURSOR_KEYS = frozenset({"inquiry_id", "status", "created_at"})

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()


class InquiryNotFound(Exception):
    """No inquiry has this id."""


class VersionConflict(Exception):
    """The inquiry changed since the version the caller read (or its status no longer allows this)."""


class InvalidCursor(Exception):
    """A paging cursor this module did not hand out for this list."""


def _plain(item: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in item.items():
        out[key] = _from_decimal(_deserializer.deserialize(value))
    return out


def _from_decimal(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, list):
        return [_from_decimal(v) for v in value]
    if isinstance(value, dict):
        return {k: _from_decimal(v) for k, v in value.items()}
    return value


def _value(value: Any) -> AttributeValueTypeDef:
    return _serializer.serialize(value)


def encode_cursor(last_key: Mapping[str, Any]) -> str:
    """An opaque cursor for the page after ``last_key`` (the index's LastEvaluatedKey)."""
    plain = {k: _deserializer.deserialize(v) for k, v in last_key.items()}
    raw = json.dumps(plain, sort_keys=True, separators=(",", ":")).encode("utf-8")
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode_cursor(cursor: str, status: str) -> dict[str, AttributeValueTypeDef]:
    """The ExclusiveStartKey a cursor stands for. Raises ``InvalidCursor`` unless it is one of ours for
    this status."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        plain = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
    except (ValueError, binascii.Error, UnicodeError):
        raise InvalidCursor("unreadable cursor") from None
    if (not isinstance(plain, dict) or set(plain) != _CURSOR_KEYS
            or not all(isinstance(v, str) and v for v in plain.values()) or plain["status"] != status):
        raise InvalidCursor("not a cursor of this list")
    return {k: {"S": v} for k, v in plain.items()}


@dataclass(frozen=True)
class CarePage:
    """One page of a status list: list attributes only, newest first."""

    items: list[dict[str, Any]]
    next_cursor: str | None


@dataclass(frozen=True)
class CareRecords:
    """Reads and versioned writes of inquiries for the care team."""

    settings: Settings

    @property
    def _table(self) -> str:
        return self.settings.inquiries_table

    def list_by_status(self, status: str, limit: int, cursor: str | None = None) -> CarePage:
        """Inquiries in ``status``, newest first, from StatusIndex (never a Scan)."""
        kwargs: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": STATUS_INDEX,
            "KeyConditionExpression": "#s = :status",
            "ExpressionAttributeNames": {"#s": "status"},
            "ExpressionAttributeValues": {":status": {"S": status}},
            "ScanIndexForward": False,
            "Limit": limit,
        }
        if cursor:
            kwargs["ExclusiveStartKey"] = decode_cursor(cursor, status)
        page = aws.dynamodb().query(**kwargs)
        last = page.get("LastEvaluatedKey")
        items = [{k: v for k, v in _plain(item).items() if k in LIST_ATTRIBUTES} for item in page.get("Items", [])]
        return CarePage(items=items, next_cursor=encode_cursor(last) if last else None)

    def new_past_due(self, now_iso: str) -> Iterator[dict[str, Any]]:
        """Inquiries still ``new`` whose ``due_at`` has passed (StatusIndex, oldest first)."""
        kwargs: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": STATUS_INDEX,
            "KeyConditionExpression": "#s = :new",
            "FilterExpression": "due_at < :now",
            "ExpressionAttributeNames": {"#s": "status"},
            "ExpressionAttributeValues": {":new": {"S": "new"}, ":now": {"S": now_iso}},
        }
        while True:
            page = aws.dynamodb().query(**kwargs)
            for item in page.get("Items", []):
                yield _plain(item)
            if "LastEvaluatedKey" not in page:
                return
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def get(self, inquiry_id: str) -> dict[str, Any] | None:
        """The whole inquiry as plain values (consistent read), or None."""
        resp = aws.dynamodb().get_item(TableName=self._table, Key={"inquiry_id": {"S": inquiry_id}},
                                       ConsistentRead=True)
        item = resp.get("Item")
        return _plain(item) if item else None

    def apply_change(
        self,
        inquiry_id: str,
        expected_version: int,
        *,
        sets: Mapping[str, Any],
        removes: tuple[str, ...] = (),
        append: Mapping[str, list[dict[str, Any]]] | None = None,
        also: list[TransactWriteItemTypeDef] | None = None,
    ) -> None:
        """Write one change if the inquiry is still at ``expected_version``; bump the version.

        ``sets`` are attributes to set, ``removes`` to remove, ``append`` lists to extend (notes,
        history). ``also`` are writes that
        must happen together with it (the audit entry), in one transaction. Raises ``VersionConflict``
        when the inquiry moved on, ``InquiryNotFound`` when it is gone.
        """
        names: dict[str, str] = {"#version": "version"}
        values: dict[str, AttributeValueTypeDef] = {":expected": {"N": str(expected_version)},
                                                   ":next": {"N": str(expected_version + 1)}}
        clauses = ["#version = :next"]
        for i, (name, value) in enumerate(sorted(sets.items())):
            names[f"#s{i}"] = name
            values[f":s{i}"] = _value(value)
            clauses.append(f"#s{i} = :s{i}")
        for i, (name, entries) in enumerate(sorted((append or {}).items())):
            if not entries:
                continue
            names[f"#a{i}"] = name
            values[f":a{i}"] = _value(entries)
            values[":empty"] = {"L": []}
            clauses.append(f"#a{i} = list_append(if_not_exists(#a{i}, :empty), :a{i})")
        expression = "SET " + ", ".join(clauses)
        if removes:
            for i, name in enumerate(removes):
                names[f"#r{i}"] = name
            expression += " REMOVE " + ", ".join(f"#r{i}" for i in range(len(removes)))
        # Records stored before versions existed count as version 1.
        condition = "attribute_exists(inquiry_id) AND "
        condition += ("(attribute_not_exists(#version) OR #version = :expected)" if expected_version == 1
                      else "#version = :expected")
        update: TransactWriteItemTypeDef = {"Update": {
            "TableName": self._table,
            "Key": {"inquiry_id": {"S": inquiry_id}},
            "UpdateExpression": expression,
            "ConditionExpression": condition,
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": values,
        }}
        try:
            aws.dynamodb().transact_write_items(TransactItems=[update, *(also or [])])
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "TransactionCanceledException":
                raise
            reasons = exc.response.get("CancellationReasons", [])
            if reasons and reasons[0].get("Code") == "ConditionalCheckFailed":
                if self.get(inquiry_id) is None:
                    raise InquiryNotFound(inquiry_id) from None
                raise VersionConflict(inquiry_id) from None
            raise

    def clear_dispatch_pending(self, inquiry_id: str, pending_since: str) -> None:
        """Remove the dispatch-pending marker set at ``pending_since`` (gone already is fine)."""
        try:
            aws.dynamodb().update_item(
                TableName=self._table,
                Key={"inquiry_id": {"S": inquiry_id}},
                UpdateExpression="REMOVE dispatch_state, dispatch_pending_since",
                ConditionExpression="dispatch_pending_since = :since",
                ExpressionAttributeValues={":since": {"S": pending_since}},
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise

    def claim_reminder(self, inquiry_id: str, now_iso: str, not_since_iso: str) -> str | None:
        """Record a reminder at ``now_iso`` unless one was sent after ``not_since_iso`` or the inquiry left
        ``new``. Returns the previous ``last_reminded_at`` ("" for none), or None when not claimed."""
        try:
            resp = aws.dynamodb().update_item(
                TableName=self._table,
                Key={"inquiry_id": {"S": inquiry_id}},
                UpdateExpression="SET last_reminded_at = :now",
                ConditionExpression=("#s = :new AND (attribute_not_exists(last_reminded_at)"
                                     " OR last_reminded_at <= :since)"),
                ExpressionAttributeNames={"#s": "status"},
                ExpressionAttributeValues={":now": {"S": now_iso}, ":new": {"S": "new"},
                                           ":since": {"S": not_since_iso}},
                ReturnValues="UPDATED_OLD",
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return None
            raise
        old = resp.get("Attributes", {}).get("last_reminded_at")
        return old["S"] if old and "S" in old else ""

    def unclaim_reminder(self, inquiry_id: str, claimed_iso: str, previous_iso: str) -> None:
        """Undo ``claim_reminder`` (the reminder could not be sent), so the next run tries again."""
        expression = "SET last_reminded_at = :prev" if previous_iso else "REMOVE last_reminded_at"
        values: dict[str, AttributeValueTypeDef] = {":mine": {"S": claimed_iso}}
        if previous_iso:
            values[":prev"] = {"S": previous_iso}
        try:
            aws.dynamodb().update_item(
                TableName=self._table,
                Key={"inquiry_id": {"S": inquiry_id}},
                UpdateExpression=expression,
                ConditionExpression="last_reminded_at = :mine",
                ExpressionAttributeValues=values,
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
