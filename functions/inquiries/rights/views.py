"""What the rights routes answer: plain dataclasses, written as compact JSON. No view holds an email address or
a phone number except the person's own inquiries in an export (which is what the right of access returns)."""

from __future__ import annotations

import json
from dataclasses import dataclass

from inquiries.care.views import CareInquiry, plain

REASONS = ("person_request", "representative_request", "legal_obligation", "entered_in_error")
"""Why an erasure is made: a closed set of codes, so the audit entry that keeps it can hold no free text."""


@dataclass(frozen=True, kw_only=True, repr=False, eq=False)
class PersonExport:
    """``GET /care/people``: every inquiry of the person (found by the keyed email or phone hash), oldest first,
    each with its attempts, notes and history: the right of access."""

    exported_at: str
    count: int
    inquiries: tuple[CareInquiry, ...]


@dataclass(frozen=True, kw_only=True, repr=False, eq=False)
class PersonMatches:
    """``GET /care/people?…&only=references``: which inquiries are the person's (how many, their references),
    never their contents: a search, so no second admin is needed; what an erasure would name."""

    status: str  # "found"
    count: int
    references: tuple[str, ...]


@dataclass(frozen=True, kw_only=True, repr=False, eq=False)
class ErasureDone:
    """``POST /care/erasures`` (or an approval): what was removed. Ids and counts only."""

    status: str  # "erased"
    request_id: str
    inquiry_ids: tuple[str, ...]
    references: tuple[str, ...]
    inquiries: int
    lookup_items: int
    idempotency_records: int
    rate_limit_counters: int


@dataclass(frozen=True, kw_only=True, repr=False, eq=False)
class ErasurePending:
    """``POST /care/erasures`` with ``RequireSecondApproval``: ``202``, waiting for a different admin."""

    status: str  # "pending"
    request_id: str
    expires_at: str


@dataclass(frozen=True, kw_only=True, repr=False, eq=False)
class ExportPending:
    """``GET /care/people`` with ``RequireSecondApproval``: ``202``, waiting for a different admin; once approved,
    the admin who asked opens it (once) at ``GET /care/exports/{request_id}``."""

    status: str  # "pending"
    kind: str  # "export"
    request_id: str
    expires_at: str
    count: int  # how many inquiries it will show, and their references (so an erasure can still be asked for)
    references: tuple[str, ...]


@dataclass(frozen=True, kw_only=True, repr=False, eq=False)
class ExportApproved:
    """``POST /care/erasures/{request_id}/approve`` of an export: open to its requester until ``expires_at``."""

    status: str  # "approved"
    kind: str  # "export"
    request_id: str
    expires_at: str


@dataclass(frozen=True, kw_only=True, repr=False, eq=False)
class PendingRequest:
    """One pending request as listed: who asked, why, when, which inquiries. Never the email or phone."""

    request_id: str
    requester: str
    requester_id: str
    reason: str
    requested_at: str
    expires_at: str
    references: tuple[str, ...]
    inquiry_ids: tuple[str, ...]
    count: int
    kind: str  # "erasure" or "export"
    approved: bool  # an export approved, waiting for its requester to open it
    stale: bool  # made before a pepper rotation: it can only be rejected, and asked again


@dataclass(frozen=True, kw_only=True, repr=False, eq=False)
class PendingRequests:
    """``GET /care/erasures``: the pending requests, newest first; whether approval is required at all."""

    second_approval: bool
    reasons: tuple[str, ...]
    items: tuple[PendingRequest, ...]


@dataclass(frozen=True, kw_only=True, repr=False, eq=False)
class ErasureRejected:
    """``POST /care/erasures/{request_id}/reject``."""

    status: str  # "rejected"
    request_id: str


RightsView = (PersonExport | PersonMatches | ErasureDone | ErasurePending | PendingRequests | ErasureRejected
              | ExportPending | ExportApproved)


def rights_json(view: RightsView) -> str:
    return json.dumps(plain(view), ensure_ascii=False, separators=(",", ":"))
