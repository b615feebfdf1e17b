"""Issue 21 item 3: the person's rights from the console. RightsApiFunction against moto, tables built from
template.yaml: the right of access (GET /care/people) and erasure on request (POST /care/erasures), directly or,
with RequireSecondApproval, as a pending request a different admin approves or rejects."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from inquiries import aws
from inquiries.data.audit import AuditEntry, AuditRecords
from inquiries.data.errors import AuditUnavailable
from inquiries.ids import short_reference
from inquiries.peppers import peppers

from tests.support.care import ADMIN, CARE_MEMBER, care_request
from tests.support.events import json_post, response_json
from tests.support.phi import distinctive_inquiry
from tests.support.rights import rights_request
from tests.support.stack import Stack

SECOND_ADMIN = {**ADMIN, "sub": "0b7e9c1e-0000-4000-8000-0000000a0002", "email": "second-admin@clinic.local"}
PERSON = "Ana.Person@Example.COM"
PHONE = "(415) 555-0199"


def submit(stack: Stack, email: str, key: str, **fields: Any) -> str:
    inquiry = distinctive_inquiry(email=email, **{"name": "Ana Person", **fields})
    response = stack.intake(json_post(inquiry, headers={"Idempotency-Key": key}))
    assert response["statusCode"] == 202
    inquiry_id: str = response_json(response)["inquiry_id"]
    return inquiry_id


@pytest.fixture
def person(stack: Stack) -> dict[str, Any]:
    """Two inquiries of PERSON (two spellings; one with the phone), a note on one, and someone else's."""
    first = submit(stack, PERSON, "k1", phone=PHONE)
    second = submit(stack, PERSON.lower(), "k2", phone=None, preferred_contact="email")
    other = submit(stack, "someone.else@example.org", "k3", name="Other Human")
    noted = care_request(stack, "PATCH", f"/care/inquiries/{first}", claims=CARE_MEMBER,
                         body={"note": "Called, left a message"}, headers={"If-Match": "1"})
    assert noted["statusCode"] == 200
    return {"ids": sorted([first, second]), "first": first, "other": other}


def audit(stack: Stack, action: str) -> list[dict[str, Any]]:
    return [i for i in stack.items("AuditTable") if i["action"] == action]


def summaries(stack: Stack, action: str) -> list[dict[str, Any]]:
    """The entries of ``action`` about several inquiries (an erasure also writes one per erased inquiry)."""
    return [i for i in audit(stack, action) if "inquiry_id" not in i]


def everything(stack: Stack, *tables: str) -> str:
    ddb = boto3.client("dynamodb", region_name="us-east-1")
    names = tables or ("InquiriesTable", "InquiryLookupTable", "IdempotencyTable", "RateLimitTable")
    return json.dumps([ddb.scan(TableName=t)["Items"] for t in names]).casefold()


# ---- the right of access ---------------------------------------------------------------------------------------
def test_an_export_holds_every_inquiry_of_the_person_with_notes_and_history_and_is_audited(
        stack: Stack, person: dict[str, Any]) -> None:
    response = rights_request(stack, "GET", "/care/people", claims=ADMIN, query={"email": " ana.person@example.com"})

    assert response["statusCode"] == 200
    body = response_json(response)
    assert body["count"] == 2
    assert sorted(i["inquiry_id"] for i in body["inquiries"]) == person["ids"]
    [first] = [i for i in body["inquiries"] if i["inquiry_id"] == person["first"]]
    assert [n["text"] for n in first["notes"]] == ["Called, left a message"]
    assert first["history"] and first["email"] == PERSON.split("@")[0] + "@example.com"
    entries = audit(stack, "person_export")
    assert sorted(e["inquiry_id"] for e in entries) == person["ids"], "one entry per inquiry shown"
    for entry in entries:
        assert sorted(entry["inquiry_ids"]) == person["ids"] and entry["filters"] == ["email"]
        assert "ana.person" not in json.dumps(entry, default=str).casefold()
    # The admin's export is found by searching the trail for one inquiry's reference.
    found = response_json(care_request(stack, "GET", "/care/audit", claims=ADMIN,
                                       query={"reference": short_reference(person["first"])}))["items"]
    assert [(i["action"], i["kind"]) for i in found if i["actor_id"] == ADMIN["sub"]] == [("person_export", "export")]


def test_an_export_by_phone_finds_the_inquiry_with_that_number(stack: Stack, person: dict[str, Any]) -> None:
    response = rights_request(stack, "GET", "/care/people", claims=ADMIN, query={"phone": "+1 415-555-0199"})
    assert response["statusCode"] == 200
    assert [i["inquiry_id"] for i in response_json(response)["inquiries"]] == [person["first"]]
    assert audit(stack, "person_export")[0]["filters"] == ["phone"]


@pytest.mark.parametrize(("claims", "query", "status"), [
    (None, {"email": PERSON}, 401),
    (CARE_MEMBER, {"email": PERSON}, 403),
    (ADMIN, {}, 422),
    (ADMIN, {"email": PERSON, "phone": PHONE}, 422),
    (ADMIN, {"email": "not an address"}, 422),
    (ADMIN, {"phone": "12"}, 422),
])
def test_a_refused_export_shows_nothing_echoes_nothing_and_audits_nothing(
        stack: Stack, person: dict[str, Any], claims: dict[str, str] | None, query: dict[str, str],
        status: int) -> None:
    response = rights_request(stack, "GET", "/care/people", claims=claims, query=query)
    assert response["statusCode"] == status
    assert "inquiries" not in response_json(response)
    for value in query.values():
        assert value not in response["body"]
    assert audit(stack, "person_export") == []


# ---- erasure, directly -----------------------------------------------------------------------------------------
def test_an_erasure_removes_the_persons_data_keeps_the_trail_and_says_it_happened(
        stack: Stack, person: dict[str, Any]) -> None:
    reads_before = audit(stack, "update")

    response = rights_request(stack, "POST", "/care/erasures", claims=ADMIN,
                              body={"email": PERSON, "reason": "person_request"})

    assert response["statusCode"] == 200
    report = response_json(response)
    assert report["status"] == "erased" and sorted(report["inquiry_ids"]) == person["ids"]
    assert report["inquiries"] == 2 and report["references"] == [short_reference(i) for i in report["inquiry_ids"]]
    assert [i["inquiry_id"] for i in stack.items()] == [person["other"]]
    left = everything(stack)
    assert "ana.person" not in left and "ana person" not in left
    # The trail is kept, and a new entry says an erasure happened: who, why, counts, request; not what.
    assert audit(stack, "update") == reads_before
    [entry] = summaries(stack, "erasure")
    assert entry["actor_id"] == ADMIN["sub"] and entry["reason"] == "person_request"
    assert entry["request_id"] == report["request_id"] and int(entry["counts"]["inquiries"]) == 2
    assert "ana.person" not in json.dumps(entry, default=str).casefold()


def test_an_erasure_by_phone_removes_the_inquiry_with_that_number(stack: Stack, person: dict[str, Any]) -> None:
    response = rights_request(stack, "POST", "/care/erasures", claims=ADMIN,
                              body={"phone": PHONE, "reason": "person_request"})
    assert response["statusCode"] == 200
    assert response_json(response)["inquiry_ids"] == [person["first"]]
    assert person["first"] not in {i["inquiry_id"] for i in stack.items()}
    assert "4155550199" not in everything(stack, "InquiriesTable", "InquiryLookupTable").replace("+1", "")


def test_a_search_of_the_trail_by_an_erased_inquirys_id_or_reference_finds_its_erasure(
        stack: Stack, person: dict[str, Any]) -> None:
    """What happened to this record: after the erasure, its id and its reference (whose lookup item went with
    it) still find the inquiry's earlier entries and the erasure itself: who, when, why; nothing erased."""
    erased = rights_request(stack, "POST", "/care/erasures", claims=ADMIN,
                            body={"email": PERSON, "reason": "person_request"})
    assert erased["statusCode"] == 200
    request_id = response_json(erased)["request_id"]

    for inquiry_id in person["ids"]:
        for query in ({"inquiry_id": inquiry_id}, {"reference": short_reference(inquiry_id)}):
            response = care_request(stack, "GET", "/care/audit", claims=ADMIN, query=query)
            assert response["statusCode"] == 200, (query, response["body"])
            items = response_json(response)["items"]
            [erasure] = [i for i in items if i["action"] == "erasure"]
            assert (erasure["inquiry_id"], erasure["reference"]) == (inquiry_id, short_reference(inquiry_id))
            assert (erasure["actor_id"], erasure["reason"], erasure["request_id"]) == (
                ADMIN["sub"], "person_request", request_id)
            assert erasure["at"] and {i["inquiry_id"] for i in items} == {inquiry_id}
            assert "ana" not in response["body"].casefold() and "example.com" not in response["body"].casefold()
    noted = care_request(stack, "GET", "/care/audit", claims=ADMIN,
                         query={"reference": short_reference(person["first"])})
    assert "update" in {i["action"] for i in response_json(noted)["items"]}, "the earlier entries are found too"


@pytest.mark.parametrize("body", [
    {"email": PERSON}, {"email": PERSON, "reason": "because I said so"}, {"reason": "person_request"},
    {"email": PERSON, "reason": "person_request", "name": "Ana"}, {"email": "nope", "reason": "person_request"},
    "[]", "not json",
])
def test_a_bad_erasure_request_is_a_4xx_that_erases_nothing(stack: Stack, person: dict[str, Any], body: Any) -> None:
    before = everything(stack)
    response = rights_request(stack, "POST", "/care/erasures", claims=ADMIN, body=body)
    assert 400 <= response["statusCode"] < 500
    assert PERSON not in response["body"]
    assert everything(stack) == before
    assert audit(stack, "erasure") == []


def test_a_care_team_member_may_not_erase(stack: Stack, person: dict[str, Any]) -> None:
    response = rights_request(stack, "POST", "/care/erasures", claims=CARE_MEMBER,
                              body={"email": PERSON, "reason": "person_request"})
    assert response["statusCode"] == 403
    assert len(stack.items()) == 3


def test_no_audit_entry_no_erasure(stack: Stack, person: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(self: AuditRecords, entry: AuditEntry) -> None:
        raise AuditUnavailable("ProvisionedThroughputExceededException")

    monkeypatch.setattr(AuditRecords, "record", refuse)
    response = rights_request(stack, "POST", "/care/erasures", claims=ADMIN,
                              body={"email": PERSON, "reason": "person_request"})
    assert response["statusCode"] == 503
    assert len(stack.items()) == 3


# ---- erasure with a second admin's approval ----------------------------------------------------------------------
@pytest.fixture
def approval(stack: Stack) -> Stack:
    stack.configure(REQUIRE_SECOND_APPROVAL="true")
    return stack


def request_erasure(stack: Stack) -> str:
    response = rights_request(stack, "POST", "/care/erasures", claims=ADMIN,
                              body={"email": PERSON, "phone": PHONE, "reason": "representative_request"})
    assert response["statusCode"] == 202, response
    body = response_json(response)
    assert body["status"] == "pending"
    request_id: str = body["request_id"]
    return request_id


def test_a_pending_request_erases_nothing_and_is_listed_without_the_address(
        approval: Stack, person: dict[str, Any]) -> None:
    request_id = request_erasure(approval)

    assert len(approval.items()) == 3
    listed = rights_request(approval, "GET", "/care/erasures", claims=SECOND_ADMIN)
    assert listed["statusCode"] == 200
    body = response_json(listed)
    [item] = body["items"]
    assert body["second_approval"] is True
    assert item["request_id"] == request_id and item["requester_id"] == ADMIN["sub"]
    assert item["reason"] == "representative_request" and item["count"] == 2
    assert sorted(item["references"]) == sorted(short_reference(i) for i in person["ids"])
    stored = everything(approval, "ErasureRequestTable")
    for text in (listed["body"].casefold(), stored):
        # The phone's digits in any of its written forms; a bare "555" would also match a keyed hash's hex digits.
        assert "ana.person" not in text and "555-0199" not in text and "5550199" not in text
    [requested] = audit(approval, "erasure_requested")
    assert requested["request_id"] == request_id


def test_the_requester_may_not_approve_their_own_request(approval: Stack, person: dict[str, Any]) -> None:
    request_id = request_erasure(approval)
    response = rights_request(approval, "POST", f"/care/erasures/{request_id}/approve", claims=ADMIN)
    assert response["statusCode"] == 403
    assert len(approval.items()) == 3
    assert len(response_json(rights_request(approval, "GET", "/care/erasures", claims=ADMIN))["items"]) == 1


def test_a_different_admin_approves_and_the_erasure_happens_once(approval: Stack, person: dict[str, Any]) -> None:
    request_id = request_erasure(approval)

    response = rights_request(approval, "POST", f"/care/erasures/{request_id}/approve", claims=SECOND_ADMIN)

    assert response["statusCode"] == 200
    assert sorted(response_json(response)["inquiry_ids"]) == person["ids"]
    assert [i["inquiry_id"] for i in approval.items()] == [person["other"]]
    [entry] = summaries(approval, "erasure")
    assert entry["actor_id"] == SECOND_ADMIN["sub"] and entry["request_id"] == request_id
    again = rights_request(approval, "POST", f"/care/erasures/{request_id}/approve", claims=SECOND_ADMIN)
    assert again["statusCode"] == 404
    assert response_json(rights_request(approval, "GET", "/care/erasures", claims=ADMIN))["items"] == []


def test_a_rejected_request_erases_nothing_and_is_gone(approval: Stack, person: dict[str, Any]) -> None:
    request_id = request_erasure(approval)
    response = rights_request(approval, "POST", f"/care/erasures/{request_id}/reject", claims=SECOND_ADMIN)
    assert response["statusCode"] == 200
    assert len(approval.items()) == 3
    assert audit(approval, "erasure_rejected")[0]["request_id"] == request_id
    assert rights_request(approval, "POST", f"/care/erasures/{request_id}/approve",
                          claims=SECOND_ADMIN)["statusCode"] == 404


def test_an_expired_request_is_neither_listed_nor_approved(approval: Stack, person: dict[str, Any]) -> None:
    request_id = request_erasure(approval)
    ddb = boto3.client("dynamodb", region_name="us-east-1")
    ddb.update_item(TableName="ErasureRequestTable", Key={"kind": {"S": "erasure"}, "request_id": {"S": request_id}},
                    UpdateExpression="SET #t = :t", ExpressionAttributeNames={"#t": "ttl"},
                    ExpressionAttributeValues={":t": {"N": str(int(time.time()) - 1)}})
    assert response_json(rights_request(approval, "GET", "/care/erasures", claims=ADMIN))["items"] == []
    assert rights_request(approval, "POST", f"/care/erasures/{request_id}/approve",
                          claims=SECOND_ADMIN)["statusCode"] == 404
    assert len(approval.items()) == 3


@pytest.fixture
def rotation() -> Iterator[None]:
    """Rotations in one test only: the next test's functions read the stack's own pepper again."""
    yield
    peppers.cache_clear()


def rotate_the_pepper(stack: Stack, value: str) -> None:
    """docs/operations.md's rotation (put-secret-value), then every function starts cold and reads it."""
    aws.secretsmanager().put_secret_value(SecretId=os.environ["PEPPER_SECRET"], SecretString=value)
    peppers.cache_clear()
    stack.configure()


@pytest.mark.parametrize("rotations", [1, 2])
def test_a_request_made_before_a_pepper_rotation_is_refused_with_a_reason_and_erases_nothing(
        approval: Stack, person: dict[str, Any], rotation: None, rotations: int) -> None:
    """A pending request keeps the keyed hashes of the peppers valid when it was made. After a rotation they
    miss what the person sent since (keyed under the new pepper), and after two they find nothing: approving
    it must not report an erasure that left the person's data behind. It is refused (409, saying to ask
    again), nothing is erased, and the pending list marks it."""
    request_id = request_erasure(approval)
    for n in range(rotations):
        rotate_the_pepper(approval, f"a-freshly-rotated-pepper-number-{n}-of-64-characters-0123456789abcdef")
    later = submit(approval, PERSON, "k4", phone=PHONE)
    before = len(approval.items())

    response = rights_request(approval, "POST", f"/care/erasures/{request_id}/approve", claims=SECOND_ADMIN)

    assert response["statusCode"] == 409, response["body"]
    assert "ask again" in response_json(response)["errors"][0]["message"]
    assert len(approval.items()) == before and later in {i["inquiry_id"] for i in approval.items()}
    assert summaries(approval, "erasure") == []
    [listed] = response_json(rights_request(approval, "GET", "/care/erasures", claims=SECOND_ADMIN))["items"]
    assert listed["request_id"] == request_id and listed["stale"] is True
    # A new request, made under the current pepper, finds everything keyed under the current or the previous
    # one (after two rotations the oldest inquiries are out of reach by address: docs/operations.md says to
    # rotate again only once they have expired) and erases it.
    fresh = request_erasure(approval)
    erased = rights_request(approval, "POST", f"/care/erasures/{fresh}/approve", claims=SECOND_ADMIN)
    assert erased["statusCode"] == 200
    found = [*person["ids"], later] if rotations == 1 else [later]
    assert sorted(response_json(erased)["inquiry_ids"]) == sorted(found)
    # The stale one can still be rejected (withdrawn).
    assert rights_request(approval, "POST", f"/care/erasures/{request_id}/reject",
                          claims=SECOND_ADMIN)["statusCode"] == 200


def test_an_export_requested_before_a_pepper_rotation_is_refused_with_a_reason(
        approval: Stack, person: dict[str, Any], rotation: None) -> None:
    request_id = request_export(approval)
    rotate_the_pepper(approval, "a-freshly-rotated-pepper-number-0-of-64-characters-0123456789abcdef")

    response = rights_request(approval, "POST", f"/care/erasures/{request_id}/approve", claims=SECOND_ADMIN)

    assert response["statusCode"] == 409 and "ask again" in response_json(response)["errors"][0]["message"]
    assert audit(approval, "export_approved") == [] and audit(approval, "person_export") == []


@pytest.mark.parametrize("request_id", ["nope", "01ARZ3NDEKTSV4RRFFQ69G5FAV"])
def test_an_unknown_request_is_404(approval: Stack, request_id: str) -> None:
    for verb in ("approve", "reject"):
        response = rights_request(approval, "POST", f"/care/erasures/{request_id}/{verb}", claims=SECOND_ADMIN)
        assert response["statusCode"] == 404


MANAGER = {**ADMIN, "sub": "0b7e9c1e-0000-4000-8000-0000000a0003", "cognito:groups": "clinic-manager"}


@pytest.mark.parametrize(("method", "path", "query", "body"), [
    ("GET", "/care/people", {"email": PERSON}, None),
    ("POST", "/care/erasures", None, {"email": PERSON, "reason": "person_request"}),
    ("GET", "/care/erasures", None, None),
    ("POST", "/care/erasures/01ARZ3NDEKTSV4RRFFQ69G5FAV/approve", None, None),
    ("POST", "/care/erasures/01ARZ3NDEKTSV4RRFFQ69G5FAV/reject", None, None),
])
@pytest.mark.parametrize("claims", [CARE_MEMBER, MANAGER])
def test_only_a_care_admin_reaches_any_rights_route(stack: Stack, person: dict[str, Any], claims: dict[str, str],
                                                    method: str, path: str, query: dict[str, str] | None,
                                                    body: Any) -> None:
    response = rights_request(stack, method, path, claims=claims, query=query, body=body)
    assert response["statusCode"] == 403
    assert "inquiries" not in response["body"] and "Ana" not in response["body"]
    assert len(stack.items()) == 3


# ---- the right of access with a second admin's approval ------------------------------------------------------------
def request_export(stack: Stack) -> str:
    response = rights_request(stack, "GET", "/care/people", claims=ADMIN, query={"email": PERSON})
    assert response["statusCode"] == 202, response
    body = response_json(response)
    assert body["status"] == "pending" and body["kind"] == "export" and "inquiries" not in body
    assert body["count"] == 2 and len(body["references"]) == 2, "references only: what an erasure would name"
    request_id: str = body["request_id"]
    return request_id


def test_with_second_approval_an_export_waits_for_a_different_admin_then_the_requester_opens_it_once(
        approval: Stack, person: dict[str, Any]) -> None:
    request_id = request_export(approval)
    assert audit(approval, "person_export") == []
    [item] = response_json(rights_request(approval, "GET", "/care/erasures", claims=SECOND_ADMIN))["items"]
    assert (item["request_id"], item["kind"], item["count"], item["approved"]) == (request_id, "export", 2, False)
    stored = everything(approval, "ErasureRequestTable")
    assert "ana.person" not in stored and "example.com" not in stored
    assert rights_request(approval, "GET", f"/care/exports/{request_id}", claims=ADMIN)["statusCode"] == 404
    assert rights_request(approval, "POST", f"/care/erasures/{request_id}/approve",
                          claims=ADMIN)["statusCode"] == 403

    approved = rights_request(approval, "POST", f"/care/erasures/{request_id}/approve", claims=SECOND_ADMIN)

    assert approved["statusCode"] == 200
    assert response_json(approved)["status"] == "approved" and "inquiries" not in approved["body"]
    assert len(approval.items()) == 3, "an approved export erases nothing"
    [listed] = response_json(rights_request(approval, "GET", "/care/erasures", claims=ADMIN))["items"]
    assert listed["approved"] is True
    # Only the admin who asked may open it, once.
    assert rights_request(approval, "GET", f"/care/exports/{request_id}", claims=SECOND_ADMIN)["statusCode"] == 403
    opened = rights_request(approval, "GET", f"/care/exports/{request_id}", claims=ADMIN)
    assert opened["statusCode"] == 200
    assert sorted(i["inquiry_id"] for i in response_json(opened)["inquiries"]) == person["ids"]
    entries = audit(approval, "person_export")
    assert sorted(e["inquiry_id"] for e in entries) == person["ids"]
    assert {e["actor_id"] for e in entries} == {ADMIN["sub"]}
    assert [e["request_id"] for e in audit(approval, "export_approved")] == [request_id]
    assert rights_request(approval, "GET", f"/care/exports/{request_id}", claims=ADMIN)["statusCode"] == 404
    assert response_json(rights_request(approval, "GET", "/care/erasures", claims=ADMIN))["items"] == []


@pytest.mark.parametrize("second_approval", ["true", "false"])
def test_a_search_for_which_inquiries_match_needs_no_second_admin_and_shows_no_contents(
        stack: Stack, person: dict[str, Any], second_approval: str) -> None:
    """Which inquiries are the person's (how many, their references: what an erasure names) is a search, not the
    export of their contents: it needs no second admin, creates no pending request, and shows no field."""
    stack.configure(REQUIRE_SECOND_APPROVAL=second_approval)

    response = rights_request(stack, "GET", "/care/people", claims=ADMIN,
                              query={"email": PERSON, "only": "references"})

    assert response["statusCode"] == 200, response["body"]
    body = response_json(response)
    assert body["status"] == "found" and body["count"] == 2 and "inquiries" not in body
    assert sorted(body["references"]) == sorted(short_reference(i) for i in person["ids"])
    text = response["body"].casefold()
    assert "ana" not in text and "example.com" not in text and "called, left" not in text
    assert response_json(rights_request(stack, "GET", "/care/erasures", claims=ADMIN))["items"] == []
    assert audit(stack, "export_requested") == [] and audit(stack, "person_export") == []
    # Audited as a search of the person (one entry per inquiry found, so the trail of each shows it).
    entries = audit(stack, "person_search")
    assert sorted(e["inquiry_id"] for e in entries) == person["ids"]
    assert all(e["actor_id"] == ADMIN["sub"] and e["filters"] == ["email"] for e in entries)
    assert "ana.person" not in json.dumps(entries, default=str).casefold()
    # The export of the contents is still gated.
    export = rights_request(stack, "GET", "/care/people", claims=ADMIN, query={"email": PERSON})
    assert export["statusCode"] == (202 if second_approval == "true" else 200)


@pytest.mark.parametrize("query", [{"email": PERSON, "only": "everything"}, {"email": PERSON, "only": ""}])
def test_a_search_with_an_unknown_only_is_a_422_that_records_nothing(
        approval: Stack, person: dict[str, Any], query: dict[str, str]) -> None:
    response = rights_request(approval, "GET", "/care/people", claims=ADMIN, query=query)
    if query["only"] == "":
        assert response["statusCode"] == 202  # given empty: not given, the export (gated)
        return
    assert response["statusCode"] == 422 and PERSON not in response["body"]
    assert response_json(rights_request(approval, "GET", "/care/erasures", claims=ADMIN))["items"] == []
    assert audit(approval, "person_search") == [] and audit(approval, "export_requested") == []


def test_a_rejected_export_request_is_never_shown(approval: Stack, person: dict[str, Any]) -> None:
    request_id = request_export(approval)
    rejected = rights_request(approval, "POST", f"/care/erasures/{request_id}/reject", claims=SECOND_ADMIN)
    assert rejected["statusCode"] == 200
    assert [e["request_id"] for e in audit(approval, "export_rejected")] == [request_id]
    assert rights_request(approval, "GET", f"/care/exports/{request_id}", claims=ADMIN)["statusCode"] == 404
    assert rights_request(approval, "POST", f"/care/erasures/{request_id}/approve",
                          claims=SECOND_ADMIN)["statusCode"] == 404
    assert audit(approval, "person_export") == []


def test_an_approved_export_is_an_export_not_an_erasure_and_an_erasure_request_is_not_an_export(
        approval: Stack, person: dict[str, Any]) -> None:
    erasure = request_erasure(approval)
    assert rights_request(approval, "GET", f"/care/exports/{erasure}", claims=ADMIN)["statusCode"] == 404
    assert len(approval.items()) == 3 and audit(approval, "person_export") == []


@pytest.mark.parametrize("claims", [CARE_MEMBER, MANAGER])
def test_only_a_care_admin_opens_an_export(stack: Stack, claims: dict[str, str]) -> None:
    response = rights_request(stack, "GET", "/care/exports/01ARZ3NDEKTSV4RRFFQ69G5FAV", claims=claims)
    assert response["statusCode"] == 403
