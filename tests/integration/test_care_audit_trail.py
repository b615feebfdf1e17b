"""Issue 18: an audit trail a regulator accepts, a signed list cursor, a bound on notes, and the races and
sizes a deliberate break showed unguarded. CareApiFunction against moto."""

from __future__ import annotations

import base64
import json
import secrets
from datetime import UTC, datetime
from typing import Any

import pytest
from inquiries import aws
from inquiries.data import care as care_data
from inquiries.data.audit import AuditEntry, AuditRecords
from inquiries.data.cursor import MAX_CURSOR_CHARS
from inquiries.data.errors import AuditUnavailable

from tests.support.care import ADMIN, CARE_MEMBER, audit_trail, care_request, listed
from tests.support.consumers import put_inquiry, record_of
from tests.support.events import response_json
from tests.support.phi import distinctive_inquiry
from tests.support.stack import Stack

SECOND_MEMBER = {**CARE_MEMBER, "sub": "0b7e9c1e-0000-4000-8000-00000000beef", "email": "second@clinic.local"}


def patch(stack: Stack, inquiry_id: str, body: object, version: int = 1,
          claims: dict[str, str] = CARE_MEMBER) -> dict[str, Any]:
    return care_request(stack, "PATCH", f"/care/inquiries/{inquiry_id}", claims=claims, body=body,
                        headers={"If-Match": str(version)})


def raw_entries(stack: Stack, action: str | None = None) -> list[dict[str, Any]]:
    items = stack.items("AuditTable")
    return [i for i in items if action is None or i["action"] == action]


# ---- 1. a list entry records the status, the page and the ids shown ---------------------------------------
def test_a_list_entry_records_its_status_page_and_the_ids_shown_and_nothing_else(stack: Stack) -> None:
    ids = [put_inquiry() for _ in range(3)]

    first = listed(stack, status="new", limit="2")
    second = listed(stack, status="new", limit="2", cursor=first["next_cursor"])

    entries = sorted(raw_entries(stack, "list"), key=lambda e: e["entry_id"])
    assert [(e["status"], int(e["page"])) for e in entries] == [("new", 1), ("new", 2)]
    shown = [[i["inquiry_id"] for i in page["items"]] for page in (first, second)]
    assert [list(e["inquiry_ids"]) for e in entries] == shown
    assert sorted(i for page in shown for i in page) == sorted(ids)
    # Ids only: no name, topic or other field of the people listed.
    text = json.dumps(entries, default=str)
    submitted = distinctive_inquiry()
    for value in (submitted["name"], submitted["email"], submitted["topic"]):
        assert str(value) not in text


def test_the_audit_trail_shows_a_lists_status_page_and_ids(stack: Stack) -> None:
    inquiry_id = put_inquiry()
    listed(stack, status="new")

    [entry] = [e for e in audit_trail(stack) if e["action"] == "list"]

    assert (entry["status"], entry["page"], entry["inquiry_ids"]) == ("new", 1, [inquiry_id])


def test_an_empty_list_is_audited_with_no_ids(stack: Stack) -> None:
    listed(stack, status="closed")

    [entry] = raw_entries(stack, "list")
    assert (entry["status"], int(entry["page"]), list(entry.get("inquiry_ids", []))) == ("closed", 1, [])


# ---- 2. reading the audit trail is itself audited ---------------------------------------------------------
def test_reading_the_audit_trail_is_audited_with_the_kinds_of_filter_only(stack: Stack) -> None:
    inquiry_id = put_inquiry()
    audit_trail(stack)
    audit_trail(stack, inquiry_id)

    entries = sorted(raw_entries(stack, "audit_read"), key=lambda e: e["entry_id"])
    assert [(e["actor_id"], list(e.get("filters", []))) for e in entries] == [
        (ADMIN["sub"], []), (ADMIN["sub"], ["inquiry_id"])]
    assert entries[1]["inquiry_id"] == inquiry_id
    assert "inquiry_id" not in entries[0]


def test_a_refused_audit_read_writes_no_entry(stack: Stack) -> None:
    response = care_request(stack, "GET", "/care/audit", claims=CARE_MEMBER)

    assert response["statusCode"] == 403
    assert raw_entries(stack, "audit_read") == []


def test_an_audit_read_whose_entry_cannot_be_stored_shows_nothing(stack: Stack,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    put_inquiry()
    listed(stack, status="new")

    def refuse(self: AuditRecords, entry: AuditEntry) -> None:
        raise AuditUnavailable("ProvisionedThroughputExceededException")

    monkeypatch.setattr(AuditRecords, "record", refuse)
    response = care_request(stack, "GET", "/care/audit", claims=ADMIN)

    assert response["statusCode"] == 503
    assert "items" not in response_json(response)


# ---- 3. each entry is written once -----------------------------------------------------------------------
def _fixed_suffix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(secrets, "token_hex", lambda _n: "000000000000")


def test_an_entry_cannot_be_overwritten(stack: Stack, monkeypatch: pytest.MonkeyPatch) -> None:
    _fixed_suffix(monkeypatch)
    trail = AuditRecords("AuditTable", 2192)
    at = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)
    trail.record(AuditEntry(at=at, actor="care@clinic.local", actor_id=CARE_MEMBER["sub"], action="read",
                            inquiry_id="01ARZ3NDEKTSV4RRFFQ69G5FAV"))

    with pytest.raises(AuditUnavailable):
        trail.record(AuditEntry(at=at, actor="admin@clinic.local", actor_id=ADMIN["sub"], action="list"))

    [kept] = raw_entries(stack)
    assert (kept["actor_id"], kept["action"]) == (CARE_MEMBER["sub"], "read")


def test_a_change_whose_audit_entry_would_overwrite_one_changes_nothing(stack: Stack,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    _fixed_suffix(monkeypatch)
    inquiry_id = put_inquiry()
    at = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)
    trail = AuditRecords("AuditTable", 2192)
    trail.record(AuditEntry(at=at, actor="x", actor_id=ADMIN["sub"], action="read", inquiry_id=inquiry_id))
    write = trail.write_with(AuditEntry(at=at, actor="y", actor_id=CARE_MEMBER["sub"], action="update",
                                        inquiry_id=inquiry_id, fields=("note",)))

    assert write["Put"].get("ConditionExpression") == "attribute_not_exists(entry_id)"
    with pytest.raises(Exception, match=r"ConditionalCheckFailed|TransactionCanceled"):
        aws.dynamodb().transact_write_items(TransactItems=[write])
    [kept] = raw_entries(stack)
    assert kept["actor_id"] == ADMIN["sub"]


def test_audit_entries_outlive_the_inquiries_retention(stack: Stack) -> None:
    inquiry_id = put_inquiry()
    care_request(stack, "GET", f"/care/inquiries/{inquiry_id}", claims=CARE_MEMBER)

    [entry] = raw_entries(stack, "read")
    kept_days = (int(entry["ttl"]) - datetime.fromisoformat(entry["at"].replace("Z", "+00:00")).timestamp()) / 86400
    assert kept_days >= 6 * 365 + 1, "HIPAA documentation is kept six years (45 CFR 164.316(b)(2))"


# ---- 7. the list cursor is signed and bounded -------------------------------------------------------------
def _unsigned(key: dict[str, str]) -> str:
    raw = json.dumps(key, sort_keys=True, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _list_with(stack: Stack, cursor: str, status: str = "new") -> dict[str, Any]:
    return care_request(stack, "GET", "/care/inquiries", claims=CARE_MEMBER, query={"status": status,
                                                                                      "cursor": cursor})


def test_a_cursor_naming_an_oversized_key_is_a_4xx_not_a_5xx(stack: Stack) -> None:
    put_inquiry()
    cursor = _unsigned({"created_at": "2026-03-10T15:00:00.000Z", "inquiry_id": "A" * 3000, "status": "new"})

    response = _list_with(stack, cursor)

    assert response["statusCode"] == 422
    assert [e["field"] for e in response_json(response)["errors"]] == ["cursor"]
    assert raw_entries(stack, "list") == []


def test_a_cursor_the_api_did_not_sign_is_refused(stack: Stack) -> None:
    ids = [put_inquiry() for _ in range(3)]
    # A well-formed key of this list that the API never handed out: it would skip to any point.
    forged = _unsigned({"created_at": "9999-12-31T00:00:00.000Z", "inquiry_id": ids[0], "status": "new"})

    response = _list_with(stack, forged)

    assert response["statusCode"] == 422
    assert "start from the first page" in response_json(response)["errors"][0]["message"]


def test_a_tampered_cursor_is_refused(stack: Stack) -> None:
    for _ in range(3):
        put_inquiry()
    cursor = listed(stack, status="new", limit="1")["next_cursor"]
    assert cursor
    flipped = cursor[:-1] + ("A" if cursor[-1] != "A" else "B")
    payload_changed = cursor.replace(cursor[5], "Z" if cursor[5] != "Z" else "Y", 1)

    for bad in (flipped, payload_changed, cursor + "A", cursor[:-4]):
        assert _list_with(stack, bad)["statusCode"] == 422, bad


def test_a_signed_cursor_still_pages_through_every_inquiry_once(stack: Stack) -> None:
    ids = [put_inquiry() for _ in range(5)]
    seen: list[str] = []
    cursor: str | None = None
    while True:
        query = {"status": "new", "limit": "2", **({"cursor": cursor} if cursor else {})}
        page = response_json(care_request(stack, "GET", "/care/inquiries", claims=CARE_MEMBER, query=query))
        seen += [i["inquiry_id"] for i in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
        assert len(cursor) <= MAX_CURSOR_CHARS
    assert sorted(seen) == sorted(ids) and len(seen) == 5


@pytest.mark.parametrize("cursor", ["A" * 5000, "%%%", "eyJ9", "." * 40, "a.b.c"])
def test_a_malformed_or_huge_cursor_is_a_422_never_a_5xx(stack: Stack, cursor: str) -> None:
    response = _list_with(stack, cursor)

    assert response["statusCode"] == 422


# ---- 8. a bound on notes per inquiry ----------------------------------------------------------------------
def test_notes_past_the_bound_are_a_422_that_changes_nothing(stack: Stack) -> None:
    from inquiries.care.service import MAX_NOTES_PER_INQUIRY

    notes = [{"at": "2026-03-10T15:00:00.000Z", "actor": "care@clinic.local", "text": f"n{i}"}
             for i in range(MAX_NOTES_PER_INQUIRY)]
    inquiry_id = put_inquiry(version=1)
    aws.dynamodb().update_item(TableName="InquiriesTable", Key={"inquiry_id": {"S": inquiry_id}},
                               UpdateExpression="SET notes = :n",
                               ExpressionAttributeValues={":n": {"L": [{"M": {k: {"S": v} for k, v in n.items()}}
                                                                       for n in notes]}})

    response = patch(stack, inquiry_id, {"note": "one more"})

    assert response["statusCode"] == 422
    [error] = response_json(response)["errors"]
    assert error["field"] == "note" and "limit" in error["message"]
    kept = record_of(inquiry_id)
    assert kept["version"] == 1 and len(kept["notes"]) == MAX_NOTES_PER_INQUIRY
    # A status change without a note still goes through.
    assert patch(stack, inquiry_id, {"status": "contacted"})["statusCode"] == 200


def dynamodb_bytes(value: dict[str, Any]) -> int:
    """An attribute value's size by DynamoDB's documented rules (strings in UTF-8; lists and maps 3 bytes and 1
    per element; numbers about their digits)."""
    (kind, inner), = value.items()
    if kind == "S":
        return len(inner.encode("utf-8"))
    if kind == "N":
        return len(inner) // 2 + 2
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "L":
        return 3 + sum(1 + dynamodb_bytes(v) for v in inner)
    if kind == "M":
        return 3 + sum(len(k.encode("utf-8")) + 1 + dynamodb_bytes(v) for k, v in inner.items())
    raise AssertionError(kind)


def fill_history_to_the_item_limit(inquiry_id: str) -> int:
    """Give the inquiry the history years of reassignments would leave, so that the item is within one entry of
    DynamoDB's 400 KB item limit. The number of entries it then holds."""
    entry = {"M": {"at": {"S": "2026-03-10T15:00:00.000Z"}, "actor_id": {"S": CARE_MEMBER["sub"]},
                   "actor": {"S": "care@clinic.local"}, "action": {"S": "assign"},
                   "to": {"S": CARE_MEMBER["sub"]}, "from": {"S": ADMIN["sub"]}}}
    stored = aws.dynamodb().get_item(TableName="InquiriesTable", Key={"inquiry_id": {"S": inquiry_id}})["Item"]
    item: dict[str, Any] = {k: v for k, v in stored.items() if k != "history"}
    base = sum(len(k) + dynamodb_bytes(v) for k, v in item.items()) + len("history") + 3
    held = (400 * 1000 - 300 - base) // (1 + dynamodb_bytes(entry))
    aws.dynamodb().put_item(TableName="InquiriesTable", Item={**item, "history": {"L": [entry] * held}})
    return held


def test_a_change_that_would_pass_the_item_size_limit_is_a_422_that_changes_nothing(stack: Stack) -> None:
    """Not only notes grow an inquiry: every change adds a history entry. At DynamoDB's 400 KB item limit a write
    fails (a 503 here before this bound); the care API must refuse it clearly (422, saying why) before writing."""
    inquiry_id = put_inquiry(version=1)
    held = fill_history_to_the_item_limit(inquiry_id)
    assert held > 1000

    for change in ({"note": "Called back, no answer. " * 20}, {"status": "contacted"}):
        response = patch(stack, inquiry_id, change)

        assert response["statusCode"] == 422, response["statusCode"]
        [error] = response_json(response)["errors"]
        assert "full" in error["message"] and "clinic's record" in error["message"]
        kept = record_of(inquiry_id)
        assert kept["version"] == 1 and len(kept["history"]) == held


def test_notes_past_the_byte_budget_are_a_422(stack: Stack) -> None:
    from inquiries.care.service import NOTES_BYTE_BUDGET

    text = "é" * 2000  # 4000 bytes in UTF-8
    count = NOTES_BYTE_BUDGET // 4000
    inquiry_id = put_inquiry(version=1)
    note = {"M": {"at": {"S": "2026-03-10T15:00:00.000Z"}, "actor": {"S": "care@clinic.local"}, "text": {"S": text}}}
    aws.dynamodb().update_item(TableName="InquiriesTable", Key={"inquiry_id": {"S": inquiry_id}},
                               UpdateExpression="SET notes = :n",
                               ExpressionAttributeValues={":n": {"L": [note] * count}})

    response = patch(stack, inquiry_id, {"note": text})

    assert response["statusCode"] == 422
    assert record_of(inquiry_id)["version"] == 1


# ---- 9a. two members read version N and both PATCH: the conditional write decides -------------------------
def test_two_members_patching_the_same_version_one_wins_and_the_other_gets_412(
        stack: Stack, monkeypatch: pytest.MonkeyPatch) -> None:
    inquiry_id = put_inquiry(version=1)
    real_get = care_data.CareRecords.get
    answers: dict[str, dict[str, Any]] = {}

    def interleaved(self: care_data.CareRecords, wanted: str) -> dict[str, Any] | None:
        read = real_get(self, wanted)
        if "first" not in answers:
            # The second member's handler has read version 1; before it writes, the first member's whole
            # PATCH runs (read, compare, write). The second's read-then-compare then passes on what it read.
            monkeypatch.setattr(care_data.CareRecords, "get", real_get)
            answers["first"] = patch(stack, inquiry_id, {"status": "contacted", "note": "first"})
        return read

    monkeypatch.setattr(care_data.CareRecords, "get", interleaved)
    answers["second"] = patch(stack, inquiry_id, {"status": "not_a_fit", "note": "second"}, claims=SECOND_MEMBER)

    assert answers["first"]["statusCode"] == 200
    assert answers["second"]["statusCode"] == 412
    kept = record_of(inquiry_id)
    assert (kept["status"], kept["version"]) == ("contacted", 2)
    assert [n["text"] for n in kept["notes"]] == ["first"]
    updates = raw_entries(stack, "update")
    assert [u["actor_id"] for u in updates] == [CARE_MEMBER["sub"]], "the refused change left no audit entry"


# ---- 9b. a care PATCH over 16 KiB -------------------------------------------------------------------------
def test_a_patch_over_16_kib_is_413_and_the_version_is_unchanged(stack: Stack) -> None:
    inquiry_id = put_inquiry(version=1)
    body = json.dumps({"note": "x" * (16 * 1024)})

    response = patch(stack, inquiry_id, body)

    assert response["statusCode"] == 413
    assert record_of(inquiry_id)["version"] == 1
    assert "notes" not in record_of(inquiry_id)
    assert raw_entries(stack, "update") == []
