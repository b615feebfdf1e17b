"""Where an inquiry may go next in the care team's workflow.

``new`` -> ``contacted`` -> ``scheduled`` -> ``closed``; any open status (new, contacted, scheduled)
-> ``not_a_fit`` or ``closed``; ``new`` -> ``spam`` holds back what staff recognise as spam (no reminders,
not a first contact); ``spam`` -> ``new`` releases a held-back submission. ``closed`` and ``not_a_fit`` are
final.
"""

from __future__ import annotations

from inquiries.record import InquiryStatus

OPEN_STATUSES = frozenset({InquiryStatus.NEW, InquiryStatus.CONTACTED, InquiryStatus.SCHEDULED})
_NEXT: dict[InquiryStatus, frozenset[InquiryStatus]] = {
    InquiryStatus.NEW: frozenset({InquiryStatus.CONTACTED, InquiryStatus.SPAM}),
    InquiryStatus.CONTACTED: frozenset({InquiryStatus.SCHEDULED}),
    InquiryStatus.SCHEDULED: frozenset({InquiryStatus.CLOSED}),
    InquiryStatus.SPAM: frozenset({InquiryStatus.NEW}),
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
    """True for ``new`` -> ``spam``: staff hold back a submission (released later like any spam)."""
    return current is InquiryStatus.NEW and target is InquiryStatus.SPAM


def is_first_contact(current: InquiryStatus, target: InquiryStatus) -> bool:
    """True when an inquiry leaves ``new`` for the workflow (the end of its time to first contact); not when
    it is marked spam."""
    return current is InquiryStatus.NEW and target not in (InquiryStatus.NEW, InquiryStatus.SPAM)
