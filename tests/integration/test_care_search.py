"""Finding people and records (issue 19): the lookup table intake writes, GET by reference, search, the
care team, assignment from it, and the same person's other inquiries. Against moto, through the handlers."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import unicodedata
from typing import Any

import boto3
import pytest
from inquiries import aws
from inquiries.models import InquiryIn
from inquiries.peppers import read_peppers

from tests.support.care import ADMIN, CARE_MEMBER, TeamPool, audit_trail, care_request
from tests.support.consumers import record_of
from tests.support.events import json_post, response_headers, response_json
from tests.support.phi import LogCapture, distinctive_inquiry
from tests.support.stack import Stack

LOOKUP_TABLE = "InquiryLookupTable"


def keyed(purpose: str, value: str) -> str:
    """The keyed hash the code should write, computed here without the code under test."""
    pepper = read_peppers(aws.secretsmanager(), os.environ["PEPPER_SECRET"]).current
    return hmac.new(pepper, f"{purpose}\x00{value}".encode(), hashlib.sha256).hexdigest()


def submit(stack: Stack, **overrides: Any) -> str:
    response = stack.intake(json_post(distinctive_inquiry(**overrides)))
    assert response["statusCode"] == 202, response
    inquiry_id: str = response_json(response)["inquiry_id"]
    return inquiry_id


def lookups(stack: Stack) -> list[dict[str, Any]]:
    return stack.items(LOOKUP_TABLE)


def search(stack: Stack, q: str, claims: dict[str, str] = CARE_MEMBER) -> dict[str, Any]:
    return care_request(stack, "GET", "/care/search", claims=claims, query={"q": q})


def found(stack: Stack, q: str) -> list[str]:
    response = search(stack, q)
    assert response["statusCode"] == 200, response
    return [item["inquiry_id"] for item in response_json(response)["items"]]


def e164(phone: str) -> str:
    normalised = InquiryIn.model_validate(distinctive_inquiry(phone=phone)).phone
    assert normalised
    return normalised


# ---- what intake writes ----------------------------------------------------------------------------------
def test_intake_writes_the_lookup_items_with_the_inquiry_keyed_and_with_its_ttl(stack: Stack) -> None:
    inquiry_id = submit(stack, name="José  Núñez-Quenby d", phone="(415) 555-0134")

    stored = record_of(inquiry_id)
    items = lookups(stack)

    phone_hash = keyed("phone", "+14155550134")
    assert stored["phone_hash"] == phone_hash
    assert {item["lookup_key"] for item in items} == {
        f"ref#{inquiry_id[-8:]}", f"phone#{phone_hash}", f"name#{keyed('name', 'jose')}",
        f"name#{keyed('name', 'nunez')}", f"name#{keyed('name', 'quenby')}",
        f"fullname#{keyed('fullname', 'jose nunez quenby d')}"}
    assert all(item["inquiry_id"] == inquiry_id and int(item["ttl"]) == int(stored["ttl"]) for item in items)
    assert set(items[0]) == {"lookup_key", "inquiry_id", "ttl"}
    text = json.dumps(items, default=str).casefold()
    assert "jos" not in text.replace("jose", "") and "nunez" not in text and "quenby" not in text
    # The number in any spelling (a keyed hash or a ttl may hold "555" by chance: not the number).
    assert "4155550134" not in text and "555-0134" not in text and "5550134" not in text


def test_a_held_back_submission_is_indexed_too_and_with_its_short_retention(stack: Stack) -> None:
    inquiry_id = submit(stack, website="http://bot.example")

    items = lookups(stack)

    assert items and all(item["inquiry_id"] == inquiry_id for item in items)
    assert all(int(item["ttl"]) == int(record_of(inquiry_id)["ttl"]) for item in items)


def test_a_name_gives_at_most_six_tokens_of_two_characters_or_more(stack: Stack) -> None:
    submit(stack, name="A Bo Cy Di Ed Fa Gu Hi", phone=None)

    names = [item for item in lookups(stack) if item["lookup_key"].startswith("name#")]

    assert {item["lookup_key"] for item in names} == {f"name#{keyed('name', t)}"
                                                      for t in ("bo", "cy", "di", "ed", "fa", "gu")}
    assert not [item for item in lookups(stack) if item["lookup_key"].startswith("phone#")]


def test_no_inquiry_is_stored_when_its_lookup_items_cannot_be(stack: Stack) -> None:
    boto3.client("dynamodb", region_name="us-east-1").delete_table(TableName=LOOKUP_TABLE)

    response = stack.intake(json_post(distinctive_inquiry()))

    assert response["statusCode"] >= 500
    assert stack.items("InquiriesTable") == []


# ---- GET by reference -------------------------------------------------------------------------------------
def test_an_inquiry_is_read_by_its_reference_in_any_case(stack: Stack) -> None:
    inquiry_id = submit(stack)
    reference = "INQ-" + inquiry_id[-8:]

    for path_ref in (reference, reference.lower()):
        response = care_request(stack, "GET", f"/care/inquiries/{path_ref}", claims=CARE_MEMBER)
        assert response["statusCode"] == 200, response
        assert response_json(response)["inquiry_id"] == inquiry_id
    reads = [e for e in audit_trail(stack) if e["action"] == "read"]
    assert [e["inquiry_id"] for e in reads] == [inquiry_id, inquiry_id]


def test_an_unknown_reference_is_404_and_audits_nothing(stack: Stack) -> None:
    submit(stack)

    response = care_request(stack, "GET", "/care/inquiries/INQ-ZZZZZZZZ", claims=CARE_MEMBER)

    assert response["statusCode"] == 404
    assert "ZZZZ" not in response["body"]
    assert [e for e in audit_trail(stack) if e["action"] == "read"] == []


# ---- search -----------------------------------------------------------------------------------------------
def test_search_finds_by_reference_email_phone_and_name(stack: Stack) -> None:
    target = submit(stack, name="Zoë Ångström Quenby", email="Zoe.Search@Example.COM", phone="(415) 555-0177")
    other = submit(stack, name="Zoë Other", email="someone@example.org", phone="(415) 555-0178")

    assert found(stack, f"inq-{target[-8:].lower()}") == [target]
    assert found(stack, f"  INQ-{target[-8:]} ") == [target]
    assert found(stack, "zoe.search@example.com") == [target]
    assert found(stack, "415.555.0177") == [target]
    assert found(stack, "+1 415 555 0177") == [target]
    assert found(stack, "angstrom ZOE") == [target]
    assert found(stack, "Zoë Ångström Quenby") == [target]
    assert found(stack, "zoe") == [other, target], "newest first"
    assert found(stack, "zoe nobody") == [], "every token must match"
    assert found(stack, "angst") == [], "no partial names"
    assert found(stack, "INQ-00000000") == []


def test_a_search_item_is_a_list_item_without_the_email_phone_or_message(stack: Stack) -> None:
    submit(stack, name="Priya Listable", email="priya.listable@example.com")

    response = search(stack, "priya.listable@example.com")

    (item,) = response_json(response)["items"]
    assert {"inquiry_id", "reference", "status", "level", "name", "assignee", "due_at", "version"} <= set(item)
    assert not {"email", "phone", "message"} & set(item)
    assert response_headers(response)["cache-control"] == "no-store"


def test_every_search_is_audited_with_its_kind_and_the_ids_shown_never_the_term(stack: Stack) -> None:
    target = submit(stack, name="Odalys Vantongeren", email="odalys.v@example.com", phone="(415) 555-0199")
    terms = {"reference": f"INQ-{target[-8:]}", "email": "odalys.v@example.com", "phone": "415-555-0199",
             "name": "odalys vantongeren"}

    with LogCapture() as logs:
        for term in terms.values():
            assert found(stack, term) == [target]
        assert found(stack, "Nobody Atall") == []

    entries = [e for e in audit_trail(stack) if e["action"] == "search"]
    assert [e["filters"] for e in reversed(entries)] == [[k] for k in terms] + [["name"]]
    assert [e["inquiry_ids"] for e in reversed(entries)] == [[target]] * 4 + [[]]
    assert all(e["actor_id"] == CARE_MEMBER["sub"] and e["inquiry_id"] is None for e in entries)
    stored = json.dumps(stack.items("AuditTable"), default=str).casefold()
    for term in [*terms.values(), "Nobody Atall", "vantongeren", "odalys", "0199"]:
        assert term.casefold() not in stored, term
        assert term.casefold() not in logs.text.casefold(), term


@pytest.mark.parametrize("q", ["", "   ", "x" * 201, "a"])
def test_a_blank_too_long_or_unsearchable_term_is_422_and_audits_nothing(stack: Stack, q: str) -> None:
    response = search(stack, q)

    assert response["statusCode"] == 422
    assert "xxxx" not in response["body"]
    assert [e for e in audit_trail(stack) if e["action"] == "search"] == []


def test_search_needs_the_care_team(stack: Stack) -> None:
    submit(stack, name="Hidden Person")
    outsider = {**CARE_MEMBER, "cognito:groups": "clinic-manager"}

    assert search(stack, "hidden person", claims=outsider)["statusCode"] == 403
    assert search(stack, "hidden person", claims={})["statusCode"] == 401


# ---- the care team and assignment --------------------------------------------------------------------------
def test_the_team_is_the_enabled_members_of_the_care_groups(stack: Stack) -> None:
    pool = TeamPool(stack)
    dana = pool.add("dana@clinic.local", "Dana Lee", "care-team")
    ada = pool.add("ada@clinic.local", "Ada Admin", "care-team", "care-admin")
    nameless = pool.add("noname@clinic.local", None, "care-admin")
    pool.add("gone@clinic.local", "Gone Person", "care-team", enabled=False)
    pool.add("visitor@clinic.local", "Visitor", )

    response = care_request(stack, "GET", "/care/team", claims=CARE_MEMBER)

    assert response["statusCode"] == 200, response
    members = response_json(response)["members"]
    assert members == sorted(members, key=lambda m: (m["name"].casefold(), m["id"]))
    assert {m["id"]: (m["name"], m["groups"]) for m in members} == {
        dana: ("Dana Lee", ["care-team"]), ada: ("Ada Admin", ["care-admin", "care-team"]),
        nameless: ("noname@clinic.local", ["care-admin"])}


def test_assignee_must_be_a_member_of_the_team_and_null_unassigns(stack: Stack) -> None:
    pool = TeamPool(stack)
    dana = pool.add("dana@clinic.local", "Dana Lee", "care-team")
    gone = pool.add("gone@clinic.local", "Gone Person", "care-team", enabled=False)
    inquiry_id = submit(stack)

    for bad in ("bobb (typo)", gone, "0b7e9c1e-0000-4000-8000-000000000000"):
        response = care_request(stack, "PATCH", f"/care/inquiries/{inquiry_id}", claims=CARE_MEMBER,
                                body={"assignee": bad}, headers={"If-Match": "1"})
        assert response["statusCode"] == 422, bad
        assert response_json(response)["errors"] == [{"field": "assignee",
                                                      "message": "Choose the assignee from the care team."}]
        assert bad not in response["body"]
    assert record_of(inquiry_id)["version"] == 1 and "assignee" not in record_of(inquiry_id)

    ok = care_request(stack, "PATCH", f"/care/inquiries/{inquiry_id}", claims=CARE_MEMBER,
                      body={"assignee": dana}, headers={"If-Match": "1"})
    assert ok["statusCode"] == 200 and response_json(ok)["assignee"] == dana
    cleared = care_request(stack, "PATCH", f"/care/inquiries/{inquiry_id}", claims=CARE_MEMBER,
                           body={"assignee": None}, headers={"If-Match": "2"})
    assert cleared["statusCode"] == 200 and response_json(cleared)["assignee"] is None


# ---- the same person ---------------------------------------------------------------------------------------
def test_related_lists_the_same_persons_other_inquiries_by_email_or_phone_newest_first(stack: Stack) -> None:
    first = submit(stack, email="Same.Person@example.com", phone="(415) 555-0150")
    by_email = submit(stack, email="same.person@EXAMPLE.com", phone=None, message="I want to end my life tonight")
    by_phone = submit(stack, email="another.address@example.com", phone="415 555 0150")
    submit(stack, email="stranger@example.com", phone="(415) 555-0151")

    response = care_request(stack, "GET", f"/care/inquiries/{first}", claims=CARE_MEMBER)

    related = response_json(response)["related"]
    assert [r["inquiry_id"] for r in related] == [by_phone, by_email]
    assert related[1] == {"inquiry_id": by_email, "reference": "INQ-" + by_email[-8:], "status": "new",
                          "level": "urgent", "created_at": record_of(by_email)["created_at"]}
    read = next(e for e in audit_trail(stack) if e["action"] == "read")
    assert read["inquiry_id"] == first and read["inquiry_ids"] == [by_phone, by_email]
    alone = response_json(care_request(stack, "GET", f"/care/inquiries/{by_email}", claims=ADMIN))["related"]
    assert [r["inquiry_id"] for r in alone] == [first]
    changed = care_request(stack, "PATCH", f"/care/inquiries/{first}", claims=CARE_MEMBER,
                           body={"note": "same person as the urgent one"}, headers={"If-Match": "1"})
    assert [r["inquiry_id"] for r in response_json(changed)["related"]] == [by_phone, by_email]
    update = next(e for e in audit_trail(stack) if e["action"] == "update")
    assert update["inquiry_ids"] == [by_phone, by_email], "what the answer showed is audited with the change"


def test_related_is_empty_for_a_person_with_one_inquiry(stack: Stack) -> None:
    inquiry_id = submit(stack)

    body = response_json(care_request(stack, "GET", f"/care/inquiries/{inquiry_id}", claims=CARE_MEMBER))

    assert body["related"] == []


def test_names_are_normalised_without_their_accents_and_case() -> None:
    from inquiries.data.lookups import name_tokens

    assert name_tokens("  José  Núñez-QUENBY  d'Arc ") == ("jose", "nunez", "quenby", "arc")
    full_width = "".join(chr(0xFF21 + ord(ch) - ord("A")) for ch in "MARIA")  # compatibility forms fold
    assert name_tokens(f"{full_width} Ölund") == ("maria", "olund")
    assert name_tokens(unicodedata.normalize("NFD", "Zoë")) == name_tokens("Zoë") == ("zoe",)


def test_a_released_held_back_submission_keeps_its_lookup_items_as_long_as_itself(stack: Stack) -> None:
    inquiry_id = submit(stack, website="http://bot.example", name="Released Person")
    short = int(record_of(inquiry_id)["ttl"])
    # One item gone (a partial restore, say) neither blocks the release nor stays missing.
    boto3.client("dynamodb", region_name="us-east-1").delete_item(TableName=LOOKUP_TABLE, Key={
        "lookup_key": {"S": f"ref#{inquiry_id[-8:]}"}, "inquiry_id": {"S": inquiry_id}})

    response = care_request(stack, "PATCH", f"/care/inquiries/{inquiry_id}", claims=CARE_MEMBER,
                            body={"status": "new"}, headers={"If-Match": "1"})

    assert response["statusCode"] == 200, response
    released = int(record_of(inquiry_id)["ttl"])
    assert released > short + 300 * 86400
    assert {int(item["ttl"]) for item in lookups(stack)} == {released}
    assert len(lookups(stack)) == len(record_of(inquiry_id)["lookup_keys"])
    assert found(stack, "released person") == [inquiry_id]


def test_a_search_that_cannot_reach_the_lookups_is_a_503_that_shows_and_audits_nothing(stack: Stack) -> None:
    submit(stack, name="Unreachable Person")
    boto3.client("dynamodb", region_name="us-east-1").delete_table(TableName=LOOKUP_TABLE)

    with LogCapture() as logs:
        response = search(stack, "unreachable person")

    assert response["statusCode"] == 503
    assert "ResourceNotFoundException" in logs.text and "unreachable" not in logs.text.casefold()
    assert [e for e in audit_trail(stack) if e["action"] == "search"] == []


def test_the_audit_trail_is_filtered_by_a_reference(stack: Stack) -> None:
    inquiry_id = submit(stack)
    other = submit(stack)
    for one in (inquiry_id, other):
        care_request(stack, "GET", f"/care/inquiries/{one}", claims=CARE_MEMBER)

    response = care_request(stack, "GET", "/care/audit", claims=ADMIN, query={"reference": f"inq-{inquiry_id[-8:]}"})

    assert response["statusCode"] == 200, response
    assert {e["inquiry_id"] for e in response_json(response)["items"]} == {inquiry_id}
    for bad in ("INQ-ZZZZZZZZ", "<script>"):
        refused = care_request(stack, "GET", "/care/audit", claims=ADMIN, query={"reference": bad})
        assert refused["statusCode"] == 422 and "ZZZZ" not in refused["body"] and "script" not in refused["body"]
    member = care_request(stack, "GET", "/care/audit", claims=CARE_MEMBER, query={"reference": f"INQ-{other[-8:]}"})
    assert member["statusCode"] == 403
