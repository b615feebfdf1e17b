"""The care team's work, without any API Gateway types: list, read and change inquiries, each audited.

Every act is audited before its answer leaves: a list or read whose audit entry cannot be stored
answers nothing; a change and its audit entry commit in one transaction. Releasing a held-back
submission (``spam`` -> ``new``) marks it dispatch-pending in the same write and then dispatches it
like a new inquiry (RedispatchFunction retries a send that fails).

A status move follows ``care.transitions`` (a close names its reason; a reopen gets a fresh response
target); a contact attempt (``care.attempts``) is kept on the inquiry and moves its status by its outcome;
the first *reached* contact sets ``first_contact_at`` and is measured once as ``TimeToFirstContact``. A bulk
change runs each inquiry through the same change path. The queue (``care.queue``) answers from the index
alone when the caller's ETag is current, and is otherwise audited as a list of ``queue``.

Correcting triage's level (``level`` with ``level_reason``) sets ``level`` and ``urgent`` together, moves
the response target while the inquiry still waits for a first contact, and counts the correction as
``TriageCorrected`` by direction, first triage category and language, straight to CloudWatch: an EMF
line in the invocation's logs, beside the line naming the inquiry, would tell what triage got wrong.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cached_property
from typing import TYPE_CHECKING, Any

from inquiries.care.access import CARE_ADMIN, CareActor
from inquiries.care.attempts import MAX_ATTEMPTS_PER_INQUIRY, status_after, takes_attempts
from inquiries.care.levels import LevelReason, reason_for
from inquiries.care.members import MemberNames
from inquiries.care.queue import (
    QUEUE_READ_BOUND,
    etag_matches,
    for_assignee,
    ordered_queue,
    queue_etag,
    shown_rows,
)
from inquiries.care.response_time import due_at
from inquiries.care.search import SEARCH, InquirySearch
from inquiries.care.team import NOT_A_MEMBER, TeamDirectory
from inquiries.care.transitions import (
    AWAITING_CONTACT,
    QUEUE_STATUSES,
    CloseReason,
    can_move,
    is_first_contact,
    is_marked_spam,
    is_release,
    is_reopen,
    needs_close_reason,
)
from inquiries.care.views import (
    ATTEMPT_FIELD_MESSAGES,
    AuditTrail,
    BulkResult,
    BulkResults,
    CareInquiry,
    CarePage,
    CareQueue,
    CareTeam,
    RelatedInquiry,
    RequestedAttempt,
    RequestedChange,
    SearchResults,
    audit_item,
    full_inquiry,
    list_item,
    related_inquiry,
)
from inquiries.data.audit import AUDIT_READ, LIST, AuditEntry, AuditRecords
from inquiries.data.care import CareRecords
from inquiries.data.cursor import ListCursors
from inquiries.data.errors import InquiryNotFound, VersionConflict
from inquiries.data.inquiries import InquiryRepository
from inquiries.data.items import DISPATCH_PENDING, iso
from inquiries.data.lookups import LookupRecords, lookup_ttl_updates
from inquiries.data.stats import StatsRecords
from inquiries.intake.dispatch import Dispatcher, dispatch_and_clear
from inquiries.observability import (
    MetricUnit,
    count,
    count_level_without_logging,
    count_without_logging,
    logger,
    metrics,
)
from inquiries.peppers import peppers
from inquiries.record import InquiryStatus, Language, Level, StoredValues, read_level
from inquiries.reports.contributions import changed_values, contributions, difference
from inquiries.settings import CareApiSettings

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.type_defs import TransactWriteItemTypeDef

FIRST_CONTACT_METRIC = "TimeToFirstContact"
# What a status list reads beside the index for each row shown (the index does not project them).
ATTEMPT_DETAILS = ("attempt_count", "next_attempt_at")
CORRECTION_METRIC = "TriageCorrected"
# Fixed texts: they name the rule, never the inquiry's level (a care field, PHI like the rest).
REASON_NEEDED = ("Give the reason for the new level: missed (a missed danger, when raising it) or "
                 "false_alarm (a false alarm, when lowering it).")
REASON_MISMATCH = ("The reason does not fit the change: missed raises the level (none, priority, urgent) "
                   "and false_alarm lowers it.")
REASON_WITHOUT_CHANGE = "Give level_reason only with a level that differs from the inquiry's current one."
CLOSE_REASON_NEEDED = f"Give the reason for closing: one of {', '.join(CloseReason)}."
CLOSE_REASON_WITHOUT_CLOSE = "Give close_reason only with a move to closed."
ATTEMPT_NOT_OPEN = "Only an open inquiry takes attempts: reopen or release it first."
ATTEMPTS_FULL = (f"This inquiry has reached its limit of {MAX_ATTEMPTS_PER_INQUIRY} attempts: keep further "
                 "attempts in the clinic's record.")

# A bound on one inquiry's notes, well under DynamoDB's 400 KB item limit (past which the item could
# never be updated again): at most this many notes, and this many bytes of note text (UTF-8).
MAX_NOTES_PER_INQUIRY = 200
NOTES_BYTE_BUDGET = 160 * 1024
NOTES_FULL = (f"This inquiry has reached its limit of notes ({MAX_NOTES_PER_INQUIRY} notes, or "
              f"{NOTES_BYTE_BUDGET // 1024} KB of text): no more can be added. Keep further notes in the "
              "clinic's record.")


# A bound on the whole inquiry item: every change adds a history entry (and notes and attempts have their own
# bounds), so without it years of changes could reach DynamoDB's 400 KB item limit, where every write fails. The
# size is estimated as the item's JSON (longer than DynamoDB counts it: quotes, separators), so the real item
# stays below the limit. A note or an attempt is refused first; other changes (a status move, closing it) keep
# a reserve beyond that.
ITEM_BYTE_BUDGET = 390 * 1024
ITEM_BYTE_BUDGET_FOR_NOTES = 360 * 1024
RECORD_FULL = ("This inquiry's record is full: it holds as much history, notes and attempts as one inquiry can, "
               "so this change cannot be kept on it. Keep further notes in the clinic's record.")


def _check_item_room(current: dict[str, Any], write: _Write) -> None:
    """Raise ``InvalidChange`` (422) when the item with this change would pass its budget."""
    added = {"sets": write.sets, "history": write.history, "notes": write.notes, "attempts": write.attempts}
    size = len(json.dumps(current, default=str).encode("utf-8")) + len(json.dumps(added, default=str).encode("utf-8"))
    budget = ITEM_BYTE_BUDGET_FOR_NOTES if write.notes or write.attempts else ITEM_BYTE_BUDGET
    if size > budget:
        raise InvalidChange("note" if write.notes else None, RECORD_FULL)


class InvalidChange(Exception):
    """A change the workflow does not allow (422); ``field`` names what is wrong."""

    def __init__(self, field: str | None, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _parse(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


@dataclass
class _Write:
    sets: dict[str, Any]
    removes: list[str]
    history: list[dict[str, Any]]
    notes: list[dict[str, Any]]
    fields: list[str]
    correction: LevelReason | None = None
    attempts: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class QueueAnswer:
    """The queue's ETag, and the queue itself (None when the caller's copy is current: a 304)."""

    etag: str
    view: CareQueue | None


def _level_change(current: Level, requested: RequestedChange) -> tuple[Level, LevelReason] | None:
    """The new level and its reason, or None when the level stays. Raises ``InvalidChange``: a change
    without a reason, a reason that does not fit its direction, or a reason without a change."""
    change = requested.change
    target = change.level if change.level is not None else current
    fitting = reason_for(current, target)
    if fitting is None:
        if change.level_reason is not None:
            raise InvalidChange("level_reason", REASON_WITHOUT_CHANGE)
        return None
    if change.level_reason is None:
        raise InvalidChange("level_reason", REASON_NEEDED)
    if change.level_reason is not fitting:
        raise InvalidChange("level_reason", REASON_MISMATCH)
    return target, fitting


def _check_room_for(note: str, current: dict[str, Any]) -> None:
    """Raise ``InvalidChange`` (422) when one more note would pass the bound on an inquiry's notes."""
    notes = current.get("notes") or []
    used = sum(len(str(n.get("text", "")).encode("utf-8")) for n in notes if isinstance(n, dict))
    if len(notes) >= MAX_NOTES_PER_INQUIRY or used + len(note.encode("utf-8")) > NOTES_BYTE_BUDGET:
        raise InvalidChange("note", NOTES_FULL)


class CareService:
    """Lists, reads and changes inquiries for a signed-in care-team member."""

    def __init__(self, settings: CareApiSettings, *, records: CareRecords | None = None,
                 audit: AuditRecords | None = None, dispatcher: Dispatcher | None = None,
                 names: MemberNames | None = None, clock: Callable[[], datetime] = _utcnow) -> None:
        self.settings = settings
        self.names = names or MemberNames(settings.user_pool_id, settings.member_name_cache_seconds)
        self.records = records or CareRecords(settings.inquiries_table)
        self.inquiries = InquiryRepository(settings.inquiries_table)
        self.audit = audit or AuditRecords(settings.audit_table, settings.audit_retention_days)
        self.dispatcher = dispatcher or Dispatcher(settings)
        self.cursors = ListCursors(lambda: peppers(settings.pepper_secret))
        self.clock = clock

    def list_inquiries(self, actor: CareActor, status: InquiryStatus, limit: int, cursor: str | None) -> CarePage:
        """One page of inquiries in ``status``, newest first, audited with the status, the page number and
        the ids shown. Raises ``InvalidCursor`` for a cursor this API did not hand out for this list."""
        start_key, page = self.cursors.open(cursor, status.value) if cursor else (None, 1)
        found = self.records.list_by_status(status.value, limit, start_key)
        counted = self.records.details([str(v["inquiry_id"]) for v in found.items], ATTEMPT_DETAILS)
        items = tuple(list_item({**values, **counted.get(str(values["inquiry_id"]), {})}) for values in found.items)
        self.audit.record(self._entry(actor, self.clock(), LIST, status=status.value, page=page,
                                      inquiry_ids=tuple(item.inquiry_id for item in items)))
        next_cursor = self.cursors.seal(found.last_key, page + 1) if found.last_key else None
        return CarePage(items=items, next_cursor=next_cursor)

    def read(self, actor: CareActor, inquiry_id: str) -> CareInquiry:
        """One inquiry in full (the only place its details are shown). Raises ``InquiryNotFound``."""
        values = self.records.get(inquiry_id)
        if values is None:
            raise InquiryNotFound(inquiry_id)
        related = self._related(values)
        self.audit.record(self._entry(actor, self.clock(), "read", inquiry_id=inquiry_id,
                                      inquiry_ids=tuple(r.inquiry_id for r in related) or None))
        return full_inquiry(values, self.names.name_of, related)

    def change(self, actor: CareActor, inquiry_id: str, expected_version: int,
               requested: RequestedChange) -> CareInquiry:
        """Apply a status move, an assignment, a level correction and/or a note, if nobody changed the
        inquiry since ``expected_version``. Raises ``InquiryNotFound``, ``VersionConflict`` or
        ``InvalidChange``."""
        current = self._current(inquiry_id, expected_version)
        now = self.clock()
        write = self._plan(actor, current, requested, now)
        if not write.fields:
            return self.read(actor, inquiry_id)
        return self._commit(actor, inquiry_id, expected_version, current, write, now)

    def log_attempt(self, actor: CareActor, inquiry_id: str, expected_version: int,
                    attempt: RequestedAttempt) -> CareInquiry:
        """Log one try to reach the person (``care.attempts``): keep it on the inquiry, move the status as its
        outcome says, set or clear ``next_attempt_at``, add the note. Raises ``InquiryNotFound``,
        ``VersionConflict`` or ``InvalidChange``."""
        current = self._current(inquiry_id, expected_version)
        now = self.clock()
        at = iso(now)
        status = InquiryStatus(current["status"])
        if not takes_attempts(status):
            raise InvalidChange("status", ATTEMPT_NOT_OPEN)
        logged = current.get("attempts") or []
        if len(logged) >= MAX_ATTEMPTS_PER_INQUIRY:
            raise InvalidChange(None, ATTEMPTS_FULL)
        if attempt.next_attempt_at is not None and attempt.next_attempt_at < now - timedelta(minutes=5):
            raise InvalidChange("next_attempt_at", ATTEMPT_FIELD_MESSAGES["next_attempt_at"])
        write = _Write(sets={"updated_at": at, "attempt_count": len(logged) + 1}, removes=[], history=[], notes=[],
                       fields=["attempt"])
        entry: dict[str, Any] = {**self._by(actor, at), "channel": attempt.channel.value,
                                 "outcome": attempt.outcome.value}
        if attempt.next_attempt_at is not None:
            entry["next_attempt_at"] = write.sets["next_attempt_at"] = iso(attempt.next_attempt_at)
        elif current.get("next_attempt_at"):
            write.removes.append("next_attempt_at")
        write.attempts.append(entry)
        write.history.append({**self._by(actor, at), "action": "attempt", "to": attempt.outcome.value})
        target = status_after(status, attempt.outcome)
        if target is not status:
            self._move(actor, current, status, target, None, now, write)
        if attempt.note is not None:
            self._add_note(actor, attempt.note, current, at, write)
        return self._commit(actor, inquiry_id, expected_version, current, write, now)

    def bulk(self, actor: CareActor, items: tuple[tuple[str, int], ...], requested: RequestedChange) -> BulkResults:
        """The same change to several inquiries, each through ``change`` (its own version check, audit entry
        and version bump): one result per item, 200, 404, 412 or 422, in the order given."""
        results = []
        for inquiry_id, version in items:
            try:
                self.change(actor, inquiry_id, version, requested)
                status = 200
            except InquiryNotFound:
                status = 404
            except VersionConflict:
                status = 412
            except InvalidChange:
                status = 422
            results.append(BulkResult(inquiry_id=inquiry_id, status=status))
        return BulkResults(results=tuple(results))

    def queue(self, actor: CareActor, assignee: str | None, if_none_match: str | None) -> QueueAnswer:
        """The open inquiries by attention (``care.queue``), of ``assignee`` (a sub, ``UNASSIGNED`` or None for
        everyone's), and the count of each status. When ``if_none_match`` names the answer's ETag, nothing is
        read beyond the index and nothing is shown or audited (``view`` None); otherwise the shown ids are
        audited as a list of ``queue`` before the answer leaves."""
        now = self.clock()
        rows, complete = self.records.open_rows(tuple(s.value for s in QUEUE_STATUSES), QUEUE_READ_BOUND)
        if not complete:
            logger.warning("queue read bound reached", extra={"bound": QUEUE_READ_BOUND})
        rows = [r for r in rows if for_assignee(r, assignee)]
        counts = {s.value: 0 for s in InquiryStatus}
        for row in rows:
            counts[str(row["status"])] += 1
        for status in InquiryStatus:
            if status not in QUEUE_STATUSES or not complete:
                counts[status.value] = self.records.count(status.value, assignee)
        now_iso = iso(now)
        tag = queue_etag(rows, counts, assignee, now_iso)
        if if_none_match is not None and etag_matches(if_none_match, tag):
            return QueueAnswer(etag=tag, view=None)
        shown = shown_rows(rows, now_iso)
        details = self.records.details([str(r["inquiry_id"]) for r in shown])
        view = ordered_queue(shown, details, counts, now_iso)
        self.audit.record(self._entry(actor, now, LIST, status="queue", page=1,
                                      inquiry_ids=tuple(item.inquiry_id for item in view.items),
                                      filters=("assignee",) if assignee is not None else ()))
        return QueueAnswer(etag=tag, view=view)

    def _current(self, inquiry_id: str, expected_version: int) -> dict[str, Any]:
        current = self.records.get(inquiry_id)
        if current is None:
            raise InquiryNotFound(inquiry_id)
        if int(current.get("version", 1)) != expected_version:
            raise VersionConflict(inquiry_id)
        return current

    def _commit(self, actor: CareActor, inquiry_id: str, expected_version: int, current: dict[str, Any],
                write: _Write, now: datetime) -> CareInquiry:
        """Write a planned change and its audit entry in one transaction, then what follows it (a released
        submission's dispatch, the first contact's metric, a correction's count)."""
        _check_item_room(current, write)
        related = self._related(current)  # the same person's other inquiries, shown with the answer
        entry = self._entry(actor, now, "update", inquiry_id=inquiry_id, fields=tuple(write.fields),
                            inquiry_ids=tuple(r.inquiry_id for r in related) or None)
        append = {"history": write.history, "notes": write.notes, "attempts": write.attempts}
        self.records.apply_change(inquiry_id, expected_version, sets=write.sets, removes=tuple(write.removes),
                                  append=append, counted=bool(current.get("stats_counted")),
                                  also=[self.audit.write_with(entry), *self._lookup_ttls(current, write),
                                        *self._counters(current, write, append)])
        logger.info("inquiry updated", extra={"inquiry_id": inquiry_id, "fields": write.fields})
        if "dispatch_pending_since" in write.sets:
            self._dispatch_released(inquiry_id, write.sets["dispatch_pending_since"], current)
        if "first_contact_at" in write.sets:
            self._measure_first_contact(current, now)
        if write.correction is not None:
            self._count_correction(current, write.correction)
        updated = self.records.get(inquiry_id)
        if updated is None:  # erased in the meantime
            raise InquiryNotFound(inquiry_id)
        return full_inquiry(updated, self.names.name_of, related)

    def _entry(self, actor: CareActor, at: datetime, action: str, *, inquiry_id: str | None = None,
               fields: tuple[str, ...] = (), status: str | None = None, page: int | None = None,
               inquiry_ids: tuple[str, ...] | None = None, filters: tuple[str, ...] = ()) -> AuditEntry:
        """An audit entry by ``actor``: their sub, and the pool's name for them at the time (kept for when
        they have left the pool; the sub when the pool has no name for them)."""
        return AuditEntry(at=at, actor=actor.name or self.names.shown(actor.sub), actor_id=actor.sub, action=action,
                          inquiry_id=inquiry_id, fields=fields, status=status, page=page, inquiry_ids=inquiry_ids,
                          filters=filters)

    def _by(self, actor: CareActor, at: str) -> dict[str, Any]:
        """Who and when, as a note or history entry stores them: the sub, and the name at the time."""
        return {"at": at, "actor_id": actor.sub, "actor": actor.name or self.names.shown(actor.sub)}

    def _plan(self, actor: CareActor, current: dict[str, Any], requested: RequestedChange, now: datetime) -> _Write:
        at = iso(now)
        change = requested.change
        write = _Write(sets={}, removes=[], history=[], notes=[], fields=[])
        status = InquiryStatus(current["status"])
        level = read_level(StoredValues(current))
        corrected = _level_change(level, requested)
        new_level = level if corrected is None else corrected[0]
        target = status if change.status is None else change.status
        moving = target is not status
        if change.close_reason is not None and not (moving and needs_close_reason(target)):
            raise InvalidChange("close_reason", CLOSE_REASON_WITHOUT_CLOSE)
        if moving:
            if not can_move(status, target):
                raise InvalidChange("status", f"An inquiry that is {status.value} cannot become {target.value}.")
            if needs_close_reason(target) and change.close_reason is None:
                raise InvalidChange("close_reason", CLOSE_REASON_NEEDED)
            self._move(actor, current, status, target, change.close_reason, now, write, level=new_level)
        if corrected is not None:
            self._correct_level(current, level, corrected, still_new=target in AWAITING_CONTACT, at=at,
                                actor=actor, write=write)
        if "assignee" in requested.given and change.assignee != current.get("assignee"):
            if change.assignee is not None and not self.directory.is_member(change.assignee):
                raise InvalidChange("assignee", NOT_A_MEMBER)
            entry: dict[str, Any] = {**self._by(actor, at), "action": "assigned"}
            if current.get("assignee"):
                entry["from"] = current["assignee"]
            if change.assignee is None:
                write.removes.append("assignee")
            else:
                write.sets["assignee"] = entry["to"] = change.assignee
            write.history.append(entry)
            write.fields.append("assignee")
        if change.note is not None:
            self._add_note(actor, change.note, current, at, write)
        if write.fields:
            write.sets["updated_at"] = at
        return write

    def _add_note(self, actor: CareActor, note: str, current: dict[str, Any], at: str, write: _Write) -> None:
        _check_room_for(note, current)
        write.notes.append({**self._by(actor, at), "text": note})
        write.history.append({**self._by(actor, at), "action": "note"})
        write.fields.append("note")

    def _move(self, actor: CareActor, current: dict[str, Any], status: InquiryStatus, target: InquiryStatus,
              close_reason: CloseReason | None, now: datetime, write: _Write, level: Level | None = None) -> None:
        """Plan an allowed status move: its history entry (``reopened`` for a reopen; a close's reason), the
        first contact's time (once per inquiry), a release, a hold-back, a reopen's fresh response target."""
        at = iso(now)
        entry: dict[str, Any] = {**self._by(actor, at), "action": "reopened" if is_reopen(status, target) else "status",
                                 "from": status.value, "to": target.value}
        write.sets["status"] = target.value
        write.fields.append("status")
        if close_reason is not None:
            entry["reason"] = write.sets["close_reason"] = close_reason.value
        elif current.get("close_reason"):
            write.removes.append("close_reason")
        write.history.append(entry)
        if is_first_contact(status, target) and not current.get("first_contact_at"):
            write.sets["first_contact_at"] = at
            # Kept as it was then (a reopen later moves due_at): the reports' share within target.
            write.sets["first_contact_on_time"] = bool(current.get("due_at")) and at <= str(current["due_at"])
        at_level = level if level is not None else read_level(StoredValues(current))
        if is_release(status, target):
            self._release(current, now, at_level, write)
        if is_marked_spam(status, target):
            write.sets["spam"] = True  # as a held-back submission: released the same way
        if is_reopen(status, target):
            # Worked again: a fresh response target from now (reminders follow it as for a new inquiry).
            write.sets["reopened_at"] = at
            write.sets["due_at"] = iso(due_at(now, at_level.value, self.settings))

    def _correct_level(self, current: dict[str, Any], level: Level, corrected: tuple[Level, LevelReason], *,
                       still_new: bool, at: str, actor: CareActor, write: _Write) -> None:
        """Set the level and ``urgent`` together, keep who, when and why, and move the response target
        while the inquiry still waits for its first contact (a release or a reopen has set it from the new level)."""
        target, reason = corrected
        write.sets["level"] = target.value
        write.sets["urgent"] = target is Level.URGENT
        write.history.append({**self._by(actor, at), "action": "level", "from": level.value,
                              "to": target.value, "reason": reason.value})
        write.fields.append("level")
        write.correction = reason
        if still_new and "released_at" not in write.sets and "reopened_at" not in write.sets:
            received = _parse(str(current.get("released_at") or current["created_at"]))
            write.sets["due_at"] = iso(due_at(received, target.value, self.settings))

    def _count_correction(self, current: dict[str, Any], reason: LevelReason) -> None:
        read = StoredValues(current)
        categories = read.codes("triage_categories")
        language = read.choice("language", Language, default=Language.EN)
        count_without_logging(CORRECTION_METRIC, 1, (("direction", reason.value),
                                                     ("category", categories[0] if categories else "none"),
                                                     ("language", language.value)))

    def _release(self, current: dict[str, Any], now: datetime, level: Level, write: _Write) -> None:
        """spam -> new: normal retention, a fresh response target (at ``level``), and the dispatch-pending
        marker."""
        at = iso(now)
        created = _parse(str(current["created_at"]))
        write.sets.update({
            "spam": False,
            "released_at": at,
            "ttl": int(created.timestamp()) + self.settings.retention_days * 86400,
            "due_at": iso(due_at(now, level.value, self.settings)),
            "dispatch_state": DISPATCH_PENDING,
            "dispatch_pending_since": at,
        })

    def _dispatch_released(self, inquiry_id: str, pending_since: str, current: dict[str, Any]) -> None:
        count("SpamReleased")
        # Counted as a new inquiry is at intake (a held-back one was not): its level, outside the logs.
        stored = StoredValues(current)
        count_level_without_logging(read_level(stored).value, stored.codes("triage_categories"))
        if not dispatch_and_clear(self.dispatcher, self.inquiries, inquiry_id, pending_since):
            count("DispatchDeferred")

    def _measure_first_contact(self, current: dict[str, Any], now: datetime) -> None:
        started = _parse(str(current.get("released_at") or current["created_at"]))
        metrics.add_metric(name=FIRST_CONTACT_METRIC, unit=MetricUnit.Seconds,
                           value=max(0.0, (now - started).total_seconds()))

    def audit_trail(self, actor: CareActor, inquiry_id: str | None, limit: int) -> AuditTrail:
        """The newest audit entries (one inquiry's, or everyone's); ``care-admin`` only. Reading the trail
        is itself audited (``audit_read``, with the kinds of filter given), before anything is shown."""
        actor.require(CARE_ADMIN)
        entries = self.audit.entries(inquiry_id=inquiry_id, now=self.clock(), limit=limit)
        trail = AuditTrail(items=tuple(audit_item(e, self.names.name_of) for e in entries))
        self.audit.record(self._entry(actor, self.clock(), AUDIT_READ, inquiry_id=inquiry_id,
                                      filters=("inquiry_id",) if inquiry_id else ()))
        return trail

    # ---- finding people and records: by reference, search, the care team, the same person ---------------------
    @cached_property
    def finder(self) -> InquirySearch:
        """Search and the same person's other inquiries, through InquiryLookupTable and EmailHashIndex."""
        return InquirySearch(LookupRecords(self.settings.inquiry_lookup_table, self.settings.inquiries_table),
                             lambda: peppers(self.settings.pepper_secret))

    @cached_property
    def directory(self) -> TeamDirectory:
        """The care team to assign from (the pool's care groups)."""
        return TeamDirectory(self.settings.user_pool_id, self.settings.member_name_cache_seconds)

    def inquiry_id_for(self, raw: str) -> str:
        """The inquiry a path names by id or by reference (``INQ-XXXXXXXX``, any case). Raises
        ``InquiryNotFound``."""
        inquiry_id = self.finder.resolve(raw)
        if inquiry_id is None:
            raise InquiryNotFound("-")
        return inquiry_id

    def search(self, actor: CareActor, term: str) -> SearchResults:
        """The inquiries ``term`` finds, audited as ``search`` with its kind and the ids shown: never the term.
        Raises ``InvalidSearch``."""
        found = self.finder.find(term)
        items = tuple(list_item(values) for values in found.items)
        self.audit.record(self._entry(actor, self.clock(), SEARCH, inquiry_ids=tuple(i.inquiry_id for i in items),
                                      filters=(found.kind,)))
        return SearchResults(items=items)

    def team(self) -> CareTeam:
        """The care team's enabled members (no inquiry is read: not audited)."""
        return self.directory.team()

    def _counters(self, current: dict[str, Any], write: _Write,
                  append: dict[str, list[dict[str, Any]]]) -> list[TransactWriteItemTypeDef]:
        """What the change adds to the weekly counters reports read (``reports.contributions``), written in its
        transaction: counted once, or not at all when the change fails. An inquiry stored before the counters
        existed (no ``stats_counted``) adds nothing: the rebuild command counts it whole."""
        if not current.get("stats_counted"):
            return []
        zone = self.settings.clinic_time_zone
        after = changed_values(current, write.sets, write.removes, append)
        return self.stats.updates(difference(contributions(after, zone), contributions(current, zone)))

    @cached_property
    def stats(self) -> StatsRecords:
        """The weekly counters (InquiryStatsTable)."""
        return StatsRecords(self.settings.inquiry_stats_table)

    def _lookup_ttls(self, current: dict[str, Any], write: _Write) -> list[TransactWriteItemTypeDef]:
        """A change of the inquiry's ``ttl`` (a released held-back submission) moves its lookup items' too, in
        the same transaction: they are kept exactly as long as it is."""
        keys = current.get("lookup_keys") or []
        if "ttl" not in write.sets or not keys:
            return []
        return lookup_ttl_updates(self.settings.inquiry_lookup_table, str(current["inquiry_id"]), keys,
                                  int(write.sets["ttl"]))

    def _related(self, values: dict[str, Any]) -> tuple[RelatedInquiry, ...]:
        return tuple(related_inquiry(found) for found in self.finder.related(values))
