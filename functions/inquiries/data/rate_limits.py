"""RateLimitTable: fixed-window counters. Whether a count is too many is intake's decision."""

from __future__ import annotations

from dataclasses import dataclass

from inquiries.data.conditional import update_if
from inquiries.data.items import counter_id


def fixed_window(now: float, seconds: int) -> tuple[int, int]:
    """The start and end (epoch seconds) of the ``seconds``-long window holding ``now``."""
    start = int(now // seconds) * seconds
    return start, start + seconds


@dataclass(frozen=True)
class RateLimitCounters:
    """Counters keyed by scope, a hashed key and the window's start; each expires a minute after its window."""

    table: str

    def count_within(self, scope: str, hashed_key: str, *, limit: int, window_start: int, window_end: int) -> bool:
        """Add one to the counter unless it has reached ``limit``; False (nothing added) when it has.

        ``hashed_key`` must already be a hash: the key is stored, and an address or IP in clear would be PHI.
        """
        return update_if(
            TableName=self.table,
            Key={"id": {"S": counter_id(scope, hashed_key, window_start)}},
            UpdateExpression="ADD hits :one SET expires_at = :expires",
            ConditionExpression="attribute_not_exists(hits) OR hits < :limit",
            ExpressionAttributeValues={
                ":one": {"N": "1"},
                ":limit": {"N": str(limit)},
                ":expires": {"N": str(window_end + 60)},
            },
        )

    def count_once_within(self, scope: str, hashed_key: str, member: str, *, limit: int, window_start: int,
                          window_end: int) -> bool:
        """Count ``member`` (an id, never PHI) once in the window, unless ``limit`` others are counted already.

        True when ``member`` is counted (now or before): a retry of the same member is never counted twice.
        """
        return update_if(
            TableName=self.table,
            Key={"id": {"S": counter_id(scope, hashed_key, window_start)}},
            UpdateExpression="ADD members :member SET expires_at = :expires",
            ConditionExpression="attribute_not_exists(members) OR size(members) < :limit OR contains(members, :id)",
            ExpressionAttributeValues={
                ":member": {"SS": [member]},
                ":id": {"S": member},
                ":limit": {"N": str(limit)},
                ":expires": {"N": str(window_end + 60)},
            },
        )
