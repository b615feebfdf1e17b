"""The safety net: re-send every inquiry whose dispatch did not complete (RedispatchFunction)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from inquiries.intake.dispatch import SendsClaimChecks, dispatch_and_clear
from inquiries.observability import count, logger, measure_seconds

# Age of the oldest inquiry still waiting for its queue messages (OldestDispatchPendingAlarm watches it).
OLDEST_PENDING_METRIC = "OldestDispatchPendingAge"


class PendingInquiries(Protocol):
    """The dispatch-pending marker (``data.inquiries.InquiryRepository``, or a fake)."""

    def dispatch_pending(self, older_than: datetime, limit: int = 500) -> Iterator[tuple[str, str]]: ...

    def clear_dispatch_pending(self, inquiry_id: str, pending_since: str) -> bool: ...


@dataclass(frozen=True)
class RedispatchSummary:
    """What one redispatch run did (counts only)."""

    found: int = 0
    redispatched: int = 0
    failed: int = 0


def redispatch_pending(inquiries: PendingInquiries, dispatcher: SendsClaimChecks, *, older_than: datetime,
                       run_at: datetime) -> RedispatchSummary:
    """Re-send every inquiry still marked dispatch-pending since before ``older_than``, then clear its marker.

    Also records the age at ``run_at`` of the oldest inquiry still pending (0 when nothing waits), on every
    run, so the alarm notices both a stuck dispatch and runs that stopped.
    """
    found = redispatched = failed = 0
    pending = list(inquiries.dispatch_pending(older_than=older_than))
    oldest = min((datetime.fromisoformat(since) for _id, since in pending), default=run_at)
    measure_seconds(OLDEST_PENDING_METRIC, max(0.0, (run_at - oldest).total_seconds()))
    for inquiry_id, pending_since in pending:
        found += 1
        if not dispatch_and_clear(dispatcher, inquiries, inquiry_id, pending_since):
            failed += 1
            continue
        redispatched += 1
        logger.info("inquiry redispatched", extra={"inquiry_id": inquiry_id})
    if redispatched:
        count("InquiryRedispatched", redispatched)
    if failed:
        count("RedispatchFailed", failed)
    return RedispatchSummary(found=found, redispatched=redispatched, failed=failed)
