"""The person's rights for a ``care-admin``, without any API Gateway types: the right of access (an export of
every inquiry of one keyed email or phone hash) and erasure on request, each audited.

Audit entries (never the address, number or their hashes; never an inquiry field):

- ``person_search``: one per inquiry a search of the person found (``only=references``: how many and their
  references, no field), with the ids of all of them and the kind of term;
- ``person_export``: one per inquiry exported (its ``inquiry_id``, so a search by its reference finds it),
  with the ids of all of them and the kind of term (``email``/``phone``), written before the export is shown
  (no entry, nothing shown);
- ``erasure``: who, the reason code, the request id, the counts and the ids of what goes, written before the
  erasure starts (no entry, nothing erased). The trail itself is never erased;
- with ``RequireSecondApproval``: ``erasure_requested`` (request id, reason, ids), then ``erasure`` by the
  approving admin or ``erasure_rejected``; for an export ``export_requested`` (request id, ids), then
  ``export_approved`` by a different admin or ``export_rejected``, and ``person_export`` when the admin who
  asked opens it (once, within ``EXPORT_OPEN_SECONDS`` of the approval).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError

from inquiries import aws
from inquiries.care.access import CARE_ADMIN, CareActor
from inquiries.care.members import MemberNames
from inquiries.care.views import full_inquiry
from inquiries.data.audit import AuditEntry, AuditRecords
from inquiries.data.errors import as_domain_error, domain_errors
from inquiries.data.items import iso, plain_values
from inquiries.ids import new_inquiry_id, short_reference
from inquiries.peppers import peppers
from inquiries.rights.erasure import Tables, erase_person, inquiry_ids_of
from inquiries.rights.person import Person
from inquiries.rights.requests import ERASURE as ERASURE_KIND
from inquiries.rights.requests import EXPORT, ErasureRequest, ErasureRequests, RequestGone, StaleRequest
from inquiries.rights.views import (
    REASONS,
    ErasureDone,
    ErasurePending,
    ErasureRejected,
    ExportApproved,
    ExportPending,
    PendingRequest,
    PendingRequests,
    PersonExport,
    PersonMatches,
)

if TYPE_CHECKING:
    from inquiries.settings import RightsApiSettings

PERSON_EXPORT = "person_export"
PERSON_SEARCH = "person_search"
ERASURE = "erasure"
ERASURE_REQUESTED = "erasure_requested"
ERASURE_REJECTED = "erasure_rejected"
EXPORT_REQUESTED = "export_requested"
EXPORT_APPROVED = "export_approved"
EXPORT_REJECTED = "export_rejected"
EXPORT_OPEN_SECONDS = 15 * 60  # an approved export waits this long for the admin who asked to open it
MAX_EXPORTED = 200  # inquiries of one person in one export (far above any real person's)
KEYS_ID_PURPOSE = "keys-id"


def _utcnow() -> datetime:
    return datetime.now(UTC)


class RightsService:
    """Exports and erasures for a signed-in ``care-admin``."""

    def __init__(self, settings: RightsApiSettings, *, names: MemberNames | None = None,
                 audit: AuditRecords | None = None, clock: Callable[[], datetime] = _utcnow) -> None:
        self.settings = settings
        self.names = names or MemberNames(settings.user_pool_id, settings.member_name_cache_seconds)
        self.audit = audit or AuditRecords(settings.audit_table, settings.audit_retention_days)
        self.requests = ErasureRequests(settings.erasure_request_table)
        self.tables = Tables(inquiries=settings.inquiries_table, idempotency=settings.idempotency_table,
                             rate_limit=settings.rate_limit_table, pepper_secret=settings.pepper_secret,
                             lookups=settings.inquiry_lookup_table)
        self.clock = clock

    def person(self, *, email: str | None, phone: str | None) -> Person:
        """The person named (keyed hashes only). Raises ``InvalidEmailAddress``/``InvalidPhoneNumber``."""
        return Person.of(peppers(self.settings.pepper_secret), email=email, phone=phone)

    def _keys_id(self) -> str:
        """Which pepper is current (a keyed hash of a fixed text: it names the pepper, reveals nothing)."""
        return peppers(self.settings.pepper_secret).keyed_hash(KEYS_ID_PURPOSE, "rights-request")[:16]

    def _is_stale(self, request: ErasureRequest) -> bool:
        return bool(request.keys_id) and request.keys_id != self._keys_id()

    def _fresh(self, request: ErasureRequest) -> ErasureRequest:
        """``request``, unless the pepper was rotated since it was made. Raises ``StaleRequest``."""
        if self._is_stale(request):
            raise StaleRequest(request.request_id)
        return request

    def _entry(self, actor: CareActor, action: str, **values: Any) -> AuditEntry:
        return AuditEntry(at=self.clock(), actor=self.names.shown(actor.sub), actor_id=actor.sub, action=action,
                          **values)

    # ---- the right of access -------------------------------------------------------------------------------
    def matches(self, actor: CareActor, person: Person, kind: str) -> PersonMatches:
        """Which inquiries are the person's: how many and their references, no field of them. A search, not an
        export, so never gated by a second admin; audited (``person_search``) before it is shown."""
        actor.require(CARE_ADMIN)
        ddb = aws.dynamodb()
        with domain_errors():
            ids = tuple(inquiry_ids_of(person, ddb, self.tables)[:MAX_EXPORTED])
        for inquiry_id in ids or (None,):
            self.audit.record(self._entry(actor, PERSON_SEARCH, inquiry_id=inquiry_id, inquiry_ids=ids,
                                          filters=(kind,)))
        return PersonMatches(status="found", count=len(ids), references=tuple(short_reference(i) for i in ids))

    def export_or_request(self, actor: CareActor, person: Person, kind: str) -> PersonExport | ExportPending:
        """The export now, or (``RequireSecondApproval``) a pending request for a different admin to approve."""
        actor.require(CARE_ADMIN)
        if not self.settings.second_approval:
            return self.export(actor, person, kind)
        request_id = new_inquiry_id()
        with domain_errors():
            ids = tuple(inquiry_ids_of(person, aws.dynamodb(), self.tables))
        now = self.clock()
        expires = now + timedelta(days=self.settings.erasure_request_days)
        self.audit.record(self._entry(actor, EXPORT_REQUESTED, inquiry_ids=ids, request_id=request_id,
                                      filters=(kind,)))
        self.requests.put(ErasureRequest(request_id=request_id, requester_id=actor.sub,
                                         requester=self.names.shown(actor.sub), reason="", requested_at=iso(now),
                                         expires_at=int(expires.timestamp()), inquiry_ids=ids, person=person,
                                         action=EXPORT, term=kind, keys_id=self._keys_id()))
        return ExportPending(status="pending", kind=EXPORT, request_id=request_id, expires_at=iso(expires),
                             count=len(ids), references=tuple(short_reference(i) for i in ids))

    def open_export(self, actor: CareActor, request_id: str) -> PersonExport:
        """An approved export, for the admin who asked (once). Raises ``RequestGone``, ``NotRequester``."""
        actor.require(CARE_ADMIN)
        request = self.requests.take_export(request_id, int(self.clock().timestamp()), actor.sub)
        if self._is_stale(request):
            self.requests.restore(request)  # still listed, marked: to be rejected and asked again
            raise StaleRequest(request_id)
        try:
            return self.export(actor, request.person, request.term or "email")
        except Exception:
            self.requests.restore(request)  # not shown: it can be opened again
            raise

    def export(self, actor: CareActor, person: Person, kind: str) -> PersonExport:
        """Every stored inquiry of ``person``, oldest first, audited (``person_export``) before it is shown."""
        actor.require(CARE_ADMIN)
        ddb = aws.dynamodb()
        with domain_errors():
            ids = inquiry_ids_of(person, ddb, self.tables)[:MAX_EXPORTED]
            items = [ddb.get_item(TableName=self.tables.inquiries, Key={"inquiry_id": {"S": i}},
                                  ConsistentRead=True).get("Item") for i in ids]
        inquiries = tuple(full_inquiry(plain_values(item), self.names.name_of) for item in items if item)
        shown = tuple(i.inquiry_id for i in inquiries)
        # One entry per inquiry shown, so a search of the trail by any one of them finds the export too.
        for inquiry_id in shown or (None,):
            self.audit.record(self._entry(actor, PERSON_EXPORT, inquiry_id=inquiry_id, inquiry_ids=shown,
                                          filters=(kind,)))
        return PersonExport(exported_at=iso(self.clock()), count=len(inquiries), inquiries=inquiries)

    # ---- erasure -------------------------------------------------------------------------------------------
    def request_erasure(self, actor: CareActor, person: Person, reason: str) -> ErasureDone | ErasurePending:
        """Erase now, or (``RequireSecondApproval``) store a pending request for a different admin."""
        actor.require(CARE_ADMIN)
        request_id = new_inquiry_id()
        if not self.settings.second_approval:
            return self._erase(actor, person, reason, request_id)
        with domain_errors():
            ids = tuple(inquiry_ids_of(person, aws.dynamodb(), self.tables))
        now = self.clock()
        expires = now + timedelta(days=self.settings.erasure_request_days)
        self.audit.record(self._entry(actor, ERASURE_REQUESTED, inquiry_ids=ids, reason=reason,
                                      request_id=request_id))
        self.requests.put(ErasureRequest(request_id=request_id, requester_id=actor.sub,
                                         requester=self.names.shown(actor.sub), reason=reason, requested_at=iso(now),
                                         expires_at=int(expires.timestamp()), inquiry_ids=ids, person=person,
                                         keys_id=self._keys_id()))
        return ErasurePending(status="pending", request_id=request_id, expires_at=iso(expires))

    def pending(self, actor: CareActor) -> PendingRequests:
        """The pending requests (no email, no phone: references, counts, who, why, when)."""
        actor.require(CARE_ADMIN)
        found = self.requests.pending(int(self.clock().timestamp()))
        items = tuple(PendingRequest(
            request_id=r.request_id, requester=self.names.name_of(r.requester_id) or r.requester,
            requester_id=r.requester_id, reason=r.reason, requested_at=r.requested_at,
            expires_at=iso(datetime.fromtimestamp(r.expires_at, UTC)),
            references=tuple(short_reference(i) for i in r.inquiry_ids), inquiry_ids=r.inquiry_ids,
            count=len(r.inquiry_ids), kind=r.action, approved=bool(r.approved_by), stale=self._is_stale(r))
            for r in found)
        return PendingRequests(second_approval=self.settings.second_approval, reasons=REASONS, items=items)

    def approve(self, actor: CareActor, request_id: str) -> ErasureDone | ExportApproved:
        """Carry out (an erasure) or open to its requester (an export) a pending request made by another admin.
        Raises ``RequestGone``, ``SameAdmin``, ``StaleRequest`` (made before a pepper rotation)."""
        actor.require(CARE_ADMIN)
        now = int(self.clock().timestamp())
        if self._fresh(self.requests.current(request_id, now)).action == EXPORT:
            return self._approve_export(actor, request_id, now)
        request = self.requests.take(request_id, now, not_by=actor.sub, action=ERASURE_KIND)
        if self._is_stale(request):  # rotated between the read and the take
            self.requests.restore(request)
            raise StaleRequest(request_id)
        try:
            return self._erase(actor, request.person, request.reason, request.request_id)
        except Exception:
            self.requests.restore(request)  # nothing was lost: it can be approved again
            raise

    def _approve_export(self, actor: CareActor, request_id: str, now: int) -> ExportApproved:
        request = self.requests.current(request_id, now)
        if request.approved_by:
            raise RequestGone(request_id)  # decided already: it waits for its requester
        until = now + EXPORT_OPEN_SECONDS
        approved = self.requests.approve_export(request, now, actor.sub, until)
        try:
            self.audit.record(self._entry(actor, EXPORT_APPROVED, inquiry_ids=request.inquiry_ids,
                                          request_id=request_id))
        except Exception:
            self.requests.restore(request)  # back to pending: no approval without its entry
            raise
        return ExportApproved(status="approved", kind=EXPORT, request_id=approved.request_id,
                              expires_at=iso(datetime.fromtimestamp(until, UTC)))

    def reject(self, actor: CareActor, request_id: str) -> ErasureRejected:
        """Drop a pending request (any admin, the requester too: a withdrawal). Raises ``RequestGone``."""
        actor.require(CARE_ADMIN)
        request = self.requests.take(request_id, int(self.clock().timestamp()))
        try:
            self.audit.record(self._entry(actor, EXPORT_REJECTED if request.action == EXPORT else ERASURE_REJECTED,
                                          inquiry_ids=request.inquiry_ids, reason=request.reason or None,
                                          request_id=request.request_id))
        except Exception:
            self.requests.restore(request)
            raise
        return ErasureRejected(status="rejected", request_id=request_id)

    def _erase(self, actor: CareActor, person: Person, reason: str, request_id: str) -> ErasureDone:
        """Audit what goes (a dry run's ids and counts), then erase it: no entry, nothing erased."""
        ddb = aws.dynamodb()
        peppers_now = peppers(self.settings.pepper_secret)
        try:
            planned = erase_person(person, ddb, self.tables, peppers_now, dry_run=True)
            self.audit.record(self._entry(actor, ERASURE, inquiry_ids=tuple(planned.inquiry_ids),
                                          counts=planned.counts(), reason=reason, request_id=request_id))
            # And one per inquiry, kept under its reference: a search of the trail by the erased inquiry's id or
            # reference then finds that it was erased, by whom, when and why (data.audit).
            for inquiry_id in planned.inquiry_ids:
                self.audit.record(self._entry(actor, ERASURE, inquiry_id=inquiry_id, reason=reason,
                                              request_id=request_id, by_reference=True))
            report = erase_person(person, ddb, self.tables, peppers_now)
        except (ClientError, BotoCoreError) as exc:
            raise as_domain_error(exc) from None
        return ErasureDone(status="erased", request_id=request_id, inquiry_ids=tuple(report.inquiry_ids),
                           references=tuple(short_reference(i) for i in report.inquiry_ids),
                           inquiries=report.inquiries, lookup_items=report.lookup_items,
                           idempotency_records=report.idempotency_records,
                           rate_limit_counters=report.rate_limit_counters)
