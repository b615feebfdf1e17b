"""``GET /care/audit``: the audit trail searched by reference, user, action and date range, paged by cursor
over the whole retention, as JSON or as a CSV download. ``care-admin`` only.

Every search is itself audited before anything is shown: ``audit_read`` for a page, ``audit_export`` for a
CSV, each with the kinds of filter given (``reference``, ``inquiry_id``, ``actor``, ``action``, ``from``,
``to``) and never their values.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from inquiries.care.access import CARE_ADMIN, CareActor
from inquiries.care.views import AuditItem, AuditTrail, InvalidFields, audit_item
from inquiries.data.audit import AUDIT_READ, AuditEntry
from inquiries.data.audit_search import AuditQuery, AuditSearch
from inquiries.data.errors import InquiryNotFound
from inquiries.peppers import peppers
from inquiries.record import FieldError

if TYPE_CHECKING:
    from inquiries.care.service import CareService

AUDIT_EXPORT = "audit_export"
DEFAULT_LIMIT = 100
MAX_LIMIT = 500
# A CSV export follows the query's cursor up to this many rows; beyond, ``X-Next-Cursor`` continues it.
MAX_EXPORT_ROWS = 5000
CSV_COLUMNS = ("at", "actor", "actor_id", "action", "kind", "reference", "inquiry_id", "fields", "status", "page",
               "references", "filters", "counts", "reason", "request_id")
_INQUIRY_ID = re.compile(r"^[0-9A-HJKMNP-TV-Z]{26}$")
_SUB = re.compile(r"^[0-9A-Za-z-]{1,64}$")
_ACTION = re.compile(r"^[a-z_]{1,40}$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _refuse(field: str, message: str) -> InvalidFields:
    return InvalidFields([FieldError(field=field, message=message)])


@dataclass(frozen=True)
class AuditRequest:
    """A parsed ``GET /care/audit``: the query, the filter kinds given, the page size, the cursor and format."""

    query: AuditQuery
    given: tuple[str, ...]
    limit: int
    cursor: str | None
    csv: bool


def _date(params: Mapping[str, str], name: str) -> date | None:
    value = params.get(name)  # given but empty (``?to=``) is not a date: 422, like any other malformed one
    if value is None:
        return None
    try:
        if not _DATE.match(value):
            raise ValueError(value)
        return date.fromisoformat(value)
    except ValueError:
        raise _refuse(name, f"Give {name} as a date, YYYY-MM-DD (UTC).") from None


def audit_request(params: Mapping[str, str], accept: str | None, care: CareService) -> AuditRequest:
    """The request's filters. Raises ``InvalidFields`` (422) for a malformed one, or a reference no inquiry,
    stored or erased, has (an erased inquiry's reference is found through its erasure entry)."""
    given: list[str] = []
    inquiry_id = params.get("inquiry_id") or None
    if inquiry_id is not None:
        if not _INQUIRY_ID.match(inquiry_id):
            raise _refuse("inquiry_id", "Give an inquiry id, or none for everyone's entries.")
        given.append("inquiry_id")
    reference = params.get("reference") or None
    if reference is not None:
        given.append("reference")
        if inquiry_id is None:
            try:
                inquiry_id = care.inquiry_id_for(reference)  # through the lookup table's ref# item
            except InquiryNotFound:
                # Erased: its ref# item went with it, its erasure entry (kept under the reference) names the id.
                erased = care.audit.erased_inquiry_ids(reference)
                if not erased:
                    raise _refuse("reference", "No inquiry, stored or erased, has this reference.") from None
                inquiry_id = erased[0]
    actor = params.get("actor") or None
    if actor is not None:
        if not _SUB.match(actor):
            raise _refuse("actor", "Give actor as a care-team member's id.")
        given.append("actor")
    action = params.get("action") or None
    if action is not None:
        if not _ACTION.match(action):
            raise _refuse("action", "Give action as one of the audit trail's action names.")
        given.append("action")
    start, end = _date(params, "from"), _date(params, "to")
    given += [name for name, value in (("from", start), ("to", end)) if value]
    if start and end and start > end:
        raise _refuse("to", "Give a to date on or after the from date.")
    limit_text = params.get("limit") or str(DEFAULT_LIMIT)
    if not (limit_text.isascii() and limit_text.isdigit()) or not 1 <= int(limit_text) <= MAX_LIMIT:
        raise _refuse("limit", f"Give limit as a whole number from 1 to {MAX_LIMIT}.")
    fmt = params.get("format") or ("csv" if accept and "text/csv" in accept.lower() else "json")
    if fmt not in {"json", "csv"}:
        raise _refuse("format", "Give format as json or csv.")
    return AuditRequest(query=AuditQuery(inquiry_id=inquiry_id, actor_id=actor, action=action, start=start, end=end),
                        given=tuple(given), limit=int(limit_text), cursor=params.get("cursor") or None,
                        csv=fmt == "csv")


class AuditTrailSearch:
    """Pages and CSV exports of the audit trail for a ``care-admin``, each audited first."""

    def __init__(self, care: CareService, search: AuditSearch | None = None) -> None:
        self.care = care
        settings = care.settings
        self.search = search or AuditSearch(settings.audit_table, settings.audit_retention_days,
                                            lambda: peppers(settings.pepper_secret))

    def _record(self, actor: CareActor, action: str, request: AuditRequest) -> None:
        self.care.audit.record(AuditEntry(at=self.care.clock(), actor=self.care.names.shown(actor.sub),
                                          actor_id=actor.sub, action=action, inquiry_id=request.query.inquiry_id,
                                          filters=request.given))

    def page(self, actor: CareActor, request: AuditRequest) -> AuditTrail:
        """One page, newest first. Raises ``NotAllowed``, ``InvalidCursor``, ``AuditUnavailable``."""
        actor.require(CARE_ADMIN)
        found = self.search.page(request.query, now=self.care.clock(), limit=request.limit, cursor=request.cursor)
        items = tuple(audit_item(e, self.care.names.name_of) for e in found.entries)
        self._record(actor, AUDIT_READ, request)
        return AuditTrail(items=items, next_cursor=found.next_cursor)

    def export(self, actor: CareActor, request: AuditRequest) -> tuple[str, str | None]:
        """The query's entries as CSV (from ``cursor`` on, up to ``MAX_EXPORT_ROWS``) and the cursor of the rest."""
        actor.require(CARE_ADMIN)
        items: list[AuditItem] = []
        cursor = request.cursor
        while True:
            found = self.search.page(request.query, now=self.care.clock(), limit=MAX_LIMIT, cursor=cursor)
            items += [audit_item(e, self.care.names.name_of) for e in found.entries]
            cursor = found.next_cursor
            if cursor is None or len(items) >= MAX_EXPORT_ROWS:
                break
        self._record(actor, AUDIT_EXPORT, request)
        return as_csv(items), cursor


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, tuple | list):
        return " ".join(str(v) for v in value)
    if isinstance(value, dict):
        return " ".join(f"{k}={v}" for k, v in value.items())
    text = str(value)
    # A spreadsheet would run a cell starting with = + - @ as a formula (CSV injection): quote it as text.
    return "'" + text if text[:1] in {"=", "+", "-", "@", "\t", "\r"} else text


def as_csv(items: list[AuditItem]) -> str:
    """The entries as CSV, one row each, in ``CSV_COLUMNS`` order."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for item in items:
        writer.writerow([_cell(getattr(item, column)) for column in CSV_COLUMNS])
    return out.getvalue()
