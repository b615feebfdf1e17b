"""InquiriesTable: a new inquiry with its submission guard, reads, and the dispatch-pending marker."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError

from inquiries import aws
from inquiries.data.conditional import update_if
from inquiries.data.errors import DuplicateSubmission, as_domain_error, domain_errors
from inquiries.data.items import (
    DISPATCH_PENDING,
    DISPATCH_PENDING_INDEX,
    InquiryItem,
    SubmissionGuardItem,
    guard_key,
    iso,
    plain_values,
)
from inquiries.data.lookups import lookup_puts
from inquiries.data.pages import query_pages
from inquiries.data.stats import StatsRecords
from inquiries.data.transactions import transact_write
from inquiries.record import StoredInquiry

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.type_defs import AttributeValueTypeDef, TransactWriteItemTypeDef


@dataclass(frozen=True)
class InquiryRepository:
    """Data access for inquiries. Raises ``DataUnavailable`` (or ``Throttled``), never botocore's errors."""

    inquiries_table: str
    # Only intake writes new inquiries, and with them their guards in IdempotencyTable and their lookup items
    # in InquiryLookupTable (``data.lookups``).
    idempotency_table: str | None = None
    lookup_table: str | None = None
    # And with them their contributions to the weekly counters reports read (``data.stats``), weeks in this zone.
    stats_table: str | None = None
    time_zone: str = "UTC"

    @property
    def _guards_table(self) -> str:
        if not self.idempotency_table:
            raise RuntimeError("this repository was built without the idempotency table")
        return self.idempotency_table

    def put_new(self, item: InquiryItem, guard: SubmissionGuardItem, *, now: int) -> None:
        """Store a new inquiry, its submission guard, its lookup items and its contributions to the weekly
        counters (marked ``stats_counted``, so the rebuild command never counts it again) atomically.

        Raises ``DuplicateSubmission`` when a live guard exists (an earlier attempt stored it). A guard
        past its ``expiration`` counts as gone: DynamoDB's TTL sweep can lag by a day or two.
        """
        stored, counted = self._counted(item)
        try:
            transact_write(
                [
                    {
                        "Put": {
                            "TableName": self._guards_table,
                            "Item": guard.to_item(),
                            "ConditionExpression": "attribute_not_exists(id) OR expiration < :now",
                            "ExpressionAttributeValues": {":now": {"N": str(now)}},
                        }
                    },
                    {
                        "Put": {
                            "TableName": self.inquiries_table,
                            "Item": stored,
                            "ConditionExpression": "attribute_not_exists(inquiry_id)",
                        }
                    },
                    *self._lookup_puts(item),
                    *counted,
                ]
            )
        except ClientError as exc:
            reasons = exc.response.get("CancellationReasons", [])
            guard_refused = (exc.response.get("Error", {}).get("Code") == "TransactionCanceledException"
                             and bool(reasons) and reasons[0].get("Code") == "ConditionalCheckFailed")
            if guard_refused:
                existing = self.guarded_inquiry_id(guard.guard_id, now=now)
                if existing:
                    raise DuplicateSubmission(existing) from None
            raise as_domain_error(exc) from None
        except BotoCoreError as exc:
            raise as_domain_error(exc) from None

    def _counted(self, item: InquiryItem) -> tuple[dict[str, AttributeValueTypeDef], list[TransactWriteItemTypeDef]]:
        stored = item.to_item()
        if not self.stats_table:
            return stored, []
        from inquiries.reports.contributions import contributions  # only intake counts new inquiries

        stored["stats_counted"] = {"BOOL": True}
        return stored, StatsRecords(self.stats_table).updates(contributions(plain_values(stored), self.time_zone))

    def _lookup_puts(self, item: InquiryItem) -> list[TransactWriteItemTypeDef]:
        if not item.lookup_keys:
            return []
        if not self.lookup_table:
            raise RuntimeError("this repository was built without the lookup table")
        return lookup_puts(self.lookup_table, item.inquiry_id, item.lookup_keys, item.ttl)

    def guarded_inquiry_id(self, guard_id: str, *, now: int) -> str | None:
        """The inquiry stored under a live (unexpired) submission guard, if any."""
        with domain_errors():
            resp = aws.dynamodb().get_item(TableName=self._guards_table, Key=guard_key(guard_id),
                                           ConsistentRead=True)
        item = resp.get("Item")
        if not item or "inquiry_id" not in item:
            return None
        guard = SubmissionGuardItem.from_item(item)
        return None if guard.expiration < now else guard.inquiry_id

    def clear_dispatch_pending(self, inquiry_id: str, pending_since: str) -> bool:
        """Remove the dispatch-pending marker set at ``pending_since``. False if it was already gone."""
        return update_if(
            TableName=self.inquiries_table,
            Key={"inquiry_id": {"S": inquiry_id}},
            UpdateExpression="REMOVE dispatch_state, dispatch_pending_since",
            ConditionExpression="dispatch_pending_since = :since",
            ExpressionAttributeValues={":since": {"S": pending_since}},
        )

    def dispatch_pending(self, older_than: datetime, limit: int = 500) -> Iterator[tuple[str, str]]:
        """(inquiry_id, pending_since) of inquiries still pending dispatch since before ``older_than``."""
        kwargs: dict[str, Any] = {
            "TableName": self.inquiries_table,
            "IndexName": DISPATCH_PENDING_INDEX,
            "KeyConditionExpression": "dispatch_state = :pending AND dispatch_pending_since < :cutoff",
            "ExpressionAttributeValues": {":pending": {"S": DISPATCH_PENDING}, ":cutoff": {"S": iso(older_than)}},
        }
        seen = 0
        for page in query_pages(aws.dynamodb(), kwargs, domain=True):
            for item in page.get("Items", []):
                yield item["inquiry_id"]["S"], item["dispatch_pending_since"]["S"]
                seen += 1
                if seen >= limit:
                    return

    def get_values(self, inquiry_id: str) -> dict[str, Any] | None:
        """The whole item as plain values (delivery attributes included), or None."""
        with domain_errors():
            resp = aws.dynamodb().get_item(
                TableName=self.inquiries_table, Key={"inquiry_id": {"S": inquiry_id}}, ConsistentRead=True
            )
        item = resp.get("Item")
        return plain_values(item) if item else None

    def get(self, inquiry_id: str) -> StoredInquiry | None:
        """The stored inquiry, or None when there is no such id. Raises ``UnreadableRecord`` if unreadable."""
        values = self.get_values(inquiry_id)
        return StoredInquiry.from_values(values) if values else None
