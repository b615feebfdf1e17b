"""In-memory stand-ins for what intake talks to, for unit tests of its decisions (no moto, no AWS).

Each keeps the one rule of the real thing that intake relies on: the inquiries fake refuses a second
live guard for one submission, the counters refuse a count past the limit, the persistence layer
refuses a second live record for one idempotency key.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from aws_lambda_powertools.utilities.idempotency.exceptions import (
    IdempotencyItemAlreadyExistsError,
    IdempotencyItemNotFoundError,
)
from aws_lambda_powertools.utilities.idempotency.persistence.base import BasePersistenceLayer
from aws_lambda_powertools.utilities.idempotency.persistence.datarecord import DataRecord
from inquiries.data.errors import DataUnavailable, DuplicateSubmission
from inquiries.data.items import InquiryItem, SubmissionGuardItem, iso
from inquiries.intake.dispatch import DispatchFailed


@dataclass
class InMemoryInquiries:
    """InquiriesTable and the submission guards, as dicts."""

    items: dict[str, InquiryItem] = field(default_factory=dict)
    guards: dict[str, SubmissionGuardItem] = field(default_factory=dict)
    fail_clearing: bool = False

    def put_new(self, item: InquiryItem, guard: SubmissionGuardItem, *, now: int) -> None:
        """Store both, unless a live guard names an inquiry stored before."""
        existing = self.guards.get(guard.guard_id)
        if existing is not None and existing.expiration >= now:
            raise DuplicateSubmission(existing.inquiry_id)
        self.guards[guard.guard_id] = guard
        self.items[item.inquiry_id] = item

    def get_values(self, inquiry_id: str) -> dict[str, Any] | None:
        """The stored item's values, or None."""
        item = self.items.get(inquiry_id)
        return None if item is None else {k: v for k, v in vars(item).items() if v is not None}

    def clear_dispatch_pending(self, inquiry_id: str, pending_since: str) -> bool:
        """Drop the marker set at ``pending_since``; raise ``DataUnavailable`` when told to fail."""
        if self.fail_clearing:
            raise DataUnavailable("ProvisionedThroughputExceededException")
        item = self.items.get(inquiry_id)
        if item is None or item.dispatch_pending_since != pending_since:
            return False
        self.items[inquiry_id] = InquiryItem(**{**vars(item), "dispatch_state": None, "dispatch_pending_since": None})
        return True

    def dispatch_pending(self, older_than: datetime, limit: int = 500) -> Iterator[tuple[str, str]]:
        """(inquiry_id, pending_since) of marked inquiries older than ``older_than``."""
        cutoff = iso(older_than)
        pending = sorted((i.inquiry_id, i.dispatch_pending_since) for i in self.items.values()
                         if i.dispatch_pending_since is not None and i.dispatch_pending_since < cutoff)
        yield from pending[:limit]

    def pending(self) -> list[str]:
        """Ids still carrying the dispatch-pending marker."""
        return sorted(i.inquiry_id for i in self.items.values() if i.dispatch_state is not None)


@dataclass
class RecordingDispatcher:
    """Remembers each inquiry sent; fails the next ``failures`` sends."""

    sent: list[str] = field(default_factory=list)
    failures: int = 0

    def send(self, inquiry_id: str) -> None:
        """Send, or raise ``DispatchFailed`` while failures are left."""
        if self.failures:
            self.failures -= 1
            raise DispatchFailed("ThrottlingException")
        self.sent.append(inquiry_id)


@dataclass
class InMemoryCounters:
    """RateLimitTable's counters: one count per (scope, key, window)."""

    hits: dict[tuple[str, str, int], int] = field(default_factory=dict)

    def count_within(self, scope: str, hashed_key: str, *, limit: int, window_start: int,
                     window_end: int) -> bool:
        """Add one unless the counter has reached ``limit``."""
        key = (scope, hashed_key, window_start)
        if self.hits.get(key, 0) >= limit:
            return False
        self.hits[key] = self.hits.get(key, 0) + 1
        return True


class InMemoryPersistence(BasePersistenceLayer):
    """Powertools' idempotency records in a dict, with DynamoDB's put condition."""

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]  # Powertools leaves it unannotated
        self.records: dict[str, DataRecord] = {}

    def _get_record(self, idempotency_key: str) -> DataRecord:
        try:
            return self.records[idempotency_key]
        except KeyError:
            raise IdempotencyItemNotFoundError from None

    def _put_record(self, data_record: DataRecord) -> None:
        existing = self.records.get(data_record.idempotency_key)
        if existing is not None and not existing.is_expired:
            self._validate_payload(data_payload=data_record, stored_data_record=existing)
            raise IdempotencyItemAlreadyExistsError(old_data_record=existing)
        self.records[data_record.idempotency_key] = data_record

    def _update_record(self, data_record: DataRecord) -> None:
        self.records[data_record.idempotency_key] = data_record

    def _delete_record(self, data_record: DataRecord) -> None:
        self.records.pop(data_record.idempotency_key, None)
