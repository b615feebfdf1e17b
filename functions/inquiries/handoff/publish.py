"""PublishEventsFunction's work for one InquiriesTable stream record: the event it is, kept and sent on.

Three writes, each repeatable with the same result, in this order: the event log (replay reads it), the
EventBridge bus (the clinic's own AWS targets), one delivery message per enabled destination (the
webhook queue). An erasure's event also deletes the erased inquiry's earlier events from the log. They
follow the committed change (the stream), never the request that made it, so no request can succeed
without its event; a failure fails the record, and the stream mapping retries it from there (an event
sent twice carries one id, which receivers drop repeats by).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from inquiries.data.webhooks import Destinations, EventLog
from inquiries.handoff.events import SOURCE, EventType, InquiryEvent

if TYPE_CHECKING:
    from mypy_boto3_events import EventBridgeClient
    from mypy_boto3_sqs import SQSClient


class PublishFailed(RuntimeError):
    """A write did not take; the record is retried. The message is a fixed code."""


@dataclass(frozen=True)
class DeliveryMessage:
    """One (event, destination) pair on the delivery queue: the destination's id and the event's exact body.
    The body holds no PHI (ids, codes and times), so the message carries it rather than a claim check."""

    destination_id: str
    body: str

    def to_json(self) -> str:
        """The SQS message body."""
        return json.dumps({"destination_id": self.destination_id, "event": self.body}, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> DeliveryMessage:
        """A delivery message from its SQS body; raises ValueError (or KeyError) when it is not one."""
        value = json.loads(text)
        destination, body = value["destination_id"], value["event"]
        if not isinstance(destination, str) or not isinstance(body, str):
            raise ValueError("not a delivery message")
        InquiryEvent.from_body(body)
        return cls(destination_id=destination, body=body)


def enqueue(sqs: SQSClient, queue_url: str, messages: list[DeliveryMessage]) -> None:
    """Send delivery messages, ten to a call; raises ``PublishFailed`` when any was not taken."""
    for start in range(0, len(messages), 10):
        chunk = messages[start:start + 10]
        answer = sqs.send_message_batch(QueueUrl=queue_url, Entries=[
            {"Id": str(i), "MessageBody": m.to_json()} for i, m in enumerate(chunk)])
        if answer.get("Failed"):
            raise PublishFailed("delivery_message_not_sent")


@dataclass(frozen=True)
class Publisher:
    """Where events go."""

    events: EventBridgeClient
    bus_name: str
    log: EventLog
    keep_days: int
    destinations: Destinations
    sqs: SQSClient
    delivery_queue_url: str

    def publish(self, event: InquiryEvent) -> int:
        """Keep and send one event; how many destinations it was queued for."""
        self.log.put(event, self.keep_days)
        if event.type is EventType.ERASED:
            self.log.forget(event, self.keep_days)
        entry: Any = {"Source": SOURCE, "DetailType": event.type.value, "Detail": event.body(),
                      "EventBusName": self.bus_name,
                      "Time": datetime.fromisoformat(event.occurred_at.replace("Z", "+00:00"))}
        answer = self.events.put_events(Entries=[entry])
        if answer.get("FailedEntryCount"):
            raise PublishFailed("event_not_put")
        targets = self.destinations.enabled()
        enqueue(self.sqs, self.delivery_queue_url, [DeliveryMessage(d.destination_id, event.body()) for d in targets])
        return len(targets)
