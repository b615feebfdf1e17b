"""Time-sortable inquiry ids and what makes two submissions the same."""

from __future__ import annotations

import hashlib
import hmac

from inquiries.data.items import email_hash, email_hashes, iso
from inquiries.ids import inquiry_id_time_ms, new_inquiry_id, short_reference
from inquiries.intake.service import Submission
from inquiries.models import InquiryIn
from inquiries.peppers import Peppers

PEPPERS = Peppers(current=b"unit-test pepper, 32 bytes long!")
BASE: dict[str, object] = {"name": "Robin Example", "email": "robin@example.com", "consent_to_contact": True}


def test_inquiry_ids_sort_in_creation_order() -> None:
    ids = [new_inquiry_id(ms) for ms in (1_700_000_000_000, 1_700_000_000_001, 1_800_000_000_000)]
    assert ids == sorted(ids)
    assert all(len(i) == 26 for i in ids)


def test_inquiry_id_carries_its_creation_time() -> None:
    assert inquiry_id_time_ms(new_inquiry_id(1_795_770_000_123)) == 1_795_770_000_123


def test_inquiry_ids_made_in_the_same_millisecond_differ() -> None:
    assert len({new_inquiry_id(1_795_770_000_000) for _ in range(1000)}) == 1000


def test_short_reference_is_the_tail_of_the_id() -> None:
    assert short_reference("01M8E3T86F8D86YJ7CNZ78G7BS") == "INQ-NZ78G7BS"


def test_iso_timestamps_sort_lexically_in_time_order() -> None:
    from datetime import UTC, datetime, timedelta

    t = datetime(2026, 11, 27, 9, 0, 0, 5000, tzinfo=UTC)
    assert iso(t) == "2026-11-27T09:00:00.005Z"
    assert iso(t) < iso(t + timedelta(milliseconds=1)) < iso(t + timedelta(days=3))


def test_the_header_key_names_the_submission_when_given() -> None:
    a = Submission(InquiryIn.model_validate(BASE), client_ip="1.2.3.4", idempotency_key="k-1")
    b = Submission(InquiryIn.model_validate({**BASE, "topic": "ptsd"}), client_ip="5.6.7.8", idempotency_key="k-1")
    assert a.submission_key(PEPPERS) == b.submission_key(PEPPERS) == "key:k-1"
    assert a.payload_hash(PEPPERS) != b.payload_hash(PEPPERS), "the body hash still tells a reused key apart"


def test_without_a_key_equal_normalised_bodies_are_one_submission() -> None:
    a = Submission(InquiryIn.model_validate(BASE), client_ip="1.2.3.4")
    b = Submission(InquiryIn.model_validate({**BASE, "name": " Robin  Example ", "email": "robin@EXAMPLE.com",
                                             "topic": "other"}), client_ip="1.2.3.4")
    c = Submission(InquiryIn.model_validate({**BASE, "message": "hello"}), client_ip="1.2.3.4")
    assert a.submission_key(PEPPERS) == b.submission_key(PEPPERS)
    assert a.submission_key(PEPPERS) != c.submission_key(PEPPERS)
    assert a.submission_key(PEPPERS).startswith("body:") and str(BASE["email"]) not in a.submission_key(PEPPERS)


def test_without_a_key_another_client_with_the_same_body_is_another_submission() -> None:
    a = Submission(InquiryIn.model_validate(BASE), client_ip="1.2.3.4")
    b = Submission(InquiryIn.model_validate(BASE), client_ip="5.6.7.8")
    assert a.submission_key(PEPPERS) != b.submission_key(PEPPERS)


def test_email_hash_ignores_case_and_is_keyed_with_the_pepper() -> None:
    assert email_hash("Robin@Example.com", PEPPERS) == email_hash("robin@example.com", PEPPERS)
    # HMAC-SHA256 of the trimmed, lower-cased address, computed here independently of the code under test.
    expected = hmac.new(PEPPERS.current, b"email\x00robin@example.com", hashlib.sha256).hexdigest()
    assert email_hash(" Robin@Example.com ", PEPPERS) == expected
    assert expected != hashlib.sha256(b"robin@example.com").hexdigest(), "not the unkeyed hash anyone can compute"


def test_another_pepper_gives_unrelated_hashes() -> None:
    other = Peppers(current=b"another pepper of 32 bytes long!")
    assert email_hash("robin@example.com", PEPPERS) != email_hash("robin@example.com", other)


def test_while_rotating_lookups_try_the_current_then_the_previous_pepper() -> None:
    old = PEPPERS
    rotated = Peppers(current=b"the new pepper, 32 bytes long!!!", previous=old.current)
    written_before = email_hash("robin@example.com", old)
    written_after = email_hash("robin@example.com", rotated)
    assert email_hashes("robin@example.com", rotated) == [written_after, written_before]
