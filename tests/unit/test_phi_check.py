"""The per-test PHI check (tests/conftest.py) really sees what the functions' logger writes."""

from __future__ import annotations

from inquiries.observability import logger

from tests.support import phi


def test_a_planted_leak_of_a_first_name_is_found_in_the_loggers_output() -> None:
    submitted = phi.SubmittedValues()
    # Registered here only, not with the autouse fixture (which would rightly fail this test's teardown).
    submitted.register({"name": "Zephyrine Quillfeather", "email": "zq.check@example.org", "consent_to_contact": True})
    first_name = "Zephyrine"
    with phi.LogCapture() as lines:
        logger.info("ordinary line", extra={"inquiry_id": "01JAAAAAAAAAAAAAAAAAAAAAAA"})
    assert submitted.leaks(lines.text) == [], "ids and fixed texts are not PHI"
    with phi.LogCapture() as lines:
        logger.info("a careless line", extra={"who": first_name})
    assert submitted.leaks(lines.text), "a first name in a log line is caught"
