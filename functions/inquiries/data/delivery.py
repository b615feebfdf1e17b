"""The consumers' notes on an inquiry: claim a step, then record it sent or failed.

Per step the inquiry carries the step's sent marker (e.g. ``confirmation_sent_at``), a lease
(``<step>_claim_token`` and ``<step>_claim_expires_ms``) and, after a permanent failure,
``<step>_failed_at`` and ``<step>_failed_reason`` (a fixed code, never PHI); see ``DeliveryStep``.
Every write is conditional on the record existing, so an erased inquiry is never brought back as a stub.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from inquiries import aws
from inquiries.data.conditional import update_if
from inquiries.data.errors import domain_errors
from inquiries.data.items import DeliveryStep, iso, plain_values
from inquiries.record import InquiryStatus

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.type_defs import AttributeValueTypeDef


class ClaimOutcome(StrEnum):
    """What happened when a consumer tried to take a step for an inquiry."""

    CLAIMED = "claimed"  # this consumer may send now
    ALREADY_SENT = "already_sent"  # done before: send nothing
    ALREADY_FAILED = "already_failed"  # failed permanently before: send nothing
    HELD = "held"  # another consumer holds a live lease: its outcome is not known yet
    UNKNOWN_INQUIRY = "unknown_inquiry"  # no such record (never stored, or erased)
    SPAM = "spam"  # flagged as spam: nobody is emailed or notified


@dataclass(frozen=True)
class DeliveryLeases:
    """Leases on the sends of InquiriesTable's inquiries. Raises ``DataUnavailable``, never botocore's errors."""

    inquiries_table: str
    lease_seconds: int

    def claim(self, inquiry_id: str, step: DeliveryStep, token: str, now: datetime) -> ClaimOutcome:
        """Take a lease of ``lease_seconds`` on ``step``, unless it is done, failed, held or spam."""
        now_ms = int(now.timestamp() * 1000)
        claimed = update_if(
            TableName=self.inquiries_table,
            Key={"inquiry_id": {"S": inquiry_id}},
            UpdateExpression="SET #token = :token, #expires = :expires",
            ConditionExpression=(
                "attribute_exists(inquiry_id) AND attribute_not_exists(#sent) AND attribute_not_exists(#failed)"
                " AND (attribute_not_exists(spam) OR spam = :false)"
                " AND (attribute_not_exists(#status) OR #status <> :spam)"
                " AND (attribute_not_exists(#expires) OR #expires < :now)"
            ),
            ExpressionAttributeNames={
                "#token": step.token_attribute,
                "#expires": step.expires_attribute,
                "#sent": step.sent_attribute,
                "#failed": step.failed_attribute,
                "#status": "status",
            },
            ExpressionAttributeValues={
                ":token": {"S": token},
                ":expires": {"N": str(now_ms + self.lease_seconds * 1000)},
                ":now": {"N": str(now_ms)},
                ":false": {"BOOL": False},
                ":spam": {"S": InquiryStatus.SPAM.value},
            },
        )
        return ClaimOutcome.CLAIMED if claimed else self._why_not_claimable(inquiry_id, step)

    def _why_not_claimable(self, inquiry_id: str, step: DeliveryStep) -> ClaimOutcome:
        with domain_errors():
            resp = aws.dynamodb().get_item(
                TableName=self.inquiries_table,
                Key={"inquiry_id": {"S": inquiry_id}},
                ConsistentRead=True,
                ProjectionExpression="inquiry_id, spam, #status, #sent, #failed",
                ExpressionAttributeNames={"#status": "status", "#sent": step.sent_attribute,
                                          "#failed": step.failed_attribute},
            )
        item = resp.get("Item")
        if not item:
            return ClaimOutcome.UNKNOWN_INQUIRY
        values = plain_values(item)
        if values.get("spam") is True or values.get("status") == InquiryStatus.SPAM.value:
            return ClaimOutcome.SPAM
        if step.sent_attribute in values:
            return ClaimOutcome.ALREADY_SENT
        if step.failed_attribute in values:
            return ClaimOutcome.ALREADY_FAILED
        return ClaimOutcome.HELD

    def mark_sent(self, inquiry_id: str, step: DeliveryStep, now: datetime,
                  notes: dict[str, str] | None = None) -> None:
        """Record ``step`` as done (the first time wins) and drop the lease. ``notes`` must hold no PHI.

        An inquiry erased while we were sending is left erased: nothing is recorded.
        """
        names = {"#sent": step.sent_attribute, "#token": step.token_attribute, "#expires": step.expires_attribute}
        values: dict[str, AttributeValueTypeDef] = {":now": {"S": iso(now)}}
        sets = ["#sent = if_not_exists(#sent, :now)"]
        for i, (key, value) in enumerate(sorted((notes or {}).items())):
            names[f"#n{i}"] = key
            values[f":n{i}"] = {"S": value}
            sets.append(f"#n{i} = :n{i}")
        update_if(
            TableName=self.inquiries_table,
            Key={"inquiry_id": {"S": inquiry_id}},
            UpdateExpression=f"SET {', '.join(sets)} REMOVE #token, #expires",
            ConditionExpression="attribute_exists(inquiry_id)",
            ExpressionAttributeNames=names,
            ExpressionAttributeValues=values,
        )

    def mark_failed(self, inquiry_id: str, step: DeliveryStep, reason: str, now: datetime) -> None:
        """Record a permanent failure of ``step`` with a fixed, PHI-free ``reason`` code; drop the lease.

        Nothing is recorded when the inquiry is gone (erased) or was sent meanwhile by another consumer.
        """
        update_if(
            TableName=self.inquiries_table,
            Key={"inquiry_id": {"S": inquiry_id}},
            UpdateExpression="SET #failed = :now, #reason = :reason REMOVE #token, #expires",
            ConditionExpression="attribute_exists(inquiry_id) AND attribute_not_exists(#sent)",
            ExpressionAttributeNames={
                "#failed": step.failed_attribute,
                "#reason": step.failed_reason_attribute,
                "#sent": step.sent_attribute,
                "#token": step.token_attribute,
                "#expires": step.expires_attribute,
            },
            ExpressionAttributeValues={":now": {"S": iso(now)}, ":reason": {"S": reason}},
        )

    def release(self, inquiry_id: str, step: DeliveryStep, token: str) -> None:
        """Give up this consumer's lease (after a transient failure) so a retry need not wait for it."""
        update_if(
            TableName=self.inquiries_table,
            Key={"inquiry_id": {"S": inquiry_id}},
            UpdateExpression="REMOVE #token, #expires",
            ConditionExpression="#token = :token",
            ExpressionAttributeNames={"#token": step.token_attribute, "#expires": step.expires_attribute},
            ExpressionAttributeValues={":token": {"S": token}},
        )
