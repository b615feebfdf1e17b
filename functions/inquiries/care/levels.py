"""A care-team member's correction of triage's level, and the reason it needs.

Levels are ordered ``urgent`` > ``priority`` > ``none``. Raising one is a ``missed`` danger (triage set
it too low), lowering one a ``false_alarm`` (too high): every change of level names which, and only the
reason that fits its direction is accepted (DESIGN.md, "Triage levels").
"""

from __future__ import annotations

from enum import StrEnum

from inquiries.record import Level

_RANK: dict[Level, int] = {Level.NONE: 0, Level.PRIORITY: 1, Level.URGENT: 2}


class LevelReason(StrEnum):
    """Why a care-team member changed an inquiry's level: what they found triage got wrong."""

    MISSED = "missed"
    FALSE_ALARM = "false_alarm"


def reason_for(current: Level, target: Level) -> LevelReason | None:
    """The one reason a move from ``current`` to ``target`` may give; None when the level stays."""
    if _RANK[target] > _RANK[current]:
        return LevelReason.MISSED
    if _RANK[target] < _RANK[current]:
        return LevelReason.FALSE_ALARM
    return None
