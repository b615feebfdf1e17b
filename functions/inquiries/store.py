"""Where inquiries are kept: the only module that knows DynamoDB item shapes.

InquiriesTable item (key ``inquiry_id``, a ULID):
    created_at, status, name, email, email_hash, phone, preferred_contact, topic, message,
    consent_to_contact, sms_consent, referral_source, urgent, spam, ttl,
    triage_categories + triage_rules  (urgent only: triage category codes and rule ids, never words),
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
from decimal import Decimal
from enum import StrEnum
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
        if isinstance(plain, Decimal):
            plain = int(plain) if plain == plain.to_integral_value() else float(plain)
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
    def put_new(self, record: dict[str, Any], *, guard_id: str, guard_expires_at: int, now: int) -> None:
        """Store a new inquiry and its submission guard atomically.

        Raises ``DuplicateSubmission`` when a live guard exists (an earlier attempt stored it). A guard
        past its ``expiration`` counts as gone: DynamoDB's TTL sweep can lag by a day or two.
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
                            "ConditionExpression": "attribute_not_exists(id) OR expiration < :now",
                            "ExpressionAttributeValues": {":now": {"N": str(now)}},
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
                existing = self.guarded_inquiry_id(guard_id, now=now)
                if existing:
                    raise DuplicateSubmission(existing) from None
            raise

    def guarded_inquiry_id(self, guard_id: str, *, now: int) -> str | None:
        """The inquiry stored under a live (unexpired) submission guard, if any."""
        resp = aws.dynamodb().get_item(
            TableName=self.settings.idempotency_table,
            Key={"id": {"S": GUARD_PREFIX + guard_id}},
            ConsistentRead=True,
        )
        item = resp.get("Item")
        if not item or "inquiry_id" not in item or int(item["expiration"]["N"]) < now:
            return None
        return item["inquiry_id"]["S"]

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


# ---- delivery: the consumers' notes on an inquiry ---------------------------------------------------------
class DeliveryStep(StrEnum):
    """One thing sent once per inquiry. Its value prefixes the attributes that track it."""

    CONFIRMATION = "confirmation"
    CARE_TEAM = "care_team"
    CARE_TEAM_CHAT = "care_team_chat"


# The attribute that says "this step is done"; the first two are fields of StoredInquiry.
_SENT_ATTRIBUTE: dict[DeliveryStep, str] = {
    DeliveryStep.CONFIRMATION: "confirmation_sent_at",
    DeliveryStep.CARE_TEAM: "care_team_notified_at",
    DeliveryStep.CARE_TEAM_CHAT: "care_team_chat_sent_at",
}


class ClaimOutcome(StrEnum):
    """What happened when a consumer tried to take a step for an inquiry."""

    CLAIMED = "claimed"  # this consumer may send now
    ALREADY_SENT = "already_sent"  # done before: send nothing
    ALREADY_FAILED = "already_failed"  # failed permanently before: send nothing
    HELD = "held"  # another consumer holds a live lease: its outcome is not known yet
    UNKNOWN_INQUIRY = "unknown_inquiry"  # no such record (never stored, or erased)
    SPAM = "spam"  # flagged as spam: nobody is emailed or notified


@dataclass(frozen=True)
class DeliveryRecords:
    """The consumers' data access: claim a step, then record it sent or failed.

    Per step the record carries ``<sent attribute>`` (e.g. ``confirmation_sent_at``), a lease
    (``<step>_claim_token`` and ``<step>_claim_expires_ms``) and, after a permanent failure,
    ``<step>_failed_at`` and ``<step>_failed_reason`` (a fixed code, never PHI). Every write is
    conditional on the record existing, so an erased inquiry is never brought back as a stub.
    """

    settings: Settings

    @property
    def _table(self) -> str:
        return self.settings.inquiries_table

    @staticmethod
    def sent_attribute(step: DeliveryStep) -> str:
        """The attribute that records ``step`` as done."""
        return _SENT_ATTRIBUTE[step]

    def claim(self, inquiry_id: str, step: DeliveryStep, token: str, now: datetime) -> ClaimOutcome:
        """Take a lease of ``delivery_lease_seconds`` on ``step``, unless it is done, failed, held or spam."""
        now_ms = int(now.timestamp() * 1000)
        try:
            aws.dynamodb().update_item(
                TableName=self._table,
                Key={"inquiry_id": {"S": inquiry_id}},
                UpdateExpression="SET #token = :token, #expires = :expires",
                ConditionExpression=(
                    "attribute_exists(inquiry_id) AND attribute_not_exists(#sent) AND attribute_not_exists(#failed)"
                    " AND (attribute_not_exists(spam) OR spam = :false)"
                    " AND (attribute_not_exists(#status) OR #status <> :spam)"
                    " AND (attribute_not_exists(#expires) OR #expires < :now)"
                ),
                ExpressionAttributeNames={
                    "#token": f"{step}_claim_token",
                    "#expires": f"{step}_claim_expires_ms",
                    "#sent": _SENT_ATTRIBUTE[step],
                    "#failed": f"{step}_failed_at",
                    "#status": "status",
                },
                ExpressionAttributeValues={
                    ":token": {"S": token},
                    ":expires": {"N": str(now_ms + self.settings.delivery_lease_seconds * 1000)},
                    ":now": {"N": str(now_ms)},
                    ":false": {"BOOL": False},
                    ":spam": {"S": InquiryStatus.SPAM.value},
                },
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
            return self._why_not_claimable(inquiry_id, step, now_ms)
        return ClaimOutcome.CLAIMED

    def _why_not_claimable(self, inquiry_id: str, step: DeliveryStep, now_ms: int) -> ClaimOutcome:
        resp = aws.dynamodb().get_item(
            TableName=self._table,
            Key={"inquiry_id": {"S": inquiry_id}},
            ConsistentRead=True,
            ProjectionExpression="inquiry_id, spam, #status, #sent, #failed, #expires",
            ExpressionAttributeNames={
                "#status": "status",
                "#sent": _SENT_ATTRIBUTE[step],
                "#failed": f"{step}_failed_at",
                "#expires": f"{step}_claim_expires_ms",
            },
        )
        item = resp.get("Item")
        if not item:
            return ClaimOutcome.UNKNOWN_INQUIRY
        values = from_item(item)
        if values.get("spam") is True or values.get("status") == InquiryStatus.SPAM.value:
            return ClaimOutcome.SPAM
        if _SENT_ATTRIBUTE[step] in values:
            return ClaimOutcome.ALREADY_SENT
        if f"{step}_failed_at" in values:
            return ClaimOutcome.ALREADY_FAILED
        return ClaimOutcome.HELD

    def mark_sent(self, inquiry_id: str, step: DeliveryStep, now: datetime,
                  notes: dict[str, str] | None = None) -> None:
        """Record ``step`` as done (the first time wins) and drop the lease. ``notes`` must hold no PHI."""
        names = {"#sent": _SENT_ATTRIBUTE[step], "#token": f"{step}_claim_token",
                 "#expires": f"{step}_claim_expires_ms"}
        values: dict[str, AttributeValueTypeDef] = {":now": {"S": iso(now)}}
        sets = ["#sent = if_not_exists(#sent, :now)"]
        for i, (key, value) in enumerate(sorted((notes or {}).items())):
            names[f"#n{i}"] = key
            values[f":n{i}"] = {"S": value}
            sets.append(f"#n{i} = :n{i}")
        try:
            aws.dynamodb().update_item(
                TableName=self._table,
                Key={"inquiry_id": {"S": inquiry_id}},
                UpdateExpression=f"SET {', '.join(sets)} REMOVE #token, #expires",
                ConditionExpression="attribute_exists(inquiry_id)",
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=values,
            )
        except ClientError as exc:
            # Erased while we were sending: nothing is left to record it on.
            if exc.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise

    def mark_failed(self, inquiry_id: str, step: DeliveryStep, reason: str, now: datetime) -> None:
        """Record a permanent failure of ``step`` with a fixed, PHI-free ``reason`` code; drop the lease."""
        try:
            aws.dynamodb().update_item(
                TableName=self._table,
                Key={"inquiry_id": {"S": inquiry_id}},
                UpdateExpression="SET #failed = :now, #reason = :reason REMOVE #token, #expires",
                ConditionExpression="attribute_exists(inquiry_id) AND attribute_not_exists(#sent)",
                ExpressionAttributeNames={
                    "#failed": f"{step}_failed_at",
                    "#reason": f"{step}_failed_reason",
                    "#sent": _SENT_ATTRIBUTE[step],
                    "#token": f"{step}_claim_token",
                    "#expires": f"{step}_claim_expires_ms",
                },
                ExpressionAttributeValues={":now": {"S": iso(now)}, ":reason": {"S": reason}},
            )
        except ClientError as exc:
            # Gone (erased) or sent meanwhile by another consumer: nothing left to record.
            if exc.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise

    def release(self, inquiry_id: str, step: DeliveryStep, token: str) -> None:
        """Give up this consumer's lease (after a transient failure) so a retry need not wait for it."""
        try:
            aws.dynamodb().update_item(
                TableName=self._table,
                Key={"inquiry_id": {"S": inquiry_id}},
                UpdateExpression="REMOVE #token, #expires",
                ConditionExpression="#token = :token",
                ExpressionAttributeNames={"#token": f"{step}_claim_token", "#expires": f"{step}_claim_expires_ms"},
                ExpressionAttributeValues={":token": {"S": token}},
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
