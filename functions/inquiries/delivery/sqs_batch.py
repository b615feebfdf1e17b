"""An SQS batch for the two consumers, answered with a partial batch response (ReportBatchItemFailures).

This is what Powertools' ``BatchProcessor(EventType.SQS, raise_on_entire_batch_failure=False)`` with
``process_partial_response`` did here: each message is handled on its own; one whose handler raises is
listed in ``batchItemFailures`` so SQS redelivers only it (and, after ``maxReceiveCount`` receives, moves
it to the DLQ); a batch in which every message failed is answered the same way rather than raised, so
each message keeps its own receive count. Written here because importing Powertools' batch utility loads
every event data class it knows and asyncio: about 20 ms of CPU on every consumer's cold start, for a
loop this short (docs/benchmarks.md).

Nothing is logged here: the handlers log ids and fixed reason codes themselves, and an exception's text
is never written anywhere (it could quote a value).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypedDict


@dataclass(frozen=True)
class QueueMessage:
    """One SQS message of a batch: its id (what a failure is reported by) and its body."""

    message_id: str
    body: str


class ItemFailure(TypedDict):
    """A message SQS should deliver again."""

    itemIdentifier: str


class PartialBatchResponse(TypedDict):
    """What the function returns: the messages that failed (none: the whole batch is deleted)."""

    batchItemFailures: list[ItemFailure]


def partial_batch_response(event: Mapping[str, Any], handle: Callable[[QueueMessage], object]) -> PartialBatchResponse:
    """Handle each message of an SQS event in order; report the ones whose handler raised.

    An event that is not an SQS batch raises ``ValueError`` (the invocation fails; SQS never sends one).
    """
    records = event.get("Records")
    if not isinstance(records, list):
        raise ValueError("not an SQS event: no Records list")
    failures: list[ItemFailure] = []
    for record in records:
        message_id = str(record["messageId"])
        try:
            handle(QueueMessage(message_id=message_id, body=record.get("body") or ""))
        except Exception:  # reported, not raised: SQS retries just this message
            failures.append({"itemIdentifier": message_id})
    return {"batchItemFailures": failures}
