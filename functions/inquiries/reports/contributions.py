"""What one inquiry adds to the weekly aggregates, as a function of its stored state alone.

``contributions(values)`` says which counters an inquiry in this state adds to: ``{(week, figure):
{counter: n}}``. Every write that changes an inquiry adds ``difference(after, before)`` to the aggregates
in its own transaction (intake: the new inquiry's contributions; the care API: a change's), and the
rebuild command adds a stored inquiry's contributions once: the same function either way, so the
aggregates equal the sum of the inquiries' contributions, each counted exactly once.

Weeks are ISO weeks (``2026-W49``) in the clinic's time zone. An inquiry counts in the week it was
received (``released_at`` for a released held-back submission, else ``created_at``); a triage correction
in the week it was made. A held-back submission (``spam``) counts nothing until released.

Figures and their counters (every name from a closed vocabulary, ``reports.vocabulary``):

- ``volume``: ``all``; ``level#<level>``, ``topic#<topic>``, ``language#<language>``,
  ``referral#<kind>``; ``scheduled`` (it ever reached ``scheduled``, as a status or a close reason);
  ``reached`` (it has a first contact) and ``attempts_to_reach`` (attempts logged up to the first contact).
- ``ttfc`` (time to first contact, received -> first *reached* contact, in minutes): for each of
  ``all#all``, ``level#<level>``, ``language#<language>``, ``topic#<topic>``: ``<dim>#b<i>`` (how many fell
  in bucket ``i`` of ``BUCKET_EDGES_MINUTES``) and ``<dim>#on_time`` (how many were first contacted by
  their due time).
- ``corrections``: ``all``, ``direction#<missed|false_alarm>``, ``category#<first category>``,
  ``language#<language>``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from datetime import datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from inquiries.reports.vocabulary import (
    CATEGORIES,
    DIRECTIONS,
    LANGUAGES,
    LEVELS,
    NONE,
    TOPICS,
    closed,
    referral_kind,
)

VOLUME = "volume"
TTFC = "ttfc"
CORRECTIONS = "corrections"
FIGURES = (VOLUME, TTFC, CORRECTIONS)
# Upper edges (minutes) of the time-to-first-contact buckets; the last bucket is open (longer than a week).
BUCKET_EDGES_MINUTES: tuple[int, ...] = (15, 30, 60, 120, 240, 480, 1440, 2880, 4320, 10080)
BUCKETS = len(BUCKET_EDGES_MINUTES) + 1
SCHEDULED = "scheduled"

Counts = dict[tuple[str, str], dict[str, int]]


if TYPE_CHECKING:
    from zoneinfo import ZoneInfo


@lru_cache(maxsize=4)
def _zone(name: str) -> ZoneInfo:
    # Imported here: zoneinfo loads sysconfig to find the time-zone data, a cold-start cost (care/response_time.py).
    from zoneinfo import ZoneInfo

    return ZoneInfo(name)


def _parse(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def week_of(timestamp: str, time_zone: str) -> str:
    """The ISO week (``2026-W49``) a UTC ISO timestamp falls in, in ``time_zone``."""
    year, week, _day = _parse(timestamp).astimezone(_zone(time_zone)).isocalendar()
    return f"{year}-W{week:02d}"


def bucket_of(minutes: float) -> int:
    """The bucket index of a time to first contact (the first edge it does not exceed; the open one past)."""
    for index, edge in enumerate(BUCKET_EDGES_MINUTES):
        if minutes <= edge:
            return index
    return len(BUCKET_EDGES_MINUTES)


def _reached_scheduled(values: Mapping[str, Any]) -> bool:
    if values.get("status") == SCHEDULED or values.get("close_reason") == SCHEDULED:
        return True
    for entry in values.get("history") or []:
        if isinstance(entry, dict) and entry.get("action") in ("status", "reopened") and (
                entry.get("to") == SCHEDULED or entry.get("reason") == SCHEDULED):
            return True
    return False


def _attempts_to_reach(values: Mapping[str, Any], first_contact: str) -> int:
    return sum(1 for a in values.get("attempts") or []
               if isinstance(a, dict) and isinstance(a.get("at"), str) and a["at"] <= first_contact)


def _on_time(values: Mapping[str, Any], first_contact: str) -> bool:
    flag = values.get("first_contact_on_time")
    if isinstance(flag, bool):
        return flag
    due = values.get("due_at")
    return isinstance(due, str) and first_contact <= due


def contributions(values: Mapping[str, Any], time_zone: str) -> Counts:
    """The counters an inquiry stored as ``values`` adds to (see the module's docstring). Reads only
    closed-vocabulary fields, times and the referral source's kind: never a name, contact, message or note."""
    if values.get("status") == "spam" or values.get("spam") is True or not isinstance(values.get("created_at"), str):
        return {}
    counts: Counts = defaultdict(lambda: defaultdict(int))
    received = str(values.get("released_at") or values["created_at"])
    week = week_of(received, time_zone)
    level = closed(values.get("level") or NONE, LEVELS)
    language = closed(values.get("language") or "en", LANGUAGES)
    topic = closed(values.get("topic"), TOPICS)
    volume = counts[(week, VOLUME)]
    for counter in ("all", f"level#{level}", f"topic#{topic}", f"language#{language}",
                    f"referral#{referral_kind(values.get('referral_source'))}"):
        volume[counter] += 1
    if _reached_scheduled(values):
        volume[SCHEDULED] += 1
    first_contact = values.get("first_contact_at")
    if isinstance(first_contact, str):
        volume["reached"] += 1
        volume["attempts_to_reach"] += _attempts_to_reach(values, first_contact)
        minutes = max(0.0, (_parse(first_contact) - _parse(received)).total_seconds() / 60)
        bucket, on_time = bucket_of(minutes), _on_time(values, first_contact)
        ttfc = counts[(week, TTFC)]
        for dimension in ("all#all", f"level#{level}", f"language#{language}", f"topic#{topic}"):
            ttfc[f"{dimension}#b{bucket}"] += 1
            if on_time:
                ttfc[f"{dimension}#on_time"] += 1
    categories = values.get("triage_categories") or []
    category = closed(categories[0] if isinstance(categories, list) and categories else NONE, CATEGORIES)
    for entry in values.get("history") or []:
        if not (isinstance(entry, dict) and entry.get("action") == "level" and isinstance(entry.get("at"), str)):
            continue
        corrections = counts[(week_of(entry["at"], time_zone), CORRECTIONS)]
        for counter in ("all", f"direction#{closed(entry.get('reason'), DIRECTIONS)}", f"category#{category}",
                        f"language#{language}"):
            corrections[counter] += 1
    return {key: dict(counters) for key, counters in counts.items()}


def difference(after: Counts, before: Counts) -> Counts:
    """What to add to the aggregates when an inquiry's contributions go from ``before`` to ``after`` (no zeros)."""
    changed: Counts = {}
    for key in set(after) | set(before):
        now, then = after.get(key, {}), before.get(key, {})
        deltas = {c: now.get(c, 0) - then.get(c, 0) for c in set(now) | set(then)}
        deltas = {c: d for c, d in deltas.items() if d}
        if deltas:
            changed[key] = deltas
    return changed


def changed_values(current: Mapping[str, Any], sets: Mapping[str, Any], removes: tuple[str, ...] | list[str],
                   append: Mapping[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """An inquiry's values after an update that sets ``sets``, removes ``removes`` and extends ``append``."""
    after = {k: v for k, v in current.items() if k not in removes}
    after.update(sets)
    for name, entries in append.items():
        if entries:
            after[name] = [*(current.get(name) or []), *entries]
    return after
