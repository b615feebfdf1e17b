"""Webhook destinations (WebhookDestinationsTable) and the event log (InquiryEventLogTable).

WebhookDestinationsTable, key ``destination_id`` (a short name ops choose): ``url`` (https), ``secret_arn``
(its ``whsec_`` secret in Secrets Manager), ``enabled``, ``disabled_reason`` (``gone``: it answered 410;
``ops``: disabled by hand), ``created_at``, ``updated_at`` and, during a secret rotation,
``previous_valid_until`` (epoch seconds: until then deliveries are also signed with the previous secret).

InquiryEventLogTable, key ``day`` (``YYYY-MM-DD`` of the event, UTC) and ``event_key``
(``<occurred_at>#<stream sequence number, 40 digits>#<event_id>``): each event's exact body, kept ``ttl``
(EVENT_LOG_DAYS), so a replay from a time sends the same ids and bytes, in the order they
happened. Writing an event again (a retried stream batch) overwrites it with the same values. Each item also
names its ``inquiry_id``: an ``inquiry.erased`` event deletes that inquiry's earlier events (``forget``), so
after an erasure the log holds only the event that says it happened.
Neither table holds PHI: events carry ids, codes and times only.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from inquiries.data.items import plain_values, serialize
from inquiries.data.pages import query_pages, scan_pages
from inquiries.handoff.events import InquiryEvent

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

GONE = "gone"
BY_OPS = "ops"


@dataclass(frozen=True)
class Destination:
    """One configured receiver."""

    destination_id: str
    url: str
    secret_arn: str
    enabled: bool = True
    disabled_reason: str | None = None
    previous_valid_until: int | None = None

    @classmethod
    def from_item(cls, item: dict[str, Any]) -> Destination:
        """A destination from its DynamoDB item."""
        values = plain_values(item)
        until = values.get("previous_valid_until")
        return cls(destination_id=str(values["destination_id"]), url=str(values["url"]),
                   secret_arn=str(values["secret_arn"]), enabled=bool(values.get("enabled", False)),
                   disabled_reason=values.get("disabled_reason"),
                   previous_valid_until=int(until) if until is not None else None)

    def signs_with_previous(self, now: float) -> bool:
        """Whether a rotation is under way (the previous secret still signs)."""
        return self.previous_valid_until is not None and now < self.previous_valid_until


class Destinations:
    """The destinations table."""

    def __init__(self, ddb: DynamoDBClient, table: str) -> None:
        self.ddb = ddb
        self.table = table

    def get(self, destination_id: str) -> Destination | None:
        """One destination (a consistent read: a disable takes effect at once)."""
        item = self.ddb.get_item(TableName=self.table, Key={"destination_id": {"S": destination_id}},
                                 ConsistentRead=True).get("Item")
        return Destination.from_item(dict(item)) if item else None

    def all(self) -> list[Destination]:
        """Every destination (a handful: a Scan of a small table, paged)."""
        found: list[Destination] = []
        for page in scan_pages(self.ddb, {"TableName": self.table, "ConsistentRead": True}):
            found += [Destination.from_item(dict(item)) for item in page.get("Items", [])]
        return sorted(found, key=lambda d: d.destination_id)

    def enabled(self) -> list[Destination]:
        """The destinations events go to."""
        return [d for d in self.all() if d.enabled]

    def add(self, destination: Destination) -> None:
        """A new destination; raises botocore's ConditionalCheckFailedException when the id is taken."""
        now = _now_iso()
        self.ddb.put_item(TableName=self.table, Item=serialize({
            "destination_id": destination.destination_id, "url": destination.url,
            "secret_arn": destination.secret_arn, "enabled": destination.enabled, "created_at": now,
            "updated_at": now}), ConditionExpression="attribute_not_exists(destination_id)")

    def set_enabled(self, destination_id: str, enabled: bool, reason: str | None = None) -> bool:
        """Enable, or disable with a reason code; False when there is no such destination."""
        names = {"#e": "enabled", "#u": "updated_at", "#r": "disabled_reason"}
        values: dict[str, Any] = {":e": {"BOOL": enabled}, ":u": {"S": _now_iso()}}
        if enabled:
            expression = "SET #e = :e, #u = :u REMOVE #r"
        else:
            expression = "SET #e = :e, #u = :u, #r = :r"
            values[":r"] = {"S": reason or BY_OPS}
        try:
            self.ddb.update_item(TableName=self.table, Key={"destination_id": {"S": destination_id}},
                                 UpdateExpression=expression, ExpressionAttributeNames=names,
                                 ExpressionAttributeValues=values,
                                 ConditionExpression="attribute_exists(destination_id)")
        except self.ddb.exceptions.ConditionalCheckFailedException:
            return False
        return True

    def start_rotation(self, destination_id: str, previous_valid_until: int) -> None:
        """Keep signing with the previous secret until ``previous_valid_until`` (epoch seconds)."""
        self.ddb.update_item(TableName=self.table, Key={"destination_id": {"S": destination_id}},
                             UpdateExpression="SET previous_valid_until = :p, updated_at = :u",
                             ExpressionAttributeValues={":p": {"N": str(previous_valid_until)},
                                                        ":u": {"S": _now_iso()}},
                             ConditionExpression="attribute_exists(destination_id)")


class EventLog:
    """The event log replays read."""

    def __init__(self, ddb: DynamoDBClient, table: str) -> None:
        self.ddb = ddb
        self.table = table

    def put(self, event: InquiryEvent, keep_days: int) -> None:
        """Keep an event's body (the same event again writes the same item)."""
        self.ddb.put_item(TableName=self.table, Item=serialize({
            "day": event.occurred_at[:10], "event_key": event_key(event),
            "event_id": event.event_id, "type": event.type.value, "body": event.body(),
            "inquiry_id": str(event.data.get("inquiry_id", "")), "ttl": int(time.time()) + keep_days * 86400}))

    def forget(self, erasure: InquiryEvent, keep_days: int) -> int:
        """Delete the erased inquiry's other events (all the log can hold: its last ``keep_days`` days),
        keeping the erasure itself, so a replay tells a receiver to erase and never resends what was erased.
        Repeatable: a retried erasure finds nothing more. How many were deleted."""
        inquiry_id = str(erasure.data["inquiry_id"])
        today = datetime.now(UTC).date()
        deleted = 0
        for back in range(keep_days + 1):
            kwargs: dict[str, Any] = {
                "TableName": self.table, "KeyConditionExpression": "#d = :d",
                "FilterExpression": "inquiry_id = :i AND event_id <> :e",
                "ProjectionExpression": "#d, event_key",
                "ExpressionAttributeNames": {"#d": "day"},
                "ExpressionAttributeValues": {":d": {"S": (today - timedelta(days=back)).isoformat()},
                                              ":i": {"S": inquiry_id}, ":e": {"S": erasure.event_id}}}
            for page in query_pages(self.ddb, kwargs):
                for item in page.get("Items", []):
                    self.ddb.delete_item(TableName=self.table,
                                         Key={"day": item["day"], "event_key": item["event_key"]})
                    deleted += 1
        return deleted

    def since(self, start: datetime, until: datetime | None = None) -> Iterator[InquiryEvent]:
        """Every kept event from ``start`` (to ``until``), oldest first, one day partition at a time."""
        end = until or datetime.now(UTC)
        first = start.astimezone(UTC)
        day: date = first.date()
        low = first.strftime("%Y-%m-%dT%H:%M:%S")
        high = end.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.999Z~")
        while day <= end.astimezone(UTC).date():
            kwargs: dict[str, Any] = {
                "TableName": self.table, "KeyConditionExpression": "#d = :d AND event_key BETWEEN :lo AND :hi",
                "ExpressionAttributeNames": {"#d": "day"},
                "ExpressionAttributeValues": {":d": {"S": day.isoformat()}, ":lo": {"S": low}, ":hi": {"S": high}}}
            for page in query_pages(self.ddb, kwargs):
                for item in page.get("Items", []):
                    yield InquiryEvent.from_body(str(plain_values(dict(item))["body"]))
            day += timedelta(days=1)


def event_key(event: InquiryEvent) -> str:
    """The log's sort key: time, then the stream's sequence number (zero-padded: one inquiry's changes within the
    same second keep their order), then the id."""
    return f"{event.occurred_at}#{event.sequence.zfill(40)}#{event.event_id}"


def _now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
