"""Where an inquiry may go next in the care team's workflow, and what each move means.

``new`` -> ``attempting`` -> ``contacted`` -> ``scheduled`` -> ``closed`` (``new`` may also go straight to
``contacted`` when the first try reaches the person); any open status (new, attempting, contacted,
scheduled) -> ``not_a_fit`` or ``closed``, a close naming its reason (``CloseReason``); ``new`` or
``attempting`` -> ``spam`` holds back what staff recognise as spam (no reminders, not a first contact);
``spam`` -> ``new`` releases it; ``closed`` or ``not_a_fit`` -> ``attempting`` reopens it.

The response clock runs until the person is first *reached*: a move from ``new`` or ``attempting`` into
``contacted`` or ``scheduled``, once per inquiry (``first_contact_at``). Trying (``attempting``), marking
spam, and closing or turning away without a contact are not first contacts.

The queue (``GET /care/queue``) shows the inquiries still being worked (``QUEUE_STATUSES``) by attention:
urgent first, then overdue, then priority, then by due time (``attention_key``).
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from inquiries.record import InquiryStatus, Level


class CloseReason(StrEnum):
    """Why an inquiry was closed (required with every move to ``closed``)."""

    SCHEDULED = "scheduled"
    NOT_A_FIT = "not_a_fit"
    UNREACHABLE = "unreachable"
    DUPLICATE = "duplicate"
    OTHER = "other"


OPEN_STATUSES = frozenset({InquiryStatus.NEW, InquiryStatus.ATTEMPTING, InquiryStatus.CONTACTED,
                           InquiryStatus.SCHEDULED})
# What the queue shows: every inquiry someone still has to reach or talk to (scheduled ones wait for
# their appointment, in their own list).
QUEUE_STATUSES = (InquiryStatus.NEW, InquiryStatus.ATTEMPTING, InquiryStatus.CONTACTED)
# Statuses whose response clock still runs (reminders, overdue).
AWAITING_CONTACT = frozenset({InquiryStatus.NEW, InquiryStatus.ATTEMPTING})
_FINAL = frozenset({InquiryStatus.CLOSED, InquiryStatus.NOT_A_FIT})
_REACHED = frozenset({InquiryStatus.CONTACTED, InquiryStatus.SCHEDULED})
_NEXT: dict[InquiryStatus, frozenset[InquiryStatus]] = {
    InquiryStatus.NEW: frozenset({InquiryStatus.ATTEMPTING, InquiryStatus.CONTACTED, InquiryStatus.SPAM}),
    InquiryStatus.ATTEMPTING: frozenset({InquiryStatus.CONTACTED, InquiryStatus.SPAM}),
    InquiryStatus.CONTACTED: frozenset({InquiryStatus.SCHEDULED}),
    InquiryStatus.SCHEDULED: frozenset({InquiryStatus.CLOSED}),
    InquiryStatus.SPAM: frozenset({InquiryStatus.NEW}),
    InquiryStatus.CLOSED: frozenset({InquiryStatus.ATTEMPTING}),
    InquiryStatus.NOT_A_FIT: frozenset({InquiryStatus.ATTEMPTING}),
}


def allowed_next(current: InquiryStatus) -> frozenset[InquiryStatus]:
    """Every status ``current`` may move to."""
    following = set(_NEXT.get(current, frozenset()))
    if current in OPEN_STATUSES:
        following |= {InquiryStatus.NOT_A_FIT, InquiryStatus.CLOSED}
    return frozenset(following)


def can_move(current: InquiryStatus, target: InquiryStatus) -> bool:
    """True when ``current`` -> ``target`` is a step of the workflow."""
    return target in allowed_next(current)


def is_release(current: InquiryStatus, target: InquiryStatus) -> bool:
    """True for ``spam`` -> ``new``: a held-back submission goes out as a new inquiry."""
    return current is InquiryStatus.SPAM and target is InquiryStatus.NEW


def is_marked_spam(current: InquiryStatus, target: InquiryStatus) -> bool:
    """True for ``new``/``attempting`` -> ``spam``: staff hold back a submission (released later like any spam)."""
    return current in AWAITING_CONTACT and target is InquiryStatus.SPAM


def is_reopen(current: InquiryStatus, target: InquiryStatus) -> bool:
    """True for ``closed``/``not_a_fit`` -> ``attempting``: a finished inquiry is worked again."""
    return current in _FINAL and target is InquiryStatus.ATTEMPTING


def is_first_contact(current: InquiryStatus, target: InquiryStatus) -> bool:
    """True when a move reaches the person for the first time in this inquiry's workflow: from ``new`` or
    ``attempting`` into ``contacted`` or ``scheduled``. Trying, spam, and closing without a contact are not
    (the caller also checks ``first_contact_at``: counted once per inquiry, a reopened one included)."""
    return current in AWAITING_CONTACT and target in _REACHED


def needs_close_reason(target: InquiryStatus) -> bool:
    """True when a move to ``target`` must name a ``CloseReason``."""
    return target is InquiryStatus.CLOSED


def is_overdue(values: Mapping[str, Any], now_iso: str) -> bool:
    """True when an inquiry still awaiting its first contact is past its ``due_at``."""
    due = values.get("due_at")
    return (values.get("status") in AWAITING_CONTACT and isinstance(due, str) and due < now_iso)


def attention_key(values: Mapping[str, Any], now_iso: str, *, lifted: bool = False) -> tuple[Any, ...]:
    """The queue's order: urgent (or lifted by the same person's urgent inquiry) first, then overdue, then
    priority, then the earliest due time (none last), then the oldest."""
    level = values.get("level") or ("urgent" if values.get("urgent") else "none")
    urgent = level == Level.URGENT or lifted
    due = values.get("due_at")
    return (0 if urgent else 1, 0 if is_overdue(values, now_iso) else 1,
            0 if level == Level.PRIORITY else 1, due if isinstance(due, str) else "\uffff",
            str(values.get("created_at", "")), str(values.get("inquiry_id", "")))
