"""What the care API answers and accepts: list items, one inquiry in full, a change, the audit trail.

The list item never carries the message, email or phone; the full inquiry is the only place PHI is
shown. Error texts are fixed and never echo a submitted value.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from inquiries.ids import short_reference
from inquiries.record import InquiryStatus, PreferredContact, Topic, clean_text


class CareListItem(BaseModel):
    """One row of a status list."""

    inquiry_id: str
    reference: str
    created_at: str
    status: InquiryStatus
    urgent: bool = False
    topic: Topic
    preferred_contact: PreferredContact
    name: str
    assignee: str | None = None
    due_at: str | None = None
    version: int = 1


class CarePage(BaseModel):
    """``GET /care/inquiries``: newest first, and the cursor of the next page (null on the last)."""

    items: list[CareListItem]
    next_cursor: str | None


class Note(BaseModel):
    """A care-team note on an inquiry."""

    at: str
    actor: str
    text: str


class HistoryEntry(BaseModel):
    """One change to an inquiry: a status move (from, to), an assignment (from, to) or a note."""

    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)

    at: str
    actor: str
    action: str
    from_: str | None = Field(default=None, alias="from")
    to: str | None = None


class CareInquiry(CareListItem):
    """``GET /care/inquiries/{inquiry_id}``: every submitted field plus the care team's own."""

    email: str
    phone: str | None = None
    message: str | None = None
    consent_to_contact: bool
    sms_consent: bool = False
    referral_source: str | None = None
    triage_categories: list[str] = Field(default_factory=list)
    notes: list[Note] = Field(default_factory=list)
    history: list[HistoryEntry] = Field(default_factory=list)


def list_item(values: dict[str, Any]) -> CareListItem:
    """A list row from the index's projected attributes."""
    return CareListItem.model_validate({**values, "reference": short_reference(values["inquiry_id"])})


def full_inquiry(values: dict[str, Any]) -> CareInquiry:
    """The full view of a stored inquiry."""
    return CareInquiry.model_validate({**values, "reference": short_reference(values["inquiry_id"])})


def _single_line(value: Any) -> Any:
    return clean_text(value) if isinstance(value, str) else value


def _multiline(value: Any) -> Any:
    return clean_text(value, multiline=True) if isinstance(value, str) else value


class CareChange(BaseModel):
    """``PATCH /care/inquiries/{inquiry_id}``: any of status, assignee (null unassigns) and a note to add."""

    model_config = ConfigDict(extra="forbid")

    status: InquiryStatus | None = None
    assignee: Annotated[Annotated[str, Field(min_length=1, max_length=100)] | None,
                        BeforeValidator(_single_line)] = None
    note: Annotated[Annotated[str, Field(min_length=1, max_length=2000)] | None, BeforeValidator(_multiline)] = None


CHANGE_FIELD_MESSAGES: dict[str, str] = {
    "status": "Choose one of: new, contacted, scheduled, closed, not_a_fit, spam.",
    "assignee": "Give the assignee as 1 to 100 characters, or null to unassign.",
    "note": "Write the note in 1 to 2000 characters.",
}


class AuditItem(BaseModel):
    """One audited act: who (email and Cognito sub), when, what, which inquiry (none for a list)."""

    at: str
    actor: str
    actor_id: str
    action: str
    inquiry_id: str | None = None
    fields: list[str] = Field(default_factory=list)


class AuditTrail(BaseModel):
    """``GET /care/audit``: newest first."""

    items: list[AuditItem]
