"""Where inquiries are kept: the only module that knows DynamoDB item shapes.

InquiriesTable item (key ``inquiry_id``, a ULID):
    created_at, status, name, email, email_hash, phone, preferred_contact, topic, message,
    consent_to_contact, sms_consent, referral_source, urgent, spam, ttl,
    dispatch_state + dispatch_pending_since  (sparse "dispatch pending" marker, DispatchPendingIndex),
    confirmation_sent_at, care_team_notified_at, and delivery notes added by the consumers.

IdempotencyTable also holds one guard item per submission (id ``submission#<hex>``) written in the
same transaction as the inquiry, so a crash after the write can never make a retry store it twice.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError

from inquiries import aws
from inquiries.models import InquiryStatus, StoredInquiry
from inquiries.settings import Settings

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.type_defs import AttributeValueTypeDef

DISPATCH_PENDING = "pending"
STATUS_INDEX = "StatusIndex"
DISPATCH_PENDING_INDEX = "DispatchPendingIndex"
EMAIL_HASH_INDEX = "EmailHashIndex"
GUARD_PREFIX = "submission#"

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()


def to_item(values: dict[str, Any]) -> dict[str, AttributeValueTypeDef]:
    """Plain values to a DynamoDB item (None values are left out)."""
    return {k: _serializer.serialize(v) for k, v in values.items() if v is not None}


def from_item(item: dict[str, Any]) -> dict[str, Any]:
    """A DynamoDB item to plain values (numbers become int where whole)."""
    out: dict[str, Any] = {}
    for key, value in item.items():
        plain = _deserializer.deserialize(value)
        if hasattr(plain, "as_integer_ratio") and not isinstance(plain, bool | int | float):
            plain = int(plain) if plain == int(plain) else float(plain)
        out[key] = plain
    return out


def iso(ts: datetime) -> str:
    """UTC ISO-8601 with milliseconds and a Z (sorts lexically in time order)."""
    return ts.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{ts.microsecond // 1000:03d}Z"


def email_hash(email: str) -> str:
    """A stable, non-reversible-at-a-glance key for one person's address (erasure, rate limits)."""
    return hashlib.sha256(email.strip().lower().encode("utf-8")).hexdigest()


class DuplicateSubmission(Exception):
    """The guard for this submission already exists: it was stored before (``inquiry_id``)."""

    def __init__(self, inquiry_id: str) -> None:
        super().__init__("submission already stored")
        self.inquiry_id = inquiry_id


@dataclass(frozen=True)
class InquiryStore:
    """Data access for inquiries."""

    settings: Settings

    @property
    def _table(self) -> str:
        return self.settings.inquiries_table

    # ---- intake ----------------------------------------------------------------------------------------
    def put_new(self, record: dict[str, Any], *, guard_id: str, guard_expires_at: int) -> None:
        """Store a new inquiry and its submission guard atomically.

        Raises ``DuplicateSubmission`` when the guard exists (an earlier attempt stored it).
        """
        try:
            aws.dynamodb().transact_write_items(
                TransactItems=[
                    {
                        "Put": {
                            "TableName": self.settings.idempotency_table,
                            "Item": to_item({
                                "id": GUARD_PREFIX + guard_id,
                                "inquiry_id": record["inquiry_id"],
                                "expiration": guard_expires_at,
                            }),
                            "ConditionExpression": "attribute_not_exists(id)",
                        }
                    },
                    {
                        "Put": {
                            "TableName": self._table,
                            "Item": to_item(record),
                            "ConditionExpression": "attribute_not_exists(inquiry_id)",
                        }
                    },
                ]
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "TransactionCanceledException":
                raise
            reasons = exc.response.get("CancellationReasons", [])
            if reasons and reasons[0].get("Code") == "ConditionalCheckFailed":
                existing = self.guarded_inquiry_id(guard_id)
                if existing:
                    raise DuplicateSubmission(existing) from None
            raise

    def guarded_inquiry_id(self, guard_id: str) -> str | None:
        """The inquiry stored under a submission guard, if any."""
        resp = aws.dynamodb().get_item(
            TableName=self.settings.idempotency_table,
            Key={"id": {"S": GUARD_PREFIX + guard_id}},
            ConsistentRead=True,
        )
        item = resp.get("Item")
        return item["inquiry_id"]["S"] if item and "inquiry_id" in item else None

    def clear_dispatch_pending(self, inquiry_id: str, pending_since: str) -> bool:
        """Remove the dispatch-pending marker set at ``pending_since``. False if it was already gone."""
        try:
            aws.dynamodb().update_item(
                TableName=self._table,
                Key={"inquiry_id": {"S": inquiry_id}},
                UpdateExpression="REMOVE dispatch_state, dispatch_pending_since",
                ConditionExpression="dispatch_pending_since = :since",
                ExpressionAttributeValues={":since": {"S": pending_since}},
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def dispatch_pending(self, older_than: datetime, limit: int = 500) -> Iterator[tuple[str, str]]:
        """(inquiry_id, pending_since) of inquiries still pending dispatch since before ``older_than``."""
        kwargs: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": DISPATCH_PENDING_INDEX,
            "KeyConditionExpression": "dispatch_state = :pending AND dispatch_pending_since < :cutoff",
            "ExpressionAttributeValues": {":pending": {"S": DISPATCH_PENDING}, ":cutoff": {"S": iso(older_than)}},
        }
        seen = 0
        while True:
            page = aws.dynamodb().query(**kwargs)
            for item in page.get("Items", []):
                yield item["inquiry_id"]["S"], item["dispatch_pending_since"]["S"]
                seen += 1
                if seen >= limit:
                    return
            if "LastEvaluatedKey" not in page:
                return
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    # ---- reading ---------------------------------------------------------------------------------------
    def get_raw(self, inquiry_id: str) -> dict[str, Any] | None:
        """The whole item as plain values, or None."""
        resp = aws.dynamodb().get_item(
            TableName=self._table, Key={"inquiry_id": {"S": inquiry_id}}, ConsistentRead=True
        )
        item = resp.get("Item")
        return from_item(item) if item else None

    def get(self, inquiry_id: str) -> StoredInquiry | None:
        """The stored inquiry, or None when there is no such id."""
        raw = self.get_raw(inquiry_id)
        return StoredInquiry.model_validate(raw) if raw else None

    def list_by_status(self, status: InquiryStatus, limit: int = 50) -> list[dict[str, Any]]:
        """The care team's list: newest first, with the projected non-PHI attributes only."""
        resp = aws.dynamodb().query(
            TableName=self._table,
            IndexName=STATUS_INDEX,
            KeyConditionExpression="#s = :status",
            ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues={":status": {"S": status.value}},
            ScanIndexForward=False,
            Limit=limit,
        )
        return [from_item(item) for item in resp.get("Items", [])]
