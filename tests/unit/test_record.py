"""The stored record every function reads without pydantic: strict about kinds, silent about values."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from inquiries.care.views import full_inquiry
from inquiries.record import InquiryStatus, PreferredContact, StoredInquiry, Topic, UnreadableRecord

SECRET = "Private words about my relapse"


def stored(**changes: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "inquiry_id": "01J9Z3V6Q0W1X2Y3Z4A5B6C7D8", "created_at": "2026-01-05T09:30:00.000Z", "status": "new",
        "name": "Robin Ellery", "email": "robin@example.com", "email_hash": "ab" * 32, "phone": "+14155550123",
        "preferred_contact": "phone", "topic": "addiction", "message": SECRET, "consent_to_contact": True,
        "consent_recorded_at": "2026-01-05T09:30:00.000Z", "sms_consent": False, "urgent": True,
        "triage_categories": ["ideation"], "triage_rules": ["ideation.want_to_die"], "spam": False,
        "ttl": 1_800_000_000, "version": 3, "confirmation_sent_at": "2026-01-05T09:30:02.123Z",
        "dispatch_state": "pending",  # an attribute the record does not read: ignored
    }
    values.update(changes)
    return values


def test_a_stored_item_reads_into_typed_fields() -> None:
    inquiry = StoredInquiry.from_values(stored())
    assert inquiry.created_at == datetime(2026, 1, 5, 9, 30, tzinfo=UTC)
    assert inquiry.status is InquiryStatus.NEW
    assert inquiry.preferred_contact is PreferredContact.PHONE and inquiry.topic is Topic.ADDICTION
    assert inquiry.triage_categories == ("ideation",) and inquiry.triage_rules == ("ideation.want_to_die",)
    assert inquiry.confirmation_sent_at == datetime(2026, 1, 5, 9, 30, 2, 123000, tzinfo=UTC)
    assert inquiry.care_team_notified_at is None
    assert inquiry.ttl == 1_800_000_000 and inquiry.urgent is True


def test_optional_attributes_dynamodb_left_out_take_their_defaults() -> None:
    values = {k: v for k, v in stored().items()
              if k not in ("phone", "message", "sms_consent", "urgent", "triage_categories", "triage_rules", "spam")}
    inquiry = StoredInquiry.from_values(values)
    assert (inquiry.phone, inquiry.message, inquiry.sms_consent, inquiry.urgent, inquiry.spam) == (
        None, None, False, False, False)
    assert inquiry.triage_categories == () == inquiry.triage_rules


def test_a_string_set_reads_in_a_stable_order() -> None:
    inquiry = StoredInquiry.from_values(stored(triage_categories={"self_harm", "ideation"}))
    assert inquiry.triage_categories == ("ideation", "self_harm")


@pytest.mark.parametrize(("field", "value"), [
    ("inquiry_id", None), ("name", 42), ("status", "archived"), ("topic", "weather"), ("created_at", "yesterday"),
    ("created_at", 1736069400), ("consent_to_contact", "yes"), ("urgent", 1), ("ttl", "soon"), ("ttl", True),
    ("ttl", 1.5), ("triage_rules", "ideation.want_to_die"), ("triage_rules", [1]), ("message", ["a"]),
])
def test_a_value_of_the_wrong_kind_is_unreadable_naming_the_field_never_the_value(field: str, value: Any) -> None:
    with pytest.raises(UnreadableRecord) as caught:
        StoredInquiry.from_values(stored(**{field: value}))
    assert caught.value.field_name == field
    assert str(value) not in str(caught.value) or str(value) in field


@pytest.mark.parametrize("field", ["inquiry_id", "created_at", "status", "name", "email", "preferred_contact",
                                   "topic", "consent_to_contact", "ttl"])
def test_a_missing_required_attribute_is_unreadable(field: str) -> None:
    with pytest.raises(UnreadableRecord) as caught:
        StoredInquiry.from_values({k: v for k, v in stored().items() if k != field})
    assert caught.value.field_name == field


def test_neither_the_record_nor_the_care_view_shows_a_value_when_printed() -> None:
    for shown in (repr(StoredInquiry.from_values(stored())), str(StoredInquiry.from_values(stored())),
                  repr(full_inquiry(stored()))):
        for value in ("Robin", "robin@example.com", "+14155550123", SECRET):
            assert value not in shown
