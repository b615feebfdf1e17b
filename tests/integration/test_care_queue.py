"""Issue 19, items 1, 2, 6 and 7: the queue (attention order, counts, preview, attempts, lifted_by), its ETag
and 304 (nothing read beside the index, nothing audited), and bulk changes (each checked, audited, versioned)."""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from inquiries import aws
from inquiries.care.access import CareActor
from inquiries.care.service import CareService
from inquiries.data.items import iso
from inquiries.settings import CareApiSettings

from tests.support.care import CARE_MEMBER, OUTSIDER, TeamPool, care_request
from tests.support.consumers import put_inquiry, record_of
from tests.support.events import response_headers, response_json
from tests.support.stack import Stack

NOW = datetime.now(UTC)


@pytest.fixture(autouse=True)
def now_is_when_the_test_starts(monkeypatch: pytest.MonkeyPatch) -> None:
    """Due times are minutes from the test's start, not from collection: with ``pytest -n`` a module can run
    half an hour after it was imported, and "due in 30 min" was then already overdue."""
    monkeypatch.setattr(sys.modules[__name__], "NOW", datetime.now(UTC))


def queue(stack: Stack, claims: dict[str, str] | None = CARE_MEMBER, headers: dict[str, str] | None = None,
          assignee: str | None = None) -> dict[str, Any]:
    return care_request(stack, "GET", "/care/queue", claims=claims,
                        query=None if assignee is None else {"assignee": assignee}, headers=headers)


def at(minutes: int) -> str:
    return iso(NOW + timedelta(minutes=minutes))


def person(n: int, **fields: Any) -> str:
    """An inquiry of its own person (a distinct keyed email hash)."""
    return put_inquiry(email_hash=f"person-{n}", created_at=fields.pop("created_at", at(-600 + n)), **fields)


def team(stack: Stack) -> tuple[dict[str, str], str, str]:
    """Two members of the pool (an assignee must be one): the caller's claims as the first, and both subs."""
    pool = TeamPool(stack)
    me = pool.add("dana@clinic.local", "Dana", "care-team")
    other = pool.add("ana@clinic.local", "Ana", "care-admin")
    return {**CARE_MEMBER, "sub": me}, me, other


def assign(stack: Stack, inquiry_id: str, sub: str, version: int = 1) -> None:
    response = care_request(stack, "PATCH", f"/care/inquiries/{inquiry_id}", claims=CARE_MEMBER,
                            body={"assignee": sub}, headers={"If-Match": str(version)})
    assert response["statusCode"] == 200, response


def lists(stack: Stack) -> list[dict[str, Any]]:
    return [i for i in stack.items("AuditTable") if i["action"] == "list"]


# ---- the queue -------------------------------------------------------------------------------------------
def test_the_queue_is_urgent_first_then_overdue_then_priority_then_due_time(stack: Stack) -> None:
    normal_late = person(1, due_at=at(-30))
    priority_soon = person(2, level="priority", due_at=at(30))
    normal_later = person(3, due_at=at(600))
    urgent = person(4, level="urgent", urgent=True, due_at=at(20))
    priority_late = person(5, level="priority", due_at=at(-5))
    contacted = person(6, status="contacted", due_at=at(-300))
    attempting_late = person(7, status="attempting", due_at=at(-60))
    person(8, status="scheduled")
    person(9, status="closed")
    person(10, status="spam", spam=True)

    response = queue(stack)

    assert response["statusCode"] == 200, response
    body = response_json(response)
    # Within the overdue ones, priority first; a contacted one is past the response clock (never overdue).
    assert [i["inquiry_id"] for i in body["items"]] == [urgent, priority_late, attempting_late, normal_late,
                                                        priority_soon, contacted, normal_later]
    assert body["counts"] == {"new": 5, "attempting": 1, "contacted": 1, "scheduled": 1, "closed": 1,
                              "not_a_fit": 0, "spam": 1}
    assert response_headers(response)["cache-control"] == "no-store"
    assert response_headers(response)["etag"].startswith('"')


def test_a_queue_item_shows_a_preview_the_attempts_and_never_the_email_or_phone(stack: Stack) -> None:
    inquiry_id = put_inquiry(message="Word " * 60)
    care_request(stack, "POST", f"/care/inquiries/{inquiry_id}/attempts", claims=CARE_MEMBER,
                 body={"channel": "phone", "outcome": "no_answer", "next_attempt_at": at(90)},
                 headers={"If-Match": "1"})

    [item] = response_json(queue(stack))["items"]

    assert item["preview"].startswith("Word Word") and item["preview"].endswith("\u2026")
    assert len(item["preview"]) <= 141
    assert (item["attempts"], item["status"], item["version"]) == (1, "attempting", 2)
    assert item["next_attempt_at"] is not None and item["lifted_by"] is None
    stored = record_of(inquiry_id)
    for secret in (stored["email"], stored["phone"], stored["email_hash"]):
        assert secret not in str(item)
    assert {"email", "phone", "message", "email_hash"}.isdisjoint(item)


def test_an_urgent_inquiry_lifts_the_same_persons_newer_ones(stack: Stack) -> None:
    urgent = put_inquiry(email_hash="same", level="urgent", urgent=True, created_at=at(-120), due_at=at(-60))
    newer = put_inquiry(email_hash="same", created_at=at(-60), due_at=at(900))
    older = put_inquiry(email_hash="same", created_at=at(-500), due_at=at(900))
    overdue_other = person(1, due_at=at(-200))

    items = response_json(queue(stack))["items"]

    assert [i["inquiry_id"] for i in items] == [urgent, newer, overdue_other, older]
    lifted = {i["inquiry_id"]: i["lifted_by"] for i in items}
    assert lifted[newer] == f"INQ-{urgent[-8:]}"
    assert lifted[older] is None and lifted[urgent] is None and lifted[overdue_other] is None


def test_a_matching_if_none_match_is_a_304_that_reads_nothing_beside_the_index_and_audits_nothing(
        stack: Stack) -> None:
    person(1)
    person(2, level="urgent", urgent=True, due_at=at(30))
    first = queue(stack)
    etag = response_headers(first)["etag"]
    requests: list[str] = []
    aws.dynamodb().meta.events.register("provide-client-params.dynamodb",
                                        lambda params, model, **_: requests.append(model.name))

    again = queue(stack, headers={"If-None-Match": etag})
    weak = queue(stack, headers={"If-None-Match": f'"other", W/{etag}'})

    assert again["statusCode"] == weak["statusCode"] == 304
    assert again["body"] == "" and response_headers(again)["etag"] == etag
    assert response_headers(again)["cache-control"] == "no-store"
    assert set(requests) == {"Query"}, "the index only: no BatchGetItem, no GetItem, no audit write"
    assert len(lists(stack)) == 1


def test_any_change_gives_a_new_etag_and_a_200_audited_with_the_ids_shown(stack: Stack) -> None:
    a = person(1)
    b = person(2)
    _claims, _me, other = team(stack)
    etag = response_headers(queue(stack))["etag"]
    assign(stack, a, other)

    changed = queue(stack, headers={"If-None-Match": etag})

    assert changed["statusCode"] == 200
    assert response_headers(changed)["etag"] != etag
    entries = lists(stack)
    assert len(entries) == 2
    assert {e["status"] for e in entries} == {"queue"}
    assert set(entries[-1]["inquiry_ids"]) == {a, b}
    assert entries[-1]["actor_id"] == CARE_MEMBER["sub"]


def test_an_inquiry_falling_overdue_changes_the_etag(stack: Stack) -> None:
    put_inquiry(due_at=at(10))
    settings = CareApiSettings.from_environ()
    actor = CareActor(sub=CARE_MEMBER["sub"], groups=frozenset({"care-team"}))

    before = CareService(settings, clock=lambda: NOW).queue(actor, None, None)
    after = CareService(settings, clock=lambda: NOW + timedelta(minutes=11)).queue(actor, None, before.etag)

    assert after.view is not None and after.etag != before.etag


def test_mine_unassigned_and_someones_queue(stack: Stack) -> None:
    mine = person(1)
    theirs = person(2)
    nobodys = person(3)
    claims, me, other = team(stack)
    assign(stack, mine, me)
    assign(stack, theirs, other)

    def ids(assignee: str | None = None) -> list[str]:
        body = response_json(queue(stack, claims=claims, assignee=assignee))
        return [i["inquiry_id"] for i in body["items"]]

    assert ids(assignee="me") == [mine]
    assert ids(assignee="none") == [nobodys]
    assert ids(assignee=other) == [theirs]
    assert sorted(ids()) == sorted([mine, theirs, nobodys])
    assert response_json(queue(stack, claims=claims, assignee="me"))["counts"]["new"] == 1
    bad = queue(stack, claims=claims, assignee="bob by")
    assert bad["statusCode"] == 422 and response_json(bad)["errors"][0]["field"] == "assignee"


@pytest.mark.parametrize(("claims", "status"), [(None, 401), (OUTSIDER, 403)])
def test_a_refused_caller_sees_no_queue_and_nothing_is_audited(stack: Stack, claims: dict[str, str] | None,
                                                              status: int) -> None:
    person(1)

    response = queue(stack, claims=claims)

    assert response["statusCode"] == status
    assert "Marisol" not in response["body"] and stack.items("AuditTable") == []


# ---- bulk ------------------------------------------------------------------------------------------------
def bulk(stack: Stack, body: object, claims: dict[str, str] | None = CARE_MEMBER) -> dict[str, Any]:
    return care_request(stack, "POST", "/care/bulk", claims=claims, body=body)


def test_a_bulk_change_goes_through_each_inquiry_alone(stack: Stack) -> None:
    a, b, c = person(1), person(2), person(3)
    _claims, me, other = team(stack)
    assign(stack, b, other)  # b is now at version 2
    missing = "01ARZ3NDEKTSV4RRFFQ69G5FAV"

    response = bulk(stack, {"items": [{"inquiry_id": i, "version": 1} for i in (a, b, c, missing)],
                            "change": {"assignee": me}})

    assert response["statusCode"] == 200, response
    assert response_json(response)["results"] == [
        {"inquiry_id": a, "status": 200}, {"inquiry_id": b, "status": 412}, {"inquiry_id": c, "status": 200},
        {"inquiry_id": missing, "status": 404}]
    assert (record_of(a)["assignee"], record_of(a)["version"]) == (me, 2)
    assert (record_of(b)["assignee"], record_of(b)["version"]) == (other, 2)
    updates = [e for e in stack.items("AuditTable") if e["action"] == "update"]
    assert sorted(e["inquiry_id"] for e in updates) == sorted([a, b, c]), "the assign of b, then a and c"


def test_a_bulk_close_needs_its_reason_and_a_bulk_spam_holds_back_new_and_attempting(stack: Stack) -> None:
    new, trying, reached = person(1), person(2, status="attempting"), person(3, status="contacted")
    items = [{"inquiry_id": i, "version": 1} for i in (new, trying, reached)]

    unreasoned = response_json(bulk(stack, {"items": items, "change": {"status": "closed"}}))
    spam = response_json(bulk(stack, {"items": items, "change": {"status": "spam"}}))

    assert [r["status"] for r in unreasoned["results"]] == [422, 422, 422]
    assert [r["status"] for r in spam["results"]] == [200, 200, 422]
    assert [record_of(i)["status"] for i in (new, trying, reached)] == ["spam", "spam", "contacted"]
    closed = response_json(bulk(stack, {"items": [{"inquiry_id": reached, "version": 1}],
                                        "change": {"status": "closed", "close_reason": "duplicate"}}))
    assert closed["results"] == [{"inquiry_id": reached, "status": 200}]
    assert record_of(reached)["close_reason"] == "duplicate"


@pytest.mark.parametrize("body", [
    {"items": [], "change": {"assignee": "x"}},
    {"items": [{"inquiry_id": "01ARZ3NDEKTSV4RRFFQ69G5FAV", "version": 1}] * 2, "change": {"assignee": "x"}},
    {"items": [{"inquiry_id": f"01ARZ3NDEKTSV4RRFFQ69G{n:04d}", "version": 1} for n in range(51)],
     "change": {"assignee": "x"}},
    {"items": [{"inquiry_id": "not-an-id", "version": 1}], "change": {"assignee": "x"}},
    {"items": [{"inquiry_id": "01ARZ3NDEKTSV4RRFFQ69G5FAV", "version": "1"}], "change": {"assignee": "x"}},
    {"items": [{"inquiry_id": "01ARZ3NDEKTSV4RRFFQ69G5FAV", "version": 1}], "change": {"note": "hello"}},
    {"items": [{"inquiry_id": "01ARZ3NDEKTSV4RRFFQ69G5FAV", "version": 1}], "change": {}},
    {"items": [{"inquiry_id": "01ARZ3NDEKTSV4RRFFQ69G5FAV", "version": 1}], "change": {"status": "archived"}},
])
def test_a_bad_bulk_body_is_a_422_that_changes_nothing(stack: Stack, body: dict[str, Any]) -> None:
    inquiry_id = person(1)

    response = bulk(stack, body)

    assert response["statusCode"] == 422, response
    assert "hello" not in response["body"] and "not-an-id" not in response["body"]
    assert record_of(inquiry_id)["version"] == 1 and stack.items("AuditTable") == []


def test_a_refused_caller_changes_nothing_in_bulk(stack: Stack) -> None:
    inquiry_id = person(1)
    body = {"items": [{"inquiry_id": inquiry_id, "version": 1}], "change": {"status": "spam"}}

    assert bulk(stack, body, claims=None)["statusCode"] == 401
    assert bulk(stack, body, claims=OUTSIDER)["statusCode"] == 403
    assert record_of(inquiry_id)["status"] == "new" and stack.items("AuditTable") == []


def test_a_queue_item_names_its_triage_categories_so_the_card_says_why_it_is_urgent(stack: Stack) -> None:
    """Issue 19, item 1: "the level and category shown". Codes only (never the words that matched)."""
    urgent = put_inquiry(urgent=True, level="urgent", triage_categories=["self_harm", "overdose"],
                         triage_rules=["r1"], due_at=at(30))
    ordinary = put_inquiry(due_at=at(600))

    items = {i["inquiry_id"]: i for i in response_json(queue(stack))["items"]}

    assert items[urgent]["triage_categories"] == ["self_harm", "overdose"]
    assert items[ordinary]["triage_categories"] == []
    assert "triage_rules" not in items[urgent]
