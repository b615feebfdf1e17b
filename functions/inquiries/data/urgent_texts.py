"""The bookkeeping of texts to the care team's phone: sets of ids in RateLimitTable, and a count of what waits.

A text is taken by adding a *member* (an inquiry id, or an inquiry id and the moment of its reminder; never
PHI) to a bounded set: the care team's set for one window (``sms-window#care-team#<start>``), the window's
single summary (``sms-summary#care-team#<start>``), or one inquiry's escalations
(``sms-escalation#<inquiry_id>#0``). Adding a member that is already there succeeds without adding: a retry
never takes a second place. Each item expires (``expires_at``) a minute after its window.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from inquiries import aws
from inquiries.data.conditional import update_if
from inquiries.data.items import STATUS_INDEX, counter_id
from inquiries.data.pages import query_count
from inquiries.record import InquiryStatus

CARE_TEAM_KEY = "care-team"
WINDOW_SCOPE = "sms-window"
SUMMARY_SCOPE = "sms-summary"
ESCALATION_SCOPE = "sms-escalation"


@dataclass(frozen=True)
class TextPlace:
    """One bounded set of members: where a text is taken."""

    scope: str
    key: str
    start: int
    expires_at: int
    limit: int

    @property
    def id(self) -> str:
        return counter_id(self.scope, self.key, self.start)


@dataclass(frozen=True)
class UrgentTextRecords:
    """Takes and gives back places in RateLimitTable; counts the urgent inquiries still ``new``."""

    rate_limit_table: str
    inquiries_table: str

    def take(self, place: TextPlace, member: str) -> bool:
        """Add ``member`` unless ``place.limit`` others are there; True when it is there (now or before)."""
        if place.limit <= 0:
            return False
        return update_if(
            TableName=self.rate_limit_table,
            Key={"id": {"S": place.id}},
            UpdateExpression="ADD members :member SET expires_at = :expires",
            ConditionExpression="attribute_not_exists(members) OR size(members) < :limit OR contains(members, :id)",
            ExpressionAttributeValues={
                ":member": {"SS": [member]},
                ":id": {"S": member},
                ":limit": {"N": str(place.limit)},
                ":expires": {"N": str(place.expires_at)},
            },
        )

    def give_back(self, place: TextPlace, member: str) -> None:
        """Remove ``member`` (its text was not sent), so the place is free again."""
        update_if(
            TableName=self.rate_limit_table,
            Key={"id": {"S": place.id}},
            UpdateExpression="DELETE members :member",
            ConditionExpression="attribute_exists(members)",
            ExpressionAttributeValues={":member": {"SS": [member]}},
        )

    def urgent_waiting(self) -> int:
        """How many urgent inquiries still await their first contact (``new`` or ``attempting``; StatusIndex,
        counts: no item is returned)."""
        total = 0
        for status in (InquiryStatus.NEW, InquiryStatus.ATTEMPTING):
            kwargs: dict[str, Any] = {
                "TableName": self.inquiries_table,
                "IndexName": STATUS_INDEX,
                "KeyConditionExpression": "#s = :new",
                "FilterExpression": "urgent = :true",
                "ExpressionAttributeNames": {"#s": "status"},
                "ExpressionAttributeValues": {":new": {"S": status.value}, ":true": {"BOOL": True}},
                "Select": "COUNT",
            }
            total += query_count(aws.dynamodb(), kwargs, domain=True)
        return total
