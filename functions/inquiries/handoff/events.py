"""Domain events from InquiriesTable's stream records: what happened to an inquiry, never what it says.

- an INSERT of an inquiry that is not spam: ``inquiry.received``;
- a MODIFY whose ``status`` changed: ``inquiry.status_changed``; a held-back (spam) inquiry released to
  ``new`` is ``inquiry.received``, since for the clinic's systems it arrives then;
- a REMOVE: ``inquiry.erased``, with ``reason`` ``request`` (an erasure: a delete by a person's request), or
  ``retention`` (DynamoDB's TTL removed it at the end of its retention: the stream names the service as the
  deleter). Spam that was never released was never announced, so its removal is not either.

Every other record (delivery annotations, notes, assignments) is no event. An event's ``id`` is derived
from the stream record's own id, so a retried batch yields the same id (the ``webhook-id``, and the
EventBridge detail's ``id``): a receiver drops a repeat by it. The payload keeps the Standard Webhooks
shape (``type``, ``timestamp``, ``data``) and holds only the fields in ``PUBLIC_FIELDS``: ids, the
reference, closed vocabularies and times; never a name, an address, a number, the message or free text.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from inquiries.data.items import iso, plain_values
from inquiries.ids import short_reference
from inquiries.record import InquiryStatus

SOURCE = "inquiry-intake"


class EventType(StrEnum):
    """The events a clinic's systems can subscribe to (docs/integrations.md#event-catalog)."""

    RECEIVED = "inquiry.received"
    STATUS_CHANGED = "inquiry.status_changed"
    ERASED = "inquiry.erased"


class ErasureReason(StrEnum):
    """Why an inquiry left the table."""

    REQUEST = "request"
    RETENTION = "retention"


# What an event may carry from the stored inquiry: nothing anyone typed, only ids, codes and times.
PUBLIC_FIELDS = ("inquiry_id", "status", "level", "topic", "language", "created_at", "due_at")
_CODES = {"status": frozenset(s.value for s in InquiryStatus), "level": frozenset({"urgent", "priority", "none"}),
          "topic": frozenset({"addiction", "depression", "anxiety", "ptsd", "chronic_pain", "other"}),
          "language": frozenset({"en", "es"})}
_TTL_DELETER = "dynamodb.amazonaws.com"


@dataclass(frozen=True)
class InquiryEvent:
    """One domain event: its stable id, type, when it happened and its payload (the signed body)."""

    event_id: str
    type: EventType
    occurred_at: str
    data: dict[str, Any]
    # The stream record's sequence number: orders one inquiry's events within a second (not sent).
    sequence: str = field(default="", compare=False)

    def payload(self) -> dict[str, Any]:
        """The event as sent: the Standard Webhooks payload shape, with the event's id."""
        return {"id": self.event_id, "type": self.type.value, "timestamp": self.occurred_at, "data": self.data}

    def body(self) -> str:
        """The exact text that is signed and sent (compact, keys sorted: a replay sends the same bytes)."""
        return json.dumps(self.payload(), sort_keys=True, separators=(",", ":"))

    @classmethod
    def from_body(cls, body: str) -> InquiryEvent:
        """An event from the text it was sent as (the event log, a delivery message). Raises ValueError."""
        value = json.loads(body)
        if not isinstance(value, dict) or not isinstance(value.get("data"), dict):
            raise ValueError("not an event body")
        return cls(event_id=str(value["id"]), type=EventType(value["type"]), occurred_at=str(value["timestamp"]),
                   data=dict(value["data"]))


def event_id_for(stream_event_id: str) -> str:
    """The event id of a stream record (the same record, the same id)."""
    return "evt_" + hashlib.sha256(stream_event_id.encode("utf-8")).hexdigest()[:32]


def _occurred_at(stream: Mapping[str, Any]) -> str:
    value = stream.get("ApproximateCreationDateTime")
    if isinstance(value, datetime):
        return iso(value)
    if isinstance(value, int | float) or (isinstance(value, str) and value.replace(".", "", 1).isdigit()):
        return iso(datetime.fromtimestamp(float(value), UTC))
    return iso(datetime.now(UTC))


def _public(image: Mapping[str, Any]) -> dict[str, Any]:
    """The fields of a stored inquiry an event may carry; a value outside its closed vocabulary is left out."""
    data: dict[str, Any] = {}
    for name in PUBLIC_FIELDS:
        value = image.get(name)
        if not isinstance(value, str) or not value:
            continue
        if name in _CODES and value not in _CODES[name]:
            continue
        data[name] = value
    if "inquiry_id" in data:
        data["reference"] = short_reference(data["inquiry_id"])
    return data


def _is_spam(image: Mapping[str, Any]) -> bool:
    return image.get("status") == InquiryStatus.SPAM.value


def event_from_stream_record(record: Mapping[str, Any]) -> InquiryEvent | None:
    """The domain event one InquiriesTable stream record is, or None when it is none."""
    stream = record.get("dynamodb") or {}
    name = str(record.get("eventName") or "")
    old = plain_values(stream.get("OldImage") or {})
    new = plain_values(stream.get("NewImage") or {})
    keys = plain_values(stream.get("Keys") or {})
    inquiry_id = keys.get("inquiry_id")
    stream_id = record.get("eventID")
    if not isinstance(inquiry_id, str) or not isinstance(stream_id, str) or not stream_id:
        return None
    event_type: EventType
    data: dict[str, Any]
    if name == "INSERT":
        if _is_spam(new):
            return None
        event_type, data = EventType.RECEIVED, _public(new)
    elif name == "MODIFY":
        before, after = old.get("status"), new.get("status")
        if before == after or not isinstance(after, str):
            return None
        if before == InquiryStatus.SPAM.value and after == InquiryStatus.NEW.value:
            event_type, data = EventType.RECEIVED, _public(new)
        else:
            event_type, data = EventType.STATUS_CHANGED, _public(new)
            if isinstance(before, str) and before in _CODES["status"]:
                data["previous_status"] = before
    elif name == "REMOVE":
        if _is_spam(old):
            return None
        deleter = record.get("userIdentity") or {}
        by_ttl = deleter.get("type") == "Service" and deleter.get("principalId") == _TTL_DELETER
        reason = ErasureReason.RETENTION if by_ttl else ErasureReason.REQUEST
        event_type = EventType.ERASED
        data = {"inquiry_id": inquiry_id, "reference": short_reference(inquiry_id), "reason": reason.value}
    else:
        return None
    data["inquiry_id"] = inquiry_id
    data["reference"] = short_reference(inquiry_id)
    sequence = str(stream.get("SequenceNumber") or "")
    return InquiryEvent(event_id=event_id_for(stream_id), type=event_type, occurred_at=_occurred_at(stream),
                        data=data, sequence=sequence if sequence.isdigit() else "")
