"""Issue 22 item 1: the domain events InquiriesTable's stream records become, and what they may carry.

Each produced event is validated against its JSON Schema in docs/events/, and searched for every value the
person submitted (none may appear).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from inquiries.data.items import serialize
from inquiries.handoff.events import EventType, InquiryEvent, event_from_stream_record, event_id_for
from jsonschema import Draft202012Validator, FormatChecker

from tests.support.phi import distinctive_inquiry, submitted_by_this_test

SCHEMAS = Path(__file__).resolve().parents[2] / "docs" / "events"
INQUIRY_ID = "01KBQ7ZP3M5R8T2V6X9Y4W1C0D"


def stored(**overrides: Any) -> dict[str, Any]:
    """A stored inquiry as intake writes it, with a distinctive person's every field."""
    person = distinctive_inquiry(phone="(415) 555-0142")
    item: dict[str, Any] = {
        "inquiry_id": INQUIRY_ID, "created_at": "2026-12-05T10:00:00.000Z", "status": "new", "name": person["name"],
        "email": person["email"], "email_hash": "ab" * 32, "phone": "+14155550142", "preferred_contact": "email",
        "topic": "addiction", "message": person["message"], "consent_to_contact": True,
        "consent_recorded_at": "2026-12-05T10:00:00.000Z", "referral_source": person["referral_source"],
        "urgent": False, "level": "priority", "language": "es", "triage_categories": ["history"],
        "triage_rules": ["r12"], "spam": False, "ttl": 1_900_000_000, "due_at": "2026-12-05T14:00:00.000Z",
        "version": 3, "phone_hash": "cd" * 32, "assignee": "care@clinic.local",
        "notes": [{"at": "2026-12-05T11:00:00.000Z", "actor": "Dana", "text": f"called back {person['name']}"}],
        "close_reason": "scheduled",
    }
    item.update(overrides)
    return item


def record(name: str, new: dict[str, Any] | None = None, old: dict[str, Any] | None = None,
           stream_id: str = "a1b2c3", deleter: dict[str, str] | None = None, sequence: str = "100") -> dict[str, Any]:
    dynamodb: dict[str, Any] = {"Keys": serialize({"inquiry_id": INQUIRY_ID}), "SequenceNumber": sequence,
                                "ApproximateCreationDateTime": 1796508000.0}
    if new is not None:
        dynamodb["NewImage"] = serialize(new)
    if old is not None:
        dynamodb["OldImage"] = serialize(old)
    event: dict[str, Any] = {"eventID": stream_id, "eventName": name, "eventSource": "aws:dynamodb",
                             "dynamodb": dynamodb}
    if deleter:
        event["userIdentity"] = deleter
    return event


def check(event: InquiryEvent | None, expected: EventType) -> dict[str, Any]:
    assert event is not None
    assert event.type is expected
    payload: dict[str, Any] = json.loads(event.body())
    schema = json.loads((SCHEMAS / f"{expected.value}.schema.json").read_text())
    errors = list(Draft202012Validator(schema, format_checker=FormatChecker()).iter_errors(payload))
    assert errors == [], [e.message for e in errors]
    assert submitted_by_this_test().leaks(event.body()) == []
    for word in ("name", "email", "phone", "message", "referral", "notes", "assignee", "hash", "triage"):
        assert word not in event.body(), word
    return payload


def test_a_new_inquiry_is_received_with_codes_and_times_only() -> None:
    payload = check(event_from_stream_record(record("INSERT", new=stored())), EventType.RECEIVED)
    assert payload["data"] == {"inquiry_id": INQUIRY_ID, "reference": "INQ-9Y4W1C0D", "status": "new",
                               "level": "priority", "topic": "addiction", "language": "es",
                               "created_at": "2026-12-05T10:00:00.000Z", "due_at": "2026-12-05T14:00:00.000Z"}
    assert payload["timestamp"] == "2026-12-05T22:00:00.000Z"


def test_spam_is_not_announced_until_released() -> None:
    spam = stored(status="spam", spam=True)
    assert event_from_stream_record(record("INSERT", new=spam)) is None
    released = check(event_from_stream_record(record("MODIFY", new=stored(), old=spam)), EventType.RECEIVED)
    assert released["data"]["status"] == "new"
    assert event_from_stream_record(record("REMOVE", old=spam)) is None


def test_a_status_change_names_both_statuses() -> None:
    payload = check(event_from_stream_record(record("MODIFY", new=stored(status="contacted"), old=stored())),
                    EventType.STATUS_CHANGED)
    assert (payload["data"]["previous_status"], payload["data"]["status"]) == ("new", "contacted")


def test_a_change_that_keeps_the_status_is_no_event() -> None:
    assert event_from_stream_record(record("MODIFY", new=stored(version=4), old=stored())) is None


@pytest.mark.parametrize(("deleter", "reason"), [
    (None, "request"),
    ({"type": "Service", "principalId": "dynamodb.amazonaws.com"}, "retention"),
])
def test_a_removal_is_an_erasure_with_its_reason(deleter: dict[str, str] | None, reason: str) -> None:
    payload = check(event_from_stream_record(record("REMOVE", old=stored(), deleter=deleter)), EventType.ERASED)
    assert payload["data"] == {"inquiry_id": INQUIRY_ID, "reference": "INQ-9Y4W1C0D", "reason": reason}


def test_the_same_stream_record_gives_the_same_event_id_and_bytes() -> None:
    first = event_from_stream_record(record("INSERT", new=stored(), stream_id="s-1"))
    again = event_from_stream_record(record("INSERT", new=stored(), stream_id="s-1"))
    other = event_from_stream_record(record("INSERT", new=stored(), stream_id="s-2"))
    assert first is not None and again is not None and other is not None
    assert first.event_id == again.event_id == event_id_for("s-1") != other.event_id
    assert first.body() == again.body()
    assert InquiryEvent.from_body(first.body()) == first


def test_a_value_outside_its_vocabulary_is_left_out() -> None:
    event = event_from_stream_record(record("INSERT", new=stored(topic="Call me at 415 555 0142")))
    assert event is not None
    assert "topic" not in event.data
    assert "555 0142" not in event.body() and "5550142" not in event.body()


def test_one_inquirys_changes_in_the_same_second_keep_their_order_in_the_log() -> None:
    """Stream times are whole seconds in AWS: the log's sort key must order by the stream's sequence, not the id."""
    from inquiries.data.webhooks import EventLog

    written: list[str] = []

    class Table:
        def put_item(self, **kwargs: Any) -> None:
            written.append(kwargs["Item"]["event_key"]["S"])

    # Stream ids chosen so that the first change's event id sorts after the second's.
    first = event_from_stream_record(record("INSERT", new=stored(), stream_id="aaa", sequence="9"))
    second = event_from_stream_record(record("MODIFY", new=stored(status="closed"), old=stored(), stream_id="zzz",
                                             sequence="10"))
    assert first is not None and second is not None
    assert first.occurred_at == second.occurred_at and first.event_id > second.event_id
    log = EventLog(Table(), "InquiryEventLogTable")  # type: ignore[arg-type]
    log.put(first, 35)
    log.put(second, 35)
    assert written == sorted(written)
