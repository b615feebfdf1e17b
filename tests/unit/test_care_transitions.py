"""The care team's workflow: which status moves are allowed, and which reason a level correction needs."""

from __future__ import annotations

import pytest
from inquiries.care.access import parse_groups
from inquiries.care.levels import LevelReason, reason_for
from inquiries.care.transitions import allowed_next, can_move, is_first_contact, is_release
from inquiries.record import InquiryStatus as S
from inquiries.record import Level


@pytest.mark.parametrize(("current", "expected"), [
    (S.NEW, {S.CONTACTED, S.NOT_A_FIT, S.CLOSED, S.SPAM}),
    (S.CONTACTED, {S.SCHEDULED, S.NOT_A_FIT, S.CLOSED}),
    (S.SCHEDULED, {S.NOT_A_FIT, S.CLOSED}),
    (S.CLOSED, set()),
    (S.NOT_A_FIT, set()),
    (S.SPAM, {S.NEW}),
])
def test_each_status_may_move_only_to_its_next_steps(current: S, expected: set[S]) -> None:
    assert allowed_next(current) == expected


def test_nothing_moves_backwards_and_only_new_moves_into_spam() -> None:
    assert not can_move(S.CONTACTED, S.NEW)
    assert not can_move(S.SCHEDULED, S.CONTACTED)
    assert [status for status in S if can_move(status, S.SPAM)] == [S.NEW]


def test_release_and_first_contact_are_recognised() -> None:
    assert is_release(S.SPAM, S.NEW) and not is_release(S.NEW, S.CONTACTED)
    assert is_first_contact(S.NEW, S.CONTACTED) and is_first_contact(S.NEW, S.NOT_A_FIT)
    assert not is_first_contact(S.CONTACTED, S.SCHEDULED) and not is_first_contact(S.SPAM, S.NEW)
    assert not is_first_contact(S.NEW, S.SPAM), "marking spam is not a first contact"


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
