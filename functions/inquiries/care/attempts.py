"""Contact attempts: how the care team tried to reach a person, what came of it, and where that leaves the
inquiry.

An attempt that ``reached`` the person moves an inquiry still awaiting its first contact (``new`` or
``attempting``) to ``contacted`` (the end of its response clock); any other outcome moves ``new`` to
``attempting``, which keeps the clock running and the reminders coming. An inquiry keeps at most
``MAX_ATTEMPTS_PER_INQUIRY`` attempts (well under DynamoDB's 400 KB item limit) and takes them only while
open: a closed, turned-away or held-back one is reopened or released first.
"""

from __future__ import annotations

from enum import StrEnum

from inquiries.care.transitions import AWAITING_CONTACT, OPEN_STATUSES
from inquiries.record import InquiryStatus

MAX_ATTEMPTS_PER_INQUIRY = 100


class Channel(StrEnum):
    """How the care team tried to reach the person."""

    PHONE = "phone"
    SMS = "sms"
    EMAIL = "email"


class Outcome(StrEnum):
    """What came of one attempt."""

    REACHED = "reached"
    NO_ANSWER = "no_answer"
    VOICEMAIL = "voicemail"
    WRONG_NUMBER = "wrong_number"
    CALL_LATER = "call_later"


def takes_attempts(status: InquiryStatus) -> bool:
    """True when an inquiry in ``status`` may log an attempt (any open status)."""
    return status in OPEN_STATUSES


def status_after(current: InquiryStatus, outcome: Outcome) -> InquiryStatus:
    """The status an attempt with ``outcome`` leaves an open inquiry in."""
    if outcome is Outcome.REACHED:
        return InquiryStatus.CONTACTED if current in AWAITING_CONTACT else current
    return InquiryStatus.ATTEMPTING if current is InquiryStatus.NEW else current
