"""The care team's notification: enough to act on, nothing the person typed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from inquiries.record import StoredInquiry
from inquiries.rendering import describe_age, render_care_team_notification
from inquiries.settings import MessageSettings

CREATED = datetime(2026, 1, 5, 9, 30, tzinfo=UTC)
SETTINGS = MessageSettings(console_base_url="https://console.example.org/inquiries/")


def _inquiry(**overrides: Any) -> StoredInquiry:
    values: dict[str, Any] = {
        "inquiry_id": "01JD3V6W7X8Y9Z0ABCDEFGHJKM", "created_at": CREATED, "status": "new",
        "name": "Robin Ellery", "email": "robin@example.com", "phone": "+14155552671",
        "preferred_contact": "phone", "topic": "chronic_pain", "message": "private words",
        "consent_to_contact": True, "referral_source": "A friend", "ttl": 1,
    }
    values.update(overrides)
    return StoredInquiry.from_values(values)


def test_urgent_notification_subject_and_priority_attribute() -> None:
    note = render_care_team_notification(_inquiry(urgent=True), SETTINGS, CREATED + timedelta(minutes=3))

    assert note.subject == "[URGENT] New inquiry INQ-DEFGHJKM (chronic_pain)"
    assert note.attributes == {"priority": "urgent", "topic": "chronic_pain", "language": "en"}


def test_a_priority_inquiry_is_marked_with_its_categories_and_language_but_never_pages() -> None:
    note = render_care_team_notification(
        _inquiry(level="priority", language="es", triage_categories=["preparation_and_farewell"]),
        SETTINGS, CREATED)

    assert note.subject == "[PRIORITY] New inquiry INQ-DEFGHJKM (chronic_pain)"
    # The SMS subscription's filter takes priority=urgent only: a priority inquiry reaches the inbox, not a pager.
    assert note.attributes == {"priority": "priority", "topic": "chronic_pain", "language": "es",
                               "category": "preparation_and_farewell"}
    assert "Category: preparation_and_farewell" in note.message.splitlines()
    assert "Language: es" in note.message.splitlines()


def test_notification_holds_reference_topic_contact_age_and_console_link_only() -> None:
    note = render_care_team_notification(_inquiry(), SETTINGS, CREATED + timedelta(hours=2, minutes=5))

    assert note.subject == "New inquiry INQ-DEFGHJKM (chronic_pain)"
    assert note.message.splitlines() == [
        "New inquiry INQ-DEFGHJKM",
        "Priority: normal",
        "Topic: chronic_pain",
        "Language: en",
        "Preferred contact: phone",
        "Arrived: 2 hours ago",
        "Open in the console: https://console.example.org/inquiries/01JD3V6W7X8Y9Z0ABCDEFGHJKM",
        "",
        "Details are in the console only; this notification carries no personal information.",
    ]
    assert note.chat_text == f"{note.subject}\n{note.message}"
    for value in ("Robin", "Ellery", "robin@example.com", "+14155552671", "private words", "A friend"):
        assert value not in note.chat_text
        assert value not in str(note.attributes)


def test_subject_fits_the_sns_limit() -> None:
    note = render_care_team_notification(_inquiry(urgent=True), SETTINGS, CREATED)

    assert len(note.subject) <= 100 and note.subject.isascii() and "\n" not in note.subject


@pytest.mark.parametrize(("seconds", "words"), [
    (0, "just now"), (59, "just now"), (60, "1 minute ago"), (150, "2 minutes ago"),
    (3600, "1 hour ago"), (7 * 3600, "7 hours ago"), (86400, "1 day ago"), (3 * 86400 + 5, "3 days ago"),
    (-30, "just now"),  # a clock a little behind the writer's
])
def test_age_reads_at_a_glance(seconds: int, words: str) -> None:
    assert describe_age(CREATED, CREATED + timedelta(seconds=seconds)) == words


def test_urgent_notification_names_the_triage_category_not_the_words() -> None:
    inquiry = _inquiry(urgent=True, message="i took all my pills", triage_categories=["overdose", "self_harm"],
                       triage_rules=["overdose.too_many_pills", "self_harm.word"])
    note = render_care_team_notification(inquiry, SETTINGS, CREATED)

    lines = note.message.splitlines()
    assert lines[1:3] == ["Priority: URGENT - please reach out first", "Category: overdose, self_harm"]
    assert note.attributes == {"priority": "urgent", "topic": "chronic_pain", "language": "en",
                               "category": "overdose, self_harm"}
    for words in ("took", "pills", "too_many_pills"):
        assert words not in note.chat_text
        assert words not in str(note.attributes)


def test_a_normal_notification_has_no_category_even_if_codes_were_stored() -> None:
    note = render_care_team_notification(_inquiry(triage_categories=["overdose"]), SETTINGS, CREATED)

    assert "Category" not in note.message
    assert "category" not in note.attributes
