"""Issue 19, item 4 and 7: contact attempts, the ``attempting`` status, close reasons, reopening, spam from
``attempting``, and a response clock that ends at the first *reached* contact (TimeToFirstContact once)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.support.care import ADMIN, CARE_MEMBER, OUTSIDER, care_request, listed
from tests.support.consumers import put_inquiry, record_of
from tests.support.events import response_headers, response_json
from tests.support.stack import Stack


def patch(stack: Stack, inquiry_id: str, body: object, version: int) -> dict[str, Any]:
    return care_request(stack, "PATCH", f"/care/inquiries/{inquiry_id}", claims=CARE_MEMBER, body=body,
                        headers={"If-Match": str(version)})


def attempt(stack: Stack, inquiry_id: str, body: object, version: int | None,
            claims: dict[str, str] | None = CARE_MEMBER) -> dict[str, Any]:
    return care_request(stack, "POST", f"/care/inquiries/{inquiry_id}/attempts", claims=claims, body=body,
                        headers={} if version is None else {"If-Match": str(version)})


def first_contacts(out: str) -> list[float]:
    """The TimeToFirstContact values in the EMF lines printed."""
    found: list[float] = []
    for line in out.splitlines():
        if line.startswith('{"_aws"') and "TimeToFirstContact" in (doc := json.loads(line)):
            value = doc["TimeToFirstContact"]
            found += [float(v) for v in value] if isinstance(value, list) else [float(value)]
    return found


def updates(stack: Stack) -> list[dict[str, Any]]:
    return [i for i in stack.items("AuditTable") if i["action"] == "update"]


def later(minutes: int) -> str:
    return (datetime.now(UTC) + timedelta(minutes=minutes)).isoformat()


# ---- attempts ---------------------------------------------------------------------------------------------
def test_three_attempts_the_third_reaching_the_person_end_the_clock_once(
        stack: Stack, capsys: pytest.CaptureFixture[str]) -> None:
    inquiry_id = put_inquiry()
    capsys.readouterr()

    first = attempt(stack, inquiry_id, {"channel": "phone", "outcome": "no_answer", "next_attempt_at": later(60)}, 1)
    second = attempt(stack, inquiry_id, {"channel": "sms", "outcome": "voicemail", "note": "Left a message."}, 2)
    trying = first_contacts(capsys.readouterr().out)
    third = attempt(stack, inquiry_id, {"channel": "phone", "outcome": "reached"}, 3)
    reached = first_contacts(capsys.readouterr().out)
    scheduled = patch(stack, inquiry_id, {"status": "scheduled"}, 4)

    assert [r["statusCode"] for r in (first, second, third, scheduled)] == [201, 201, 201, 200]
    assert response_headers(third)["etag"] == '"4"'
    one, two, three = (response_json(r) for r in (first, second, third))
    assert (one["status"], two["status"], three["status"]) == ("attempting", "attempting", "contacted")
    assert one["next_attempt_at"] is not None and two["next_attempt_at"] is None, "each attempt sets or clears it"
    assert [(a["channel"], a["outcome"], a["actor_id"]) for a in three["attempts"]] == [
        ("phone", "no_answer", CARE_MEMBER["sub"]), ("sms", "voicemail", CARE_MEMBER["sub"]),
        ("phone", "reached", CARE_MEMBER["sub"])]
    assert [n["text"] for n in three["notes"]] == ["Left a message."]
    assert [(h["action"], h["to"]) for h in three["history"]] == [
        ("attempt", "no_answer"), ("status", "attempting"), ("attempt", "voicemail"), ("note", None),
        ("attempt", "reached"), ("status", "contacted")]
    assert trying == [], "trying is not a first contact"
    assert len(reached) == 1
    assert first_contacts(capsys.readouterr().out) == [], "scheduling later is not a second first contact"
    stored = record_of(inquiry_id)
    assert stored["attempt_count"] == 3 and stored["first_contact_at"] and stored["version"] == 5
    assert [u["fields"] for u in updates(stack)][:3] == [["attempt", "status"], ["attempt", "note"],
                                                          ["attempt", "status"]]


def test_an_attempt_on_a_contacted_inquiry_keeps_its_status_and_counts_nothing(
        stack: Stack, capsys: pytest.CaptureFixture[str]) -> None:
    inquiry_id = put_inquiry(status="contacted")
    capsys.readouterr()

    body = response_json(attempt(stack, inquiry_id, {"channel": "email", "outcome": "reached"}, 1))

    assert body["status"] == "contacted" and len(body["attempts"]) == 1
    assert first_contacts(capsys.readouterr().out) == []


@pytest.mark.parametrize(("body", "fields"), [
    ({"channel": "fax", "outcome": "reached"}, ["channel"]),
    ({"channel": "phone", "outcome": "maybe"}, ["outcome"]),
    ({"channel": "phone"}, ["outcome"]),
    ({"channel": "phone", "outcome": "no_answer", "next_attempt_at": "tomorrow"}, ["next_attempt_at"]),
    ({"channel": "phone", "outcome": "no_answer", "next_attempt_at": "2030-01-01T09:00:00"}, ["next_attempt_at"]),
    ({"channel": "phone", "outcome": "no_answer", "next_attempt_at": "2020-01-01T09:00:00Z"}, ["next_attempt_at"]),
    ({"channel": "phone", "outcome": "no_answer", "note": "x" * 2001}, ["note"]),
    ({"channel": "phone", "outcome": "no_answer", "status": "closed"}, [None]),
])
def test_a_bad_attempt_is_a_422_that_stores_nothing(stack: Stack, body: dict[str, Any], fields: list[str]) -> None:
    inquiry_id = put_inquiry()

    response = attempt(stack, inquiry_id, body, 1)

    assert response["statusCode"] == 422, response
    assert [e["field"] for e in response_json(response)["errors"]] == fields
    assert "xxxx" not in response["body"] and "tomorrow" not in response["body"]
    assert record_of(inquiry_id)["version"] == 1 and "attempts" not in record_of(inquiry_id)
    assert updates(stack) == []


@pytest.mark.parametrize("status", ["closed", "not_a_fit", "spam"])
def test_only_an_open_inquiry_takes_attempts(stack: Stack, status: str) -> None:
    inquiry_id = put_inquiry(status=status)

    response = attempt(stack, inquiry_id, {"channel": "phone", "outcome": "no_answer"}, 1)

    assert response["statusCode"] == 422 and response_json(response)["errors"][0]["field"] == "status"
    assert record_of(inquiry_id)["version"] == 1


def test_an_attempt_needs_if_match_and_the_current_version(stack: Stack) -> None:
    inquiry_id = put_inquiry()
    body = {"channel": "phone", "outcome": "no_answer"}

    assert attempt(stack, inquiry_id, body, None)["statusCode"] == 428
    assert attempt(stack, inquiry_id, body, 2)["statusCode"] == 412
    assert attempt(stack, "01ARZ3NDEKTSV4RRFFQ69G5FAV", body, 1)["statusCode"] == 404
    assert attempt(stack, inquiry_id, body, 1, claims=None)["statusCode"] == 401
    assert attempt(stack, inquiry_id, body, 1, claims=OUTSIDER)["statusCode"] == 403
    assert record_of(inquiry_id)["version"] == 1 and stack.items("AuditTable") == []


# ---- close reasons, reopen, spam from attempting ---------------------------------------------------------
def test_closing_needs_a_reason_which_is_kept_and_shown(stack: Stack) -> None:
    inquiry_id = put_inquiry()

    without = patch(stack, inquiry_id, {"status": "closed"}, 1)
    misplaced = patch(stack, inquiry_id, {"status": "attempting", "close_reason": "duplicate"}, 1)
    alone = patch(stack, inquiry_id, {"close_reason": "duplicate"}, 1)
    unknown = patch(stack, inquiry_id, {"status": "closed", "close_reason": "bored"}, 1)
    closed = patch(stack, inquiry_id, {"status": "closed", "close_reason": "unreachable"}, 1)

    for refused in (without, misplaced, alone, unknown):
        assert refused["statusCode"] == 422
        assert [e["field"] for e in response_json(refused)["errors"]] == ["close_reason"]
    body = response_json(closed)
    assert (body["status"], body["close_reason"]) == ("closed", "unreachable")
    assert body["history"][-1]["reason"] == "unreachable" and body["history"][-1]["to"] == "closed"
    assert record_of(inquiry_id)["version"] == 2


def test_reopening_a_closed_inquiry_is_audited_with_a_fresh_response_target(stack: Stack) -> None:
    inquiry_id = put_inquiry(due_at="2026-01-01T00:00:00.000Z")
    patch(stack, inquiry_id, {"status": "closed", "close_reason": "unreachable"}, 1)

    reopened = patch(stack, inquiry_id, {"status": "attempting"}, 2)

    assert reopened["statusCode"] == 200, reopened
    body = response_json(reopened)
    assert (body["status"], body["close_reason"]) == ("attempting", None)
    assert {k: body["history"][-1][k] for k in ("action", "from", "to")} == {
        "action": "reopened", "from": "closed", "to": "attempting"}
    assert body["due_at"] > datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S"), "a fresh target, not long overdue"
    assert [u["fields"] for u in updates(stack)] == [["status"], ["status"]]
    assert "reopened_at" in record_of(inquiry_id)
    not_a_fit = put_inquiry(status="not_a_fit")
    assert response_json(patch(stack, not_a_fit, {"status": "attempting"}, 1))["status"] == "attempting"
    assert patch(stack, put_inquiry(status="closed"), {"status": "new"}, 1)["statusCode"] == 422


def test_an_attempting_inquiry_can_be_marked_spam_and_released(stack: Stack,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    inquiry_id = put_inquiry()
    attempt(stack, inquiry_id, {"channel": "phone", "outcome": "wrong_number"}, 1)
    capsys.readouterr()

    spam = patch(stack, inquiry_id, {"status": "spam"}, 2)
    released = patch(stack, inquiry_id, {"status": "new"}, 3)

    assert response_json(spam)["status"] == "spam" and response_json(released)["status"] == "new"
    assert first_contacts(capsys.readouterr().out) == [], "neither marking spam nor releasing is a first contact"
    assert record_of(inquiry_id)["spam"] is False and "released_at" in record_of(inquiry_id)


@pytest.mark.parametrize("path", [["attempting"], ["closed"], ["not_a_fit"], ["attempting", "closed"]])
def test_trying_or_closing_without_a_contact_is_not_a_first_contact(
        stack: Stack, capsys: pytest.CaptureFixture[str], path: list[str]) -> None:
    inquiry_id = put_inquiry()
    capsys.readouterr()

    for version, status in enumerate(path, start=1):
        body: dict[str, Any] = {"status": status}
        if status == "closed":
            body["close_reason"] = "unreachable"
        assert patch(stack, inquiry_id, body, version)["statusCode"] == 200

    assert first_contacts(capsys.readouterr().out) == []
    assert "first_contact_at" not in record_of(inquiry_id)


def test_a_reopened_inquiry_reached_again_is_not_a_second_first_contact(
        stack: Stack, capsys: pytest.CaptureFixture[str]) -> None:
    inquiry_id = put_inquiry()
    for version, body in enumerate([{"status": "contacted"}, {"status": "closed", "close_reason": "scheduled"},
                                    {"status": "attempting"}, {"status": "contacted"}], start=1):
        assert patch(stack, inquiry_id, body, version)["statusCode"] == 200, body

    assert len(first_contacts(capsys.readouterr().out)) == 1


def test_an_admin_may_log_attempts_too(stack: Stack) -> None:
    inquiry_id = put_inquiry()

    response = care_request(stack, "POST", f"/care/inquiries/{inquiry_id}/attempts", claims=ADMIN,
                            body={"channel": "phone", "outcome": "call_later"}, headers={"If-Match": "1"})

    assert response["statusCode"] == 201 and response_json(response)["status"] == "attempting"


def test_a_status_list_row_counts_the_attempts_and_shows_the_next_one(stack: Stack) -> None:
    inquiry_id = put_inquiry()
    attempt(stack, inquiry_id, {"channel": "phone", "outcome": "call_later", "next_attempt_at": later(30)}, 1)

    [row] = listed(stack, status="attempting")["items"]

    assert (row["inquiry_id"], row["attempts"]) == (inquiry_id, 1)
    assert row["next_attempt_at"] == record_of(inquiry_id)["next_attempt_at"]


def test_a_reopen_with_a_raised_level_is_due_from_the_reopening_at_the_new_level(stack: Stack) -> None:
    inquiry_id = put_inquiry(status="closed", created_at="2026-01-05T15:00:00.000Z",
                             due_at="2026-01-06T00:00:00.000Z")
    before = datetime.now(UTC)

    body = response_json(patch(stack, inquiry_id, {"status": "attempting", "level": "urgent",
                                                   "level_reason": "missed"}, 1))

    due = datetime.fromisoformat(body["due_at"].replace("Z", "+00:00"))
    assert (body["status"], body["level"]) == ("attempting", "urgent")
    assert timedelta(minutes=59) < due - before < timedelta(minutes=61), "an hour from now, not from January"
