"""CareApiFunction against moto: lists, reads and versioned changes, each audited with no PHI."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from inquiries.models import InquiryIn
from moto.cloudwatch.models import MetricDatum, cloudwatch_backends

from infra.template import ACCOUNT_ID
from tests.support.care import ADMIN, CARE_MEMBER, OUTSIDER, TeamPool, audit_trail, care_request, listed
from tests.support.consumers import put_inquiry, record_of
from tests.support.events import json_post, response_headers, response_json
from tests.support.phi import LogCapture, distinctive_inquiry, submitted_by_this_test
from tests.support.stack import Stack


def submit(stack: Stack, **overrides: object) -> str:
    response = stack.intake(json_post(distinctive_inquiry(**overrides)))
    assert response["statusCode"] == 202
    inquiry_id: str = response_json(response)["inquiry_id"]
    return inquiry_id


def patch(stack: Stack, inquiry_id: str, body: object, version: int | str | None = 1,
          claims: dict[str, str] = CARE_MEMBER) -> dict[str, Any]:
    headers = {} if version is None else {"If-Match": str(version)}
    return care_request(stack, "PATCH", f"/care/inquiries/{inquiry_id}", claims=claims, body=body, headers=headers)


def audit_items_raw(stack: Stack) -> list[dict[str, Any]]:
    return stack.items("AuditTable")


# ---- listing ---------------------------------------------------------------------------------------------
def test_list_is_newest_first_and_carries_no_message_email_or_phone(stack: Stack) -> None:
    ids = [submit(stack) for _ in range(3)]

    page = listed(stack, status="new")

    assert [item["inquiry_id"] for item in page["items"]] == list(reversed(ids))
    assert page["next_cursor"] is None
    first = page["items"][0]
    assert set(first) == {"inquiry_id", "reference", "created_at", "status", "level", "urgent", "topic", "language",
                          "preferred_contact", "name", "assignee", "due_at", "next_attempt_at", "version",
                          "attempts"}
    assert (first["level"], first["urgent"], first["language"]) == ("none", False, "en")
    assert first["version"] == 1 and first["due_at"] > first["created_at"]
    text = json.dumps(page)
    assert "@example.com" not in text and "secret note" not in text and "+1415555" not in text


def test_pages_follow_the_opaque_cursor_until_the_end(stack: Stack) -> None:
    ids = [submit(stack) for _ in range(5)]

    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        page = listed(stack, status="new", limit="2", **({"cursor": cursor} if cursor else {}))
        pages += 1
        seen += [item["inquiry_id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
        assert all(ch.isalnum() or ch in "-_." for ch in cursor), "the cursor is opaque and URL-safe"

    assert seen == list(reversed(ids))
    assert pages == 3


@pytest.mark.parametrize(("query", "field"), [
    ({"status": "archived"}, "status"),
    ({"limit": "0"}, "limit"),
    ({"limit": "101"}, "limit"),
    ({"limit": "ten"}, "limit"),
    ({"cursor": "not-a-cursor"}, "cursor"),
])
def test_a_bad_list_query_is_a_422_naming_the_parameter(stack: Stack, query: dict[str, str], field: str) -> None:
    response = care_request(stack, "GET", "/care/inquiries", claims=CARE_MEMBER, query=query)

    assert response["statusCode"] == 422
    assert [e["field"] for e in response_json(response)["errors"]] == [field]


def test_a_cursor_of_another_status_list_is_refused(stack: Stack) -> None:
    for _ in range(3):
        submit(stack)
    cursor = listed(stack, status="new", limit="1")["next_cursor"]
    assert cursor

    response = care_request(stack, "GET", "/care/inquiries", claims=CARE_MEMBER,
                            query={"status": "closed", "cursor": cursor})

    assert response["statusCode"] == 422


def test_held_back_submissions_are_reviewable_in_the_spam_list(stack: Stack) -> None:
    spam_id = submit(stack, website="http://bot.example")
    real_id = submit(stack)

    assert [i["inquiry_id"] for i in listed(stack, status="spam")["items"]] == [spam_id]
    assert [i["inquiry_id"] for i in listed(stack, status="new")["items"]] == [real_id]


# ---- reading ---------------------------------------------------------------------------------------------
def test_reading_one_inquiry_shows_every_submitted_field_and_the_care_fields(stack: Stack) -> None:
    submitted = distinctive_inquiry(preferred_contact="phone")
    inquiry_id = response_json(stack.intake(json_post(submitted)))["inquiry_id"]

    response = care_request(stack, "GET", f"/care/inquiries/{inquiry_id}", claims=CARE_MEMBER)

    assert response["statusCode"] == 200
    assert response_headers(response)["cache-control"] == "no-store"
    assert response_headers(response)["etag"] == '"1"'
    body = response_json(response)
    for field in ("name", "email", "preferred_contact", "topic", "message", "consent_to_contact",
                  "referral_source"):
        assert body[field] == submitted[field], field
    assert body["phone"] == InquiryIn.model_validate(submitted).phone  # as intake stores it: E.164
    assert body["status"] == "new" and body["version"] == 1 and body["assignee"] is None
    assert body["notes"] == [] and body["history"] == [] and body["triage_categories"] == []
    assert body["reference"] == "INQ-" + inquiry_id[-8:] and body["due_at"]


def test_an_unknown_or_malformed_id_is_404_and_echoes_nothing(stack: Stack) -> None:
    for inquiry_id in ("01ARZ3NDEKTSV4RRFFQ69G5FAV", "<script>"):
        response = care_request(stack, "GET", f"/care/inquiries/{inquiry_id}", claims=CARE_MEMBER)
        assert response["statusCode"] == 404
        assert "script" not in response["body"] and "01ARZ3" not in response["body"]


# ---- changing --------------------------------------------------------------------------------------------
def test_a_change_without_if_match_is_428_and_changes_nothing(stack: Stack) -> None:
    inquiry_id = submit(stack)

    response = patch(stack, inquiry_id, {"status": "contacted"}, version=None)

    assert response["statusCode"] == 428
    assert record_of(inquiry_id)["status"] == "new"
    assert record_of(inquiry_id)["version"] == 1


def test_status_assignee_and_note_change_together_and_bump_the_version(stack: Stack) -> None:
    dana = TeamPool(stack).add("dana@clinic.local", "Dana (intake nurse)", "care-team")
    inquiry_id = submit(stack)

    response = patch(stack, inquiry_id, {"status": "contacted", "assignee": dana,
                                         "note": "Left a voicemail at 10:05"})

    assert response["statusCode"] == 200
    body = response_json(response)
    assert body["status"] == "contacted" and body["assignee"] == dana and body["version"] == 2
    assert response_headers(response)["etag"] == '"2"'
    assert [n["text"] for n in body["notes"]] == ["Left a voicemail at 10:05"]
    # Not in the pool: shown by their sub (tests/integration/test_care_identity.py shows names).
    assert (body["notes"][0]["actor"], body["notes"][0]["actor_id"]) == (CARE_MEMBER["sub"], CARE_MEMBER["sub"])
    assert [(h["action"], h.get("from"), h.get("to")) for h in body["history"]] == [
        ("status", "new", "contacted"), ("assigned", None, dana), ("note", None, None)]
    stored = record_of(inquiry_id)
    assert stored["version"] == 2 and stored["first_contact_at"]


def test_a_stale_version_is_412_and_the_later_writer_loses_nothing(stack: Stack) -> None:
    inquiry_id = submit(stack)
    assert patch(stack, inquiry_id, {"note": "first"}, version=1)["statusCode"] == 200

    stale = patch(stack, inquiry_id, {"status": "closed"}, version=1)

    assert stale["statusCode"] == 412
    assert response_json(stale)["errors"][0]["field"] == "If-Match"
    stored = record_of(inquiry_id)
    assert stored["status"] == "new" and stored["version"] == 2
    assert [n["text"] for n in stored["notes"]] == ["first"]


@pytest.mark.parametrize("if_match", ["abc", "0", '"2"', "-1"])
def test_an_if_match_no_version_can_match_is_412(stack: Stack, if_match: str) -> None:
    inquiry_id = submit(stack)

    assert patch(stack, inquiry_id, {"note": "x"}, version=if_match)["statusCode"] == 412


def test_the_quoted_etag_form_of_if_match_is_accepted(stack: Stack) -> None:
    inquiry_id = submit(stack)

    assert patch(stack, inquiry_id, {"note": "x"}, version='"1"')["statusCode"] == 200


@pytest.mark.parametrize(("path", "target"), [
    (["contacted", "scheduled", "closed"], None),
    (["not_a_fit"], None),
    (["contacted", "closed"], None),
    (["scheduled"], "status"),
    (["spam"], None),  # staff hold back a new inquiry (tests/integration/test_care_mark_spam.py)
    (["contacted", "spam"], "status"),
    (["closed", "contacted"], "status"),
    (["not_a_fit", "new"], "status"),
    (["attempting", "contacted", "scheduled"], None),
    (["attempting", "new"], "status"),
    (["closed", "attempting"], None),  # reopened (tests/integration/test_care_workflow.py)
])
def test_status_moves_follow_the_workflow(stack: Stack, path: list[str], target: str | None) -> None:
    inquiry_id = submit(stack)
    version = 1
    last = None
    for status in path:
        body = {"status": status, **({"close_reason": "other"} if status == "closed" else {})}
        last = patch(stack, inquiry_id, body, version=version)
        if last["statusCode"] != 200:
            break
        version += 1

    assert last is not None
    if target is None:
        assert last["statusCode"] == 200 and response_json(last)["status"] == path[-1]
    else:
        assert last["statusCode"] == 422
        assert [e["field"] for e in response_json(last)["errors"]] == [target]
        assert record_of(inquiry_id)["version"] == version


@pytest.mark.parametrize("body", [
    {"status": "archived"},
    {"note": "x" * 2001},
    {"note": "   "},
    {"assignee": "a" * 101},
    {"email": "new@example.com"},
    {},
    ["status"],
])
def test_a_bad_change_is_refused_and_leaves_nothing_behind(stack: Stack, body: object) -> None:
    inquiry_id = submit(stack)

    response = patch(stack, inquiry_id, body)

    assert response["statusCode"] in (400, 422)
    assert "new@example.com" not in response["body"] and "xxxxxxxx" not in response["body"]
    assert record_of(inquiry_id)["version"] == 1
    assert not any(i["action"] == "update" for i in audit_items_raw(stack))


def test_assignee_null_unassigns(stack: Stack) -> None:
    dana = TeamPool(stack).add("dana@clinic.local", "Dana", "care-team")
    inquiry_id = submit(stack)
    assert patch(stack, inquiry_id, {"assignee": dana})["statusCode"] == 200

    body = response_json(patch(stack, inquiry_id, {"assignee": None}, version=2))

    assert body["assignee"] is None
    assert body["history"][-1] == {"at": body["history"][-1]["at"], "actor": CARE_MEMBER["sub"],
                                   "actor_id": CARE_MEMBER["sub"], "action": "assigned", "from": dana, "to": None,
                                   "reason": None}


def test_leaving_new_records_the_time_to_first_contact_metric(stack: Stack, capsys: pytest.CaptureFixture[str]) -> None:
    inquiry_id = submit(stack)
    capsys.readouterr()

    patch(stack, inquiry_id, {"status": "contacted"})

    emitted = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith('{"_aws"')]
    metrics = [m for m in emitted if "TimeToFirstContact" in m]
    assert len(metrics) == 1
    declared = metrics[0]["_aws"]["CloudWatchMetrics"][0]
    assert declared["Metrics"] == [{"Name": "TimeToFirstContact", "Unit": "Seconds"}]
    assert declared["Dimensions"] == [["stage", "service"]], "no inquiry field as a dimension"


# ---- correcting triage's level ---------------------------------------------------------------------------
# A Tuesday, 08:00 in the clinic's time zone (America/Los_Angeles, PDT): an hour before it opens at 09:00.
RECEIVED = "2026-03-10T15:00:00.000Z"
# Response targets from RECEIVED with the template's defaults, worked out by hand: urgent 60 minutes at any
# hour; priority 4 opening hours (09:00-13:00 PDT); none one business day (09:00-17:00 PDT).
DUE_IF = {"urgent": "2026-03-10T16:00:00.000Z", "priority": "2026-03-10T20:00:00.000Z",
          "none": "2026-03-11T00:00:00.000Z"}


def stored(level: str = "none", **overrides: object) -> str:
    """An inquiry received at RECEIVED, triaged at ``level``, with the due time intake gave it."""
    return put_inquiry(created_at=RECEIVED, level=level, urgent=level == "urgent", due_at=DUE_IF[level],
                       **overrides)


def corrections_counted(stack: Stack) -> dict[tuple[tuple[str, str], ...], float]:
    """What CloudWatch holds of ``TriageCorrected``: each series (its dimensions besides service and stage)
    and its sum. Read from moto's store: its statistics API adds up every series that merely contains the
    dimensions asked for, where CloudWatch matches them exactly."""
    found: dict[tuple[tuple[str, str], ...], float] = {}
    for datum in cloudwatch_backends[ACCOUNT_ID][stack.region].metric_data:
        if not isinstance(datum, MetricDatum) or (datum.namespace, datum.name) != ("InquiryIntake",
                                                                                  "TriageCorrected"):
            continue
        named = {str(d.name): str(d.value) for d in datum.dimensions}
        assert (named.pop("service"), named.pop("stage")) == ("inquiry-intake", "local")
        key = tuple(sorted(named.items()))
        found[key] = found.get(key, 0) + datum.value
    return found


@pytest.mark.parametrize(("before", "after", "reason"), [
    ("none", "urgent", "missed"),
    ("none", "priority", "missed"),
    ("priority", "urgent", "missed"),
    ("urgent", "priority", "false_alarm"),
    ("urgent", "none", "false_alarm"),
    ("priority", "none", "false_alarm"),
])
def test_a_corrected_level_sets_urgent_keeps_who_when_and_why_and_moves_the_due_time(
        stack: Stack, before: str, after: str, reason: str) -> None:
    inquiry_id = stored(before)

    response = patch(stack, inquiry_id, {"level": after, "level_reason": reason})

    assert response["statusCode"] == 200
    body = response_json(response)
    assert (body["level"], body["urgent"], body["version"]) == (after, after == "urgent", 2)
    assert body["due_at"] == DUE_IF[after]
    [entry] = body["history"]
    assert entry == {"at": entry["at"], "actor": CARE_MEMBER["sub"], "actor_id": CARE_MEMBER["sub"],
                     "action": "level", "from": before, "to": after, "reason": reason}
    kept = record_of(inquiry_id)
    assert (kept["level"], kept["urgent"], kept["due_at"]) == (after, after == "urgent", DUE_IF[after])
    [listed_row] = listed(stack)["items"]
    assert (listed_row["level"], listed_row["urgent"], listed_row["due_at"]) == (after, after == "urgent",
                                                                                 DUE_IF[after])


def test_a_correction_is_audited_by_field_name_only(stack: Stack) -> None:
    inquiry_id = stored("none")

    patch(stack, inquiry_id, {"level": "urgent", "level_reason": "missed", "note": "Said on the phone: tonight"})

    [update] = [e for e in audit_trail(stack, inquiry_id) if e["action"] == "update"]
    assert update["fields"] == ["level", "note"]
    raw = json.dumps(audit_items_raw(stack), default=str)
    assert "missed" not in raw and "urgent" not in raw and "tonight" not in raw


@pytest.mark.parametrize(("before", "body", "field"), [
    ("priority", {"level": "urgent"}, "level_reason"),
    ("priority", {"level": "none"}, "level_reason"),
    ("priority", {"level": "urgent", "level_reason": None}, "level_reason"),
    ("priority", {"level": "urgent", "level_reason": "false_alarm"}, "level_reason"),
    ("priority", {"level": "none", "level_reason": "missed"}, "level_reason"),
    ("urgent", {"level": "none", "level_reason": "missed"}, "level_reason"),
    ("none", {"level": "priority", "level_reason": "false_alarm"}, "level_reason"),
    ("priority", {"level": "priority", "level_reason": "missed"}, "level_reason"),
    ("priority", {"level_reason": "false_alarm"}, "level_reason"),
    ("priority", {"level_reason": "false_alarm", "note": "too high"}, "level_reason"),
    ("priority", {"level": "severe", "level_reason": "missed"}, "level"),
    ("priority", {"level": "urgent", "level_reason": "danger"}, "level_reason"),
    ("priority", {"level": "urgent", "level_reason": "missed", "status": "scheduled"}, "status"),
])
def test_a_level_change_without_the_reason_that_fits_its_direction_is_a_422_that_changes_nothing(
        stack: Stack, before: str, body: dict[str, object], field: str) -> None:
    inquiry_id = stored(before)

    response = patch(stack, inquiry_id, body)

    assert response["statusCode"] == 422
    assert [e["field"] for e in response_json(response)["errors"]] == [field]
    kept = record_of(inquiry_id)
    assert (kept["level"], kept["due_at"], kept["version"]) == (before, DUE_IF[before], 1)
    assert "history" not in kept
    assert not any(i["action"] == "update" for i in audit_items_raw(stack))
    assert corrections_counted(stack) == {}


def test_the_same_level_without_a_reason_changes_nothing(stack: Stack) -> None:
    inquiry_id = stored("priority")

    response = patch(stack, inquiry_id, {"level": "priority"})

    assert response["statusCode"] == 200
    assert response_json(response)["version"] == 1 and record_of(inquiry_id)["version"] == 1
    assert corrections_counted(stack) == {}


def test_a_correction_is_counted_by_direction_first_category_and_language_and_never_logged(
        stack: Stack, capsys: pytest.CaptureFixture[str]) -> None:
    flagged = stored("urgent", triage_categories=["overdose", "self_harm"], triage_rules=["r1"], language="es")
    unflagged = stored("none")
    capsys.readouterr()

    with LogCapture() as logs:
        assert patch(stack, flagged, {"level": "priority", "level_reason": "false_alarm"})["statusCode"] == 200
        assert patch(stack, unflagged, {"level": "urgent", "level_reason": "missed"})["statusCode"] == 200

    assert corrections_counted(stack) == {
        (): 2,
        (("direction", "false_alarm"),): 1, (("direction", "missed"),): 1,
        (("category", "overdose"),): 1, (("category", "none"),): 1,
        (("language", "es"),): 1, (("language", "en"),): 1,
    }
    written = logs.text + capsys.readouterr().out
    assert flagged in written and unflagged in written, "the updates logged their lines"
    for told in ("TriageCorrected", "false_alarm", "missed", "overdose", "urgent", "priority"):
        assert told not in written, told


def test_the_due_time_stays_once_the_first_contact_is_made(stack: Stack) -> None:
    contacted = stored("none")
    assert patch(stack, contacted, {"status": "contacted"})["statusCode"] == 200
    contacted_now = stored("none")

    later = response_json(patch(stack, contacted, {"level": "urgent", "level_reason": "missed"}, version=2))
    together = response_json(patch(stack, contacted_now, {"status": "contacted", "level": "urgent",
                                                          "level_reason": "missed"}))

    for body in (later, together):
        assert (body["status"], body["level"], body["urgent"]) == ("contacted", "urgent", True)
        assert body["due_at"] == DUE_IF["none"]
    assert [h["action"] for h in together["history"]] == ["status", "level"]


def test_a_held_back_submission_gets_no_due_time_until_released_and_then_one_from_the_corrected_level(
        stack: Stack) -> None:
    held = put_inquiry(created_at=RECEIVED, status="spam", spam=True, due_at=None, dispatch_state=None,
                       dispatch_pending_since=None)
    released = put_inquiry(created_at=RECEIVED, status="spam", spam=True, due_at=None, dispatch_state=None,
                           dispatch_pending_since=None)

    assert patch(stack, held, {"level": "priority", "level_reason": "missed"})["statusCode"] == 200
    body = response_json(patch(stack, released, {"status": "new", "level": "urgent", "level_reason": "missed"}))

    assert "due_at" not in record_of(held) and record_of(held)["level"] == "priority"
    kept = record_of(released)
    assert (body["status"], body["level"]) == ("new", "urgent")
    release_time = datetime.fromisoformat(kept["released_at"].replace("Z", "+00:00"))
    assert kept["due_at"] == body["due_at"] == (release_time + timedelta(minutes=60)).strftime(
        "%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def test_an_inquiry_stored_before_levels_reads_its_level_from_urgent_and_can_be_corrected(stack: Stack) -> None:
    inquiry_id = stored("urgent")
    boto3.client("dynamodb", region_name="us-east-1").update_item(
        TableName="InquiriesTable", Key={"inquiry_id": {"S": inquiry_id}}, UpdateExpression="REMOVE #l, #g",
        ExpressionAttributeNames={"#l": "level", "#g": "language"})

    read = response_json(care_request(stack, "GET", f"/care/inquiries/{inquiry_id}", claims=CARE_MEMBER))
    corrected = response_json(patch(stack, inquiry_id, {"level": "none", "level_reason": "false_alarm"}))

    assert (read["level"], read["urgent"], read["language"]) == ("urgent", True, "en")
    assert (corrected["level"], corrected["urgent"], corrected["due_at"]) == ("none", False, DUE_IF["none"])


# ---- who may do what -------------------------------------------------------------------------------------
ROUTES = [("GET", "/care/inquiries"), ("GET", "/care/inquiries/{id}"), ("PATCH", "/care/inquiries/{id}"),
          ("GET", "/care/audit")]


@pytest.mark.parametrize(("method", "path"), ROUTES)
@pytest.mark.parametrize(("claims", "status"), [(None, 401), (OUTSIDER, 403)], ids=["no claims", "no group"])
def test_a_refused_caller_reads_changes_and_audits_nothing(stack: Stack, method: str, path: str,
                                                           claims: dict[str, str] | None, status: int) -> None:
    inquiry_id = submit(stack)

    response = care_request(stack, method, path.replace("{id}", inquiry_id), claims=claims,
                            body={"status": "contacted"} if method == "PATCH" else None, headers={"If-Match": "1"})

    assert response["statusCode"] == status
    assert "Marisol" not in response["body"]
    assert audit_items_raw(stack) == []
    assert record_of(inquiry_id)["status"] == "new" and record_of(inquiry_id)["version"] == 1


def test_only_care_admin_reads_the_audit_trail(stack: Stack) -> None:
    response = care_request(stack, "GET", "/care/audit", claims=CARE_MEMBER)

    assert response["statusCode"] == 403
    assert care_request(stack, "GET", "/care/audit", claims=ADMIN)["statusCode"] == 200


def test_groups_arrive_in_either_of_api_gateways_string_forms(stack: Stack) -> None:
    bracketed = {**ADMIN, "cognito:groups": "[care-team care-admin]"}

    assert care_request(stack, "GET", "/care/audit", claims=bracketed)["statusCode"] == 200


# ---- the audit trail -------------------------------------------------------------------------------------
def test_every_list_read_and_change_is_audited_with_who_when_and_which(stack: Stack) -> None:
    inquiry_id = submit(stack)
    listed(stack)
    care_request(stack, "GET", f"/care/inquiries/{inquiry_id}", claims=CARE_MEMBER)
    patch(stack, inquiry_id, {"status": "contacted", "note": "spoke at length"})

    everyone = audit_trail(stack)
    one = audit_trail(stack, inquiry_id)

    assert [e["action"] for e in everyone] == ["update", "read", "list"]
    assert [e["action"] for e in one] == ["update", "read"]
    assert all(e["actor"] == e["actor_id"] == CARE_MEMBER["sub"] for e in everyone)
    assert "care@clinic.local" not in str(everyone), "the email claim is the member's own to change"
    assert one[0]["fields"] == ["status", "note"]
    assert everyone[2]["inquiry_id"] is None
    assert all(e["at"] <= datetime.now(UTC).isoformat().replace("+00:00", "Z") for e in everyone)


def test_the_audit_trail_holds_no_inquiry_field_and_is_kept_audit_retention_days(stack: Stack) -> None:
    dana = TeamPool(stack).add("dana@clinic.local", "Dana", "care-team")
    inquiry_id = submit(stack)
    care_request(stack, "GET", f"/care/inquiries/{inquiry_id}", claims=CARE_MEMBER)
    assert patch(stack, inquiry_id, {"status": "contacted", "assignee": dana,
                                     "note": "secret note about cravings"})["statusCode"] == 200

    raw = audit_items_raw(stack)
    text = json.dumps(raw, default=str)

    assert raw and submitted_by_this_test().leaks(text) == []
    assert "cravings" not in text and "contacted" not in text and "Dana" not in text
    retention_days = int(stack.resources.function_environment("CareApiFunction")["AUDIT_RETENTION_DAYS"])
    assert retention_days >= 6 * 365 + 1
    for item in raw:
        at = datetime.fromisoformat(str(item["at"]).replace("Z", "+00:00"))
        assert int(item["ttl"]) == int(at.timestamp()) + retention_days * 86400


def test_a_read_is_not_shown_when_its_audit_entry_cannot_be_stored(stack: Stack) -> None:
    inquiry_id = submit(stack)
    boto3.client("dynamodb", region_name="us-east-1").delete_table(TableName="AuditTable")

    with LogCapture() as logs:
        response = care_request(stack, "GET", f"/care/inquiries/{inquiry_id}", claims=CARE_MEMBER)

    assert response["statusCode"] == 503
    assert "Marisol" not in response["body"]
    assert "audit entry not stored" in logs.text


def test_an_unavailable_inquiries_table_is_a_503_that_names_only_the_error_code(stack: Stack) -> None:
    boto3.client("dynamodb", region_name="us-east-1").delete_table(TableName="InquiriesTable")

    with LogCapture() as logs:
        response = care_request(stack, "GET", "/care/inquiries", claims=CARE_MEMBER)

    assert response["statusCode"] == 503
    assert response_headers(response)["cache-control"] == "no-store"
    (error,) = response_json(response)["errors"]
    assert error["message"] == "Inquiries are unavailable right now. Try again in a moment."
    assert "ResourceNotFoundException" in logs.text and "unhandled error" not in logs.text
    assert stack.items("AuditTable") == [], "a list that was not shown is not audited"


def test_an_unreadable_record_is_a_500_that_logs_where_and_what_type_never_a_value(stack: Stack) -> None:
    inquiry_id = submit(stack, name="Marisol Quintero")
    boto3.client("dynamodb", region_name="us-east-1").update_item(
        TableName="InquiriesTable", Key={"inquiry_id": {"S": inquiry_id}},
        UpdateExpression="SET topic = :t", ExpressionAttributeValues={":t": {"S": "Marisol's own topic"}})

    with LogCapture() as logs:
        response = care_request(stack, "GET", f"/care/inquiries/{inquiry_id}", claims=CARE_MEMBER)

    assert response["statusCode"] == 500
    assert response_headers(response)["cache-control"] == "no-store"
    assert response_json(response) == {"errors": [{"field": None,
                                                   "message": "Something went wrong on our side. Try again."}]}
    (line,) = [json.loads(text) for text in logs.text.splitlines() if '"unhandled error"' in text]
    assert line["error_type"] == "UnreadableRecord"
    assert line["frames"][-1].startswith("record.py:") and any(f.startswith("views.py:") for f in line["frames"])
    assert "Marisol" not in logs.text


def test_an_update_and_its_audit_entry_commit_together(stack: Stack) -> None:
    inquiry_id = submit(stack)
    boto3.client("dynamodb", region_name="us-east-1").delete_table(TableName="AuditTable")

    response = patch(stack, inquiry_id, {"status": "contacted"})

    assert response["statusCode"] >= 500
    assert record_of(inquiry_id)["status"] == "new" and record_of(inquiry_id)["version"] == 1


def test_intake_sets_a_due_time_and_version_one(stack: Stack) -> None:
    before = datetime.now(UTC)
    urgent_id = submit(stack, message="I want to end my life tonight")
    normal_id = submit(stack)

    urgent_due = datetime.fromisoformat(record_of(urgent_id)["due_at"].replace("Z", "+00:00"))
    assert timedelta(minutes=59) < urgent_due - before < timedelta(minutes=61)
    assert record_of(normal_id)["version"] == 1
    assert record_of(normal_id)["due_at"] > record_of(normal_id)["created_at"]


def test_the_deployed_console_origin_may_call_the_care_api_across_origins(stack: Stack) -> None:
    stack.configure(CONSOLE_ORIGIN="https://d111111abcdef8.cloudfront.net")

    preflight = care_request(stack, "OPTIONS", "/care/inquiries/01ARZ3NDEKTSV4RRFFQ69G5FAV", claims=None, headers={
        "Origin": "https://d111111abcdef8.cloudfront.net", "Access-Control-Request-Method": "PATCH",
        "Access-Control-Request-Headers": "authorization,content-type,if-match"})
    listing = care_request(stack, "GET", "/care/inquiries", claims=CARE_MEMBER,
                           headers={"Origin": "https://d111111abcdef8.cloudfront.net"})
    elsewhere = care_request(stack, "GET", "/care/inquiries", claims=CARE_MEMBER,
                             headers={"Origin": "https://evil.example"})

    allowed = response_headers(preflight)
    assert preflight["statusCode"] in (200, 204)
    assert allowed["access-control-allow-origin"] == "https://d111111abcdef8.cloudfront.net"
    asked_for = set(allowed["access-control-allow-headers"].lower().split(","))
    assert {"authorization", "content-type", "if-match"} <= asked_for
    assert response_headers(listing)["access-control-allow-origin"] == "https://d111111abcdef8.cloudfront.net"
    assert "access-control-allow-origin" not in response_headers(elsewhere)
    assert [i["action"] for i in audit_items_raw(stack)] == ["list", "list"], "the preflight read nothing"
