"""The confirmation email as the person reads it: warm, clear, safe, and never an echo of their words."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime
from typing import Any

from inquiries.ids import short_reference
from inquiries.record import CRISIS_RESOURCES, StoredInquiry
from inquiries.rendering import CONFIRMATION_SUBJECT, CRISIS_NOTICE, render_confirmation_email
from inquiries.settings import MessageSettings

SETTINGS = MessageSettings(clinic_name="Daytryp Health", response_time_text="within one business day")


def _inquiry(**overrides: Any) -> StoredInquiry:
    values: dict[str, Any] = {
        "inquiry_id": "01JD3V6W7X8Y9Z0ABCDEFGHJKM", "created_at": datetime(2026, 1, 5, 9, 30, tzinfo=UTC),
        "status": "new", "name": "Robin Ellery", "email": "robin@example.com", "preferred_contact": "email",
        "topic": "depression", "message": "I wrote something private here", "consent_to_contact": True,
        "referral_source": "A friend", "ttl": 1,
    }
    values.update(overrides)
    return StoredInquiry.from_values(values)


def test_subject_is_the_same_for_everyone() -> None:
    email = render_confirmation_email(_inquiry(urgent=True, topic="ptsd"), SETTINGS)

    assert email.subject == CONFIRMATION_SUBJECT == "We received your inquiry"


def test_email_thanks_the_person_and_says_what_happens_next() -> None:
    inquiry = _inquiry(preferred_contact="sms")
    email = render_confirmation_email(inquiry, SETTINGS)

    for part in (email.text, email.html):
        assert "Hello," in part
        assert "Thank you for reaching out to Daytryp Health" in part
        assert "by text message within one business day" in part
        assert "consultation" in part
        assert "integration sessions" in part
        assert short_reference(inquiry.inquiry_id) in part
    assert "3-6 ketamine sessions" in email.text
    assert "3&ndash;6 ketamine sessions" in email.html


def test_every_email_carries_the_not_monitored_crisis_notice() -> None:
    for urgent in (False, True):
        email = render_confirmation_email(_inquiry(urgent=urgent), SETTINGS)
        assert CRISIS_NOTICE in email.text
        assert CRISIS_NOTICE in email.html
        assert "988" in email.text and "911" in email.text


def test_urgent_email_leads_with_crisis_resources() -> None:
    email = render_confirmation_email(_inquiry(urgent=True), SETTINGS)

    for part, escape in ((email.text, str), (email.html, html.escape)):
        first_crisis = part.index(escape(CRISIS_RESOURCES[0].name))
        assert first_crisis < part.index("Hello,") < part.index("What happens next".upper() if part is email.text
                                                                    else "What happens next")
        assert escape(CRISIS_RESOURCES[1].how) in part


def test_normal_email_opens_with_the_greeting() -> None:
    email = render_confirmation_email(_inquiry(urgent=False), SETTINGS)

    assert email.text.startswith("Hello,")


def test_message_and_other_fields_are_never_echoed() -> None:
    inquiry = _inquiry(phone="+14155552671", preferred_contact="phone")
    email = render_confirmation_email(inquiry, SETTINGS)

    for part in (email.subject, email.text, email.html):
        for value in ("Robin", "Ellery", "I wrote something private here", "A friend", "+14155552671",
                      "robin@example.com", "depression"):
            assert value not in part


def test_a_name_written_as_a_phishing_line_never_reaches_the_email() -> None:
    """Issue 11, finding 2: the address is unverified, so nothing typed may go out in the clinic's name."""
    lure = "Alex. Your payment failed, update card at https://evil.example/pay"
    email = render_confirmation_email(_inquiry(name=lure), SETTINGS)

    for part in (email.subject, email.text, email.html):
        assert "evil.example" not in part and "payment failed" not in part and "Alex" not in part


def test_html_is_accessible_and_mobile_friendly() -> None:
    page = render_confirmation_email(_inquiry(urgent=True), SETTINGS).html

    assert '<html lang="en"' in page
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
    assert "<title>We received your inquiry</title>" in page
    tables = re.findall(r"<table[^>]*>", page)
    assert tables and all('role="presentation"' in t for t in tables)
    assert "max-width:600px" in page
    assert "<style" not in page  # inline styles only: many mail apps drop <style> blocks


def test_headings_start_at_h1_whether_or_not_the_crisis_block_leads() -> None:
    import re
    from itertools import pairwise

    for urgent in (False, True):
        page = render_confirmation_email(_inquiry(urgent=urgent), SETTINGS).html
        levels = [int(n) for n in re.findall(r"<h([1-6])\b", page)]
        assert levels[0] == 1, urgent
        assert levels.count(1) == 1, urgent
        assert all(b - a <= 1 for a, b in pairwise(levels)), levels


def test_988_can_be_called_or_texted_from_the_email() -> None:
    page = render_confirmation_email(_inquiry(urgent=True), SETTINGS).html
    assert 'href="tel:988"' in page
    assert 'href="sms:988"' in page


def test_urgent_email_leads_with_all_three_resources_and_their_links() -> None:
    email = render_confirmation_email(_inquiry(urgent=True), SETTINGS)
    greeting_text = email.text.index("Hello,")
    greeting_html = email.html.index("Hello,")

    for needle in ("988 Suicide & Crisis Lifeline", "press 1", "911", "nearest emergency room",
                   "Crisis Text Line", "Text HOME to 741741"):
        assert -1 < email.text.index(needle) < greeting_text, needle
        assert -1 < email.html.index(html.escape(needle)) < greeting_html, needle
    for link in ('href="tel:988"', 'href="sms:988"', 'href="tel:911"', 'href="sms:741741?&amp;body=HOME"'):
        assert -1 < email.html.index(link) < greeting_html, link


def test_ordinary_email_lists_the_three_resources_at_the_end() -> None:
    email = render_confirmation_email(_inquiry(urgent=False), SETTINGS)

    assert email.text.index("Crisis Text Line") > email.text.index("With care")
    assert 'href="sms:741741?&amp;body=HOME"' in email.html


def test_an_urgent_email_never_promises_the_ordinary_wait() -> None:
    # The care team's target for an urgent inquiry is an hour, not a business day; the email says so honestly
    # (as soon as possible, with the crisis lines first) instead of telling someone in danger to wait a day.
    urgent = render_confirmation_email(_inquiry(urgent=True, preferred_contact="phone"), SETTINGS)
    ordinary = render_confirmation_email(_inquiry(preferred_contact="phone"), SETTINGS)

    for part in (urgent.text, urgent.html):
        assert "within one business day" not in part
        assert f"by phone {SETTINGS.urgent_response_time_text}" in part
    for part in (ordinary.text, ordinary.html):
        assert "by phone within one business day" in part
        assert SETTINGS.urgent_response_time_text not in part
