"""The care team's workflow: which status moves are allowed, and which reason a level correction needs."""

from __future__ import annotations

import pytest
from inquiries.care.access import parse_groups
from inquiries.care.levels import LevelReason, reason_for
from inquiries.care.transitions import (
    CloseReason,
    allowed_next,
    attention_key,
    can_move,
    is_first_contact,
    is_marked_spam,
    is_release,
    is_reopen,
    needs_close_reason,
)
from inquiries.record import InquiryStatus as S
from inquiries.record import Level


@pytest.mark.parametrize(("current", "expected"), [
    (S.NEW, {S.ATTEMPTING, S.CONTACTED, S.NOT_A_FIT, S.CLOSED, S.SPAM}),
    (S.ATTEMPTING, {S.CONTACTED, S.NOT_A_FIT, S.CLOSED, S.SPAM}),
    (S.CONTACTED, {S.SCHEDULED, S.NOT_A_FIT, S.CLOSED}),
    (S.SCHEDULED, {S.NOT_A_FIT, S.CLOSED}),
    (S.CLOSED, {S.ATTEMPTING}),
    (S.NOT_A_FIT, {S.ATTEMPTING}),
    (S.SPAM, {S.NEW}),
])
def test_each_status_may_move_only_to_its_next_steps(current: S, expected: set[S]) -> None:
    assert allowed_next(current) == expected


def test_nothing_moves_backwards_and_only_new_or_attempting_moves_into_spam() -> None:
    assert not can_move(S.CONTACTED, S.NEW) and not can_move(S.CONTACTED, S.ATTEMPTING)
    assert not can_move(S.SCHEDULED, S.CONTACTED)
    assert [status for status in S if can_move(status, S.SPAM)] == [S.NEW, S.ATTEMPTING]
    assert is_marked_spam(S.ATTEMPTING, S.SPAM) and not is_marked_spam(S.SPAM, S.NEW)


def test_release_reopen_and_first_contact_are_recognised() -> None:
    assert is_release(S.SPAM, S.NEW) and not is_release(S.NEW, S.CONTACTED)
    assert is_reopen(S.CLOSED, S.ATTEMPTING) and is_reopen(S.NOT_A_FIT, S.ATTEMPTING)
    assert not is_reopen(S.NEW, S.ATTEMPTING)
    assert is_first_contact(S.NEW, S.CONTACTED) and is_first_contact(S.ATTEMPTING, S.CONTACTED)
    assert not is_first_contact(S.CONTACTED, S.SCHEDULED) and not is_first_contact(S.SPAM, S.NEW)
    assert not is_first_contact(S.NEW, S.SPAM), "marking spam is not a first contact"
    assert not is_first_contact(S.NEW, S.ATTEMPTING), "trying is not reaching"
    assert not is_first_contact(S.ATTEMPTING, S.CLOSED) and not is_first_contact(S.NEW, S.NOT_A_FIT), \
        "closing without a contact is not a first contact"


def test_only_a_close_names_its_reason_and_the_reasons_are_the_designs() -> None:
    assert [s for s in S if needs_close_reason(s)] == [S.CLOSED]
    assert {r.value for r in CloseReason} == {"scheduled", "not_a_fit", "unreachable", "duplicate", "other"}


NOW = "2026-03-10T17:00:00.000Z"


def _row(inquiry_id: str, level: str, due_at: str | None, status: str = "new",
         created_at: str = "2026-03-10T09:00:00.000Z") -> dict[str, object]:
    return {"inquiry_id": inquiry_id, "level": level, "urgent": level == "urgent", "due_at": due_at,
            "status": status, "created_at": created_at}


def test_attention_orders_urgent_then_overdue_then_priority_then_due_time() -> None:
    rows = [
        _row("late-normal", "none", "2026-03-10T16:00:00.000Z"),
        _row("soon-priority", "priority", "2026-03-10T18:00:00.000Z"),
        _row("later-normal", "none", "2026-03-11T18:00:00.000Z"),
        _row("sooner-normal", "none", "2026-03-11T10:00:00.000Z"),
        _row("urgent", "urgent", "2026-03-10T17:30:00.000Z"),
        _row("late-urgent", "urgent", "2026-03-10T16:30:00.000Z"),
        _row("late-priority", "priority", "2026-03-10T16:50:00.000Z"),
        _row("reached-late", "none", "2026-03-10T12:00:00.000Z", status="contacted"),
        _row("no-due", "none", None, status="contacted"),
    ]

    ordered = [str(r["inquiry_id"]) for r in sorted(rows, key=lambda r: attention_key(r, NOW))]

    assert ordered == ["late-urgent", "urgent", "late-priority", "late-normal", "soon-priority",
                       "reached-late", "sooner-normal", "later-normal", "no-due"]


def test_a_lifted_inquiry_ranks_with_the_urgent_ones() -> None:
    urgent = _row("urgent", "urgent", "2026-03-10T17:30:00.000Z")
    lifted = _row("lifted", "none", "2026-03-12T17:30:00.000Z", created_at="2026-03-10T09:30:00.000Z")
    overdue = _row("overdue", "priority", "2026-03-10T10:00:00.000Z")

    ordered = sorted([overdue, lifted, urgent],
                     key=lambda r: attention_key(r, NOW, lifted=r["inquiry_id"] == "lifted"))

    assert [r["inquiry_id"] for r in ordered] == ["urgent", "lifted", "overdue"]


@pytest.mark.parametrize("claim", ["care-team,care-admin", "[care-team care-admin]", ["care-team", "care-admin"],
                                   " care-team , care-admin "])
def test_groups_are_read_from_every_form_api_gateway_passes(claim: object) -> None:
    assert parse_groups(claim) == {"care-team", "care-admin"}


def test_no_groups_claim_means_no_groups() -> None:
    assert parse_groups(None) == frozenset() and parse_groups("") == frozenset()


@pytest.mark.parametrize(("current", "target", "reason"), [
    (Level.NONE, Level.PRIORITY, LevelReason.MISSED),
    (Level.NONE, Level.URGENT, LevelReason.MISSED),
    (Level.PRIORITY, Level.URGENT, LevelReason.MISSED),
    (Level.URGENT, Level.PRIORITY, LevelReason.FALSE_ALARM),
    (Level.URGENT, Level.NONE, LevelReason.FALSE_ALARM),
    (Level.PRIORITY, Level.NONE, LevelReason.FALSE_ALARM),
    (Level.NONE, Level.NONE, None),
    (Level.PRIORITY, Level.PRIORITY, None),
    (Level.URGENT, Level.URGENT, None),
])
def test_raising_a_level_is_a_missed_danger_and_lowering_it_a_false_alarm(current: Level, target: Level,
                                                                          reason: LevelReason | None) -> None:
    assert reason_for(current, target) is reason
