"""Issue 21 item 2: the audit trail searched by reference, user, action and date range, paged by cursor over
the whole retention, references shown, kinds for grouping, CSV export audited. CareApiFunction against moto."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from inquiries import aws
from inquiries.data.audit import AuditEntry, AuditRecords
from inquiries.ids import short_reference

from tests.support.care import ADMIN, CARE_MEMBER, care_request
from tests.support.events import json_post, response_headers, response_json
from tests.support.phi import distinctive_inquiry
from tests.support.stack import Stack

OTHER_ADMIN = {**ADMIN, "sub": "0b7e9c1e-0000-4000-8000-0000000a0002", "email": "second-admin@clinic.local"}
NOW = datetime.now(UTC)


def submit(stack: Stack, key: str) -> str:
    response = stack.intake(json_post(distinctive_inquiry(), headers={"Idempotency-Key": key}))
    assert response["statusCode"] == 202
    inquiry_id: str = response_json(response)["inquiry_id"]
    return inquiry_id


def old_entry(at: datetime, action: str, *, actor_id: str = CARE_MEMBER["sub"], inquiry_id: str | None = None,
              reference: bool = True) -> None:
    """An entry as an earlier act stored it (``reference=False``: as entries before references were stored)."""
    records = AuditRecords("AuditTable", 2192)
    entry = AuditEntry(at=at, actor="Someone", actor_id=actor_id, action=action, inquiry_id=inquiry_id)
    item = records._item(entry)
    if not reference:
        item.pop("reference", None)
    aws.dynamodb().put_item(TableName="AuditTable", Item=item)


def search(stack: Stack, **query: str) -> dict[str, Any]:
    response = care_request(stack, "GET", "/care/audit", claims=ADMIN, query=query or None)
    assert response["statusCode"] == 200, response
    body: dict[str, Any] = response_json(response)
    return body


def every_page(stack: Stack, **query: str) -> list[list[dict[str, Any]]]:
    pages = []
    cursor: str | None = None
    for _ in range(200):
        body = search(stack, **query, **({"cursor": cursor} if cursor else {}))
        pages.append(body["items"])
        cursor = body["next_cursor"]
        if cursor is None:
            return pages
    raise AssertionError("the cursor never ended")


def test_every_read_of_one_inquiry_is_found_by_its_reference_across_pages(stack: Stack) -> None:
    target, other = submit(stack, "k1"), submit(stack, "k2")
    for _ in range(5):
        assert care_request(stack, "GET", f"/care/inquiries/{target}", claims=CARE_MEMBER)["statusCode"] == 200
    assert care_request(stack, "GET", f"/care/inquiries/{other}", claims=CARE_MEMBER)["statusCode"] == 200
    old_entry(NOW - timedelta(days=700), "read", inquiry_id=target, reference=False)  # kept two years: still found

    pages = every_page(stack, reference=short_reference(target).lower(), action="read", limit="2")

    found = [item for page in pages for item in page]
    assert len(pages) >= 3 and all(len(page) <= 2 for page in pages)
    assert len(found) == 6
    assert {item["inquiry_id"] for item in found} == {target}
    assert {item["reference"] for item in found} == {short_reference(target)}, "old entries too show the reference"
    assert {item["kind"] for item in found} == {"read"}
    assert [item["at"] for item in found] == sorted((item["at"] for item in found), reverse=True)


def test_a_users_acts_are_found_over_the_whole_retention_newest_first(stack: Stack) -> None:
    ats = [NOW - timedelta(days=d) for d in (0, 3, 40, 400, 2000)]
    for at in ats:
        old_entry(at, "list", actor_id=OTHER_ADMIN["sub"])
    old_entry(NOW - timedelta(days=1), "list", actor_id=CARE_MEMBER["sub"])

    pages = every_page(stack, actor=OTHER_ADMIN["sub"], limit="2")

    found = [item for page in pages for item in page]
    assert [item["actor_id"] for item in found] == [OTHER_ADMIN["sub"]] * 5
    assert [item["at"][:10] for item in found] == [at.strftime("%Y-%m-%d") for at in ats]


def test_an_action_alone_walks_the_days_and_every_entry_comes_exactly_once(stack: Stack) -> None:
    ats = [NOW - timedelta(days=d, minutes=m) for d in (0, 1, 1, 1, 5, 90, 1500) for m in (0,)]
    ats = [at - timedelta(seconds=i) for i, at in enumerate(ats)]
    for at in ats:
        old_entry(at, "update")
    old_entry(NOW - timedelta(days=1), "read")

    pages = every_page(stack, action="update", limit="3")

    found = [item["at"] for page in pages for item in page]
    assert len(found) == len(set(found)) == 7
    assert found == sorted(found, reverse=True)
    assert all(item["kind"] == "change" for page in pages for item in page)


def test_a_date_range_bounds_the_search(stack: Stack) -> None:
    inside = NOW - timedelta(days=10)
    for at in (NOW - timedelta(days=20), inside, NOW - timedelta(days=2)):
        old_entry(at, "update", actor_id=OTHER_ADMIN["sub"])
    day = inside.strftime("%Y-%m-%d")
    for query in ({"from": day, "to": day}, {"from": day, "to": day, "actor": OTHER_ADMIN["sub"]}):
        found = [item for page in every_page(stack, **query) for item in page]
        assert [item["at"][:10] for item in found if item["action"] == "update"] == [day]


@pytest.mark.parametrize("query", [
    {"cursor": "not-a-cursor"}, {"from": "2026-13-01"}, {"to": "yesterday"}, {"to": ""}, {"from": ""},
    {"from": "2026-02-02", "to": "2026-02-01"},
    {"actor": "a b"}, {"action": "DROP TABLE"}, {"reference": "INQ-ZZZZZZZZ"}, {"limit": "0"}, {"format": "xml"},
])
def test_a_bad_filter_or_cursor_is_a_422_that_shows_and_audits_nothing(stack: Stack, query: dict[str, str]) -> None:
    response = care_request(stack, "GET", "/care/audit", claims=ADMIN, query=query)
    assert response["statusCode"] == 422
    assert [i for i in stack.items("AuditTable") if i["action"] == "audit_read"] == []


def test_a_cursor_of_another_query_is_refused(stack: Stack) -> None:
    for d in range(4):
        old_entry(NOW - timedelta(days=d), "update")
    cursor = search(stack, action="update", limit="1")["next_cursor"]
    assert cursor
    response = care_request(stack, "GET", "/care/audit", claims=ADMIN, query={"action": "read", "cursor": cursor})
    assert response["statusCode"] == 422


def test_a_care_team_member_may_not_search(stack: Stack) -> None:
    response = care_request(stack, "GET", "/care/audit", claims=CARE_MEMBER, query={"action": "read"})
    assert response["statusCode"] == 403


def test_a_csv_export_is_a_download_and_is_audited_with_the_filter_kinds_only(stack: Stack) -> None:
    target = submit(stack, "k1")
    for _ in range(3):
        care_request(stack, "GET", f"/care/inquiries/{target}", claims=CARE_MEMBER)
    reference = short_reference(target)

    response = care_request(stack, "GET", "/care/audit", claims=ADMIN,
                            query={"reference": reference, "action": "read", "format": "csv"})

    assert response["statusCode"] == 200
    headers = response_headers(response)
    assert headers["content-type"].startswith("text/csv")
    assert "attachment" in headers["content-disposition"]
    assert headers["cache-control"] == "no-store"
    rows = list(csv.DictReader(io.StringIO(response["body"])))
    assert len(rows) == 3 and {row["reference"] for row in rows} == {reference}
    assert {row["kind"] for row in rows} == {"read"}
    [exported] = [i for i in stack.items("AuditTable") if i["action"] == "audit_export"]
    assert sorted(exported["filters"]) == ["action", "reference"]
    assert reference not in str({k: v for k, v in exported.items() if k not in {"inquiry_id", "reference"}})


def test_new_entries_store_the_reference(stack: Stack) -> None:
    target = submit(stack, "k1")
    care_request(stack, "GET", f"/care/inquiries/{target}", claims=CARE_MEMBER)
    [read] = [i for i in stack.items("AuditTable") if i["action"] == "read"]
    assert read["reference"] == short_reference(target)


def test_a_search_over_years_of_quiet_days_is_bounded_per_request_and_still_finds_the_oldest(stack: Stack) -> None:
    stack.configure(AUDIT_RETENTION_DAYS="400")  # a shorter retention than six years keeps the test quick
    old_entry(NOW - timedelta(days=390), "attempt")

    pages = every_page(stack, action="attempt")

    assert 2 <= len(pages) <= 4, "each request walks a bounded number of days"
    assert [item["action"] for page in pages for item in page] == ["attempt"]
