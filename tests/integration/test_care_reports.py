"""Issue 21, item 1: reports from aggregates kept as inquiries change (InquiryStatsTable), read by care admins
and clinic managers, never PHI; the clinic-manager group sees nothing else."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from typing import Any

import pytest

from tests.support.care import ADMIN, CARE_MEMBER, care_request
from tests.support.consumers import put_inquiry, record_of
from tests.support.events import json_post, response_headers, response_json
from tests.support.phi import distinctive_inquiry, submitted_by_this_test
from tests.support.stack import Stack

MANAGER = {"sub": "0b7e9c1e-0000-4000-8000-0000000000aa", "email": "manager@clinic.local",
           "cognito:groups": "clinic-manager", "token_use": "id", "aud": "CareConsoleClient",
           "email_verified": "true"}


def this_week() -> str:
    from inquiries.reports.contributions import week_of

    return week_of(datetime.now(UTC).isoformat(), "America/Los_Angeles")


def submit(stack: Stack, **overrides: Any) -> str:
    response = stack.intake(json_post(distinctive_inquiry(**overrides)))
    assert response["statusCode"] in (200, 201, 202), response
    inquiry_id: str = response_json(response)["inquiry_id"]
    return inquiry_id


def report(stack: Stack, claims: dict[str, str] = ADMIN, query: dict[str, str] | None = None) -> dict[str, Any]:
    response = care_request(stack, "GET", "/care/reports", claims=claims, query=query)
    assert response["statusCode"] == 200, response
    assert response_headers(response)["cache-control"] == "no-store"
    body: dict[str, Any] = response_json(response)
    return body


def figure(body: dict[str, Any], figure_id: str, by: str) -> dict[str, dict[str, Any]]:
    """One figure's points of the last week shown, by series key."""
    found = [f for f in body["figures"] if f["id"] == figure_id and f["by"] == by]
    assert len(found) == 1, (figure_id, by)
    assert found[0]["definition"] and found[0]["title"]
    return {s["key"]: s["points"][-1] for s in found[0]["series"]}


def patch(stack: Stack, inquiry_id: str, body: object, version: int) -> dict[str, Any]:
    return care_request(stack, "PATCH", f"/care/inquiries/{inquiry_id}", claims=CARE_MEMBER, body=body,
                        headers={"If-Match": str(version)})


def attempt(stack: Stack, inquiry_id: str, outcome: str, version: int) -> dict[str, Any]:
    return care_request(stack, "POST", f"/care/inquiries/{inquiry_id}/attempts", claims=CARE_MEMBER,
                        body={"channel": "phone", "outcome": outcome}, headers={"If-Match": str(version)})


def stats_text(stack: Stack) -> str:
    return json.dumps(stack.items("InquiryStatsTable"), default=str)


# ---- counted as inquiries arrive ---------------------------------------------------------------------------
def test_each_new_inquiry_is_counted_once_in_its_week_by_topic_language_level_and_referral_kind(stack: Stack) -> None:
    submit(stack, topic="anxiety")
    submit(stack, topic="ptsd", language="es", referral_source="My therapist told me")
    duplicate = distinctive_inquiry(topic="anxiety")
    first = stack.intake(json_post(duplicate))
    again = stack.intake(json_post(duplicate))  # the same submission sent twice: stored once, counted once
    assert response_json(first)["inquiry_id"] == response_json(again)["inquiry_id"]

    body = report(stack)
    assert body["to"] == this_week() and len(body["weeks"]) == 12, "the last 12 weeks by default"
    assert figure(body, "volume", "all")["all"]["value"] == 3
    topics = figure(body, "volume", "topic")
    assert (topics["anxiety"]["value"], topics["ptsd"]["value"], topics["depression"]["value"]) == (2, 1, 0)
    languages = figure(body, "volume", "language")
    assert (languages["en"]["value"], languages["es"]["value"]) == (2, 1)
    assert figure(body, "volume", "level")["none"]["value"] == 3
    referrals = figure(body, "volume", "referral_source")
    # distinctive_inquiry's answer is "Podcast Zeta<n>": a media kind; its words are kept nowhere.
    assert (referrals["media"]["value"], referrals["clinician"]["value"]) == (2, 1)
    assert submitted_by_this_test().leaks(stats_text(stack)) == []
    assert submitted_by_this_test().leaks(json.dumps(body)) == []


def test_a_held_back_submission_counts_only_once_released_and_no_longer_once_marked_spam(stack: Stack) -> None:
    held = submit(stack, website="http://cheap-pills.example")
    assert figure(report(stack), "volume", "all")["all"]["value"] == 0

    assert patch(stack, held, {"status": "new"}, 1)["statusCode"] == 200
    assert figure(report(stack), "volume", "all")["all"]["value"] == 1
    assert patch(stack, held, {"status": "spam"}, 2)["statusCode"] == 200
    assert figure(report(stack), "volume", "all")["all"]["value"] == 0


# ---- time to first contact, attempts, scheduled --------------------------------------------------------------
def test_first_contact_attempts_and_scheduling_are_counted_once_each(stack: Stack) -> None:
    inquiry_id = submit(stack, topic="depression")
    other = submit(stack, topic="depression")
    assert attempt(stack, inquiry_id, "no_answer", 1)["statusCode"] == 201
    assert attempt(stack, inquiry_id, "reached", 2)["statusCode"] == 201
    assert attempt(stack, inquiry_id, "reached", 3)["statusCode"] == 201, "a second reach is no first contact"
    assert patch(stack, inquiry_id, {"status": "scheduled"}, 4)["statusCode"] == 200
    assert patch(stack, inquiry_id, {"status": "closed", "close_reason": "scheduled"}, 5)["statusCode"] == 200
    assert record_of(inquiry_id)["first_contact_on_time"] is True

    body = report(stack)
    for by, key in (("all", "all"), ("level", "none"), ("language", "en"), ("topic", "depression")):
        point = figure(body, "time_to_first_contact", by)[key]
        assert point["count"] == 1, (by, key)
        assert 0 <= point["median_minutes"] <= 15 and 0 <= point["p90_minutes"] <= 15  # the first bucket
        assert point["within_target_share"] == 1.0
    assert figure(body, "time_to_first_contact", "level")["urgent"]["count"] == 0
    assert figure(body, "time_to_first_contact", "level")["urgent"]["median_minutes"] is None
    scheduled = figure(body, "reached_scheduled", "all")["all"]
    assert (scheduled["value"], scheduled["share"]) == (1, 0.5), "one of the week's two reached scheduled"
    per_reached = figure(body, "attempts_per_reached", "all")["all"]
    assert (per_reached["value"], per_reached["reached"], per_reached["attempts"]) == (2.0, 1, 2)
    assert other


def test_a_level_correction_is_counted_by_direction_category_and_language_and_moves_the_level(stack: Stack) -> None:
    inquiry_id = submit(stack, language="es")
    raised = patch(stack, inquiry_id, {"level": "urgent", "level_reason": "missed"}, 1)
    assert raised["statusCode"] == 200

    body = report(stack)
    assert figure(body, "triage_corrections", "all")["all"]["value"] == 1
    assert figure(body, "triage_corrections", "direction")["missed"]["value"] == 1
    assert figure(body, "triage_corrections", "direction")["false_alarm"]["value"] == 0
    assert figure(body, "triage_corrections", "category")["none"]["value"] == 1
    assert figure(body, "triage_corrections", "language")["es"]["value"] == 1
    levels = figure(body, "volume", "level")
    assert (levels["urgent"]["value"], levels["none"]["value"]) == (1, 0), "counted at its corrected level"


def test_a_refused_or_failed_change_counts_nothing(stack: Stack, monkeypatch: pytest.MonkeyPatch) -> None:
    from inquiries.data.audit import AuditRecords

    inquiry_id = submit(stack)
    before = stats_text(stack)
    assert attempt(stack, inquiry_id, "reached", 7)["statusCode"] == 412
    assert stats_text(stack) == before

    real = AuditRecords.write_with

    def refused_by_dynamodb(self: AuditRecords, entry: Any) -> Any:
        write = real(self, entry)
        write["Put"]["ConditionExpression"] = "attribute_exists(entry_id)"  # the transaction is cancelled
        return write

    monkeypatch.setattr(AuditRecords, "write_with", refused_by_dynamodb)
    failed = attempt(stack, inquiry_id, "reached", 1)
    assert failed["statusCode"] >= 500
    assert stats_text(stack) == before, "a failed transaction adds to no counter"
    assert "first_contact_at" not in record_of(inquiry_id)


def test_changes_to_an_inquiry_stored_before_the_counters_count_nothing_until_the_rebuild(stack: Stack) -> None:
    legacy = put_inquiry()  # no stats_counted: as stored before reports existed
    assert attempt(stack, legacy, "reached", 1)["statusCode"] == 201
    assert stack.items("InquiryStatsTable") == []


# ---- reading: the route, its range, its CSV, its audit, what it reads ----------------------------------------
def test_the_report_is_read_from_the_counters_alone_and_audited_without_data(stack: Stack) -> None:
    from inquiries import aws

    submit(stack)
    calls: list[tuple[str, str]] = []

    def record(params: dict[str, Any], model: Any, **_: Any) -> None:
        calls.append((model.name, str(params.get("TableName") or "transaction")))

    aws.dynamodb().meta.events.register("provide-client-params.dynamodb", record)
    report(stack, claims=MANAGER, query={"from": "2026-W01", "to": "2026-W03"})
    assert sorted(set(calls)) == [("PutItem", "AuditTable"), ("Query", "InquiryStatsTable")]
    assert calls.count(("Query", "InquiryStatsTable")) == 3, "one Query a week, never a Scan of inquiries"
    entries = [e for e in stack.items("AuditTable") if e["action"] == "report_read"]
    assert len(entries) == 1
    assert entries[0]["actor_id"] == MANAGER["sub"] and entries[0]["filters"] == ["from", "to"]
    assert "inquiry_id" not in entries[0] and "inquiry_ids" not in entries[0]


def test_the_range_names_weeks_or_dates(stack: Stack) -> None:
    body = report(stack, query={"from": "2026-11-30", "to": "2026-12-13"})
    assert body["weeks"] == ["2026-W49", "2026-W50"]
    assert report(stack, query={"from": "2025-W52", "to": "2026-W01"})["weeks"] == ["2025-W52", "2026-W01"]
    assert len(report(stack, query={"from": "2026-W01", "to": "2026-W53"})["weeks"]) == 53


@pytest.mark.parametrize("query", [{"from": "last week"}, {"to": "2026-W54"}, {"from": "2026-02-30"},
                                   {"from": "2026-W10", "to": "2026-W09"}, {"from": "2024-W01", "to": "2026-W01"},
                                   {"format": "xml"}])
def test_a_bad_range_is_a_422_that_echoes_nothing_and_audits_nothing(stack: Stack, query: dict[str, str]) -> None:
    response = care_request(stack, "GET", "/care/reports", claims=ADMIN, query=query)
    assert response["statusCode"] == 422, response
    errors = response_json(response)["errors"]
    assert errors and all(e["field"] in ("from", "to", "format") for e in errors)
    for value in query.values():
        assert value not in response["body"]
    assert [e for e in stack.items("AuditTable") if e["action"].startswith("report")] == []


@pytest.mark.parametrize("how", [{"query": {"format": "csv"}}, {"headers": {"Accept": "text/csv"}}])
def test_the_csv_is_a_download_of_the_aggregates_audited_as_an_export(stack: Stack, how: dict[str, Any]) -> None:
    submit(stack, topic="ptsd")
    response = care_request(stack, "GET", "/care/reports", claims=MANAGER, **how)
    assert response["statusCode"] == 200, response
    headers = response_headers(response)
    assert headers["content-type"].startswith("text/csv")
    assert headers["content-disposition"].startswith("attachment; filename=\"inquiry-reports-")
    assert headers["cache-control"] == "no-store"
    rows = list(csv.DictReader(io.StringIO(response["body"])))
    week = this_week()
    assert {"week": week, "figure": "volume", "by": "topic", "key": "ptsd", "measure": "value", "value": "1"} in rows
    assert {"week": week, "figure": "time_to_first_contact", "by": "all", "key": "all", "measure": "bucket_le_15",
            "value": "0"} in rows
    assert submitted_by_this_test().leaks(response["body"]) == []
    assert [e["action"] for e in stack.items("AuditTable") if e["action"].startswith("report")] == ["report_export"]


# ---- who may read it -----------------------------------------------------------------------------------------
def test_a_care_team_member_may_not_read_the_reports(stack: Stack) -> None:
    response = care_request(stack, "GET", "/care/reports", claims=CARE_MEMBER)
    assert response["statusCode"] == 403
    assert care_request(stack, "GET", "/care/reports", claims=None)["statusCode"] == 401


OTHER_ROUTES: list[tuple[str, str, dict[str, Any]]] = [
    ("GET", "/care/inquiries", {}),
    ("GET", "/care/inquiries/{id}", {}),
    ("GET", "/care/inquiries/{reference}", {}),
    ("PATCH", "/care/inquiries/{id}", {"body": {"note": "hi"}, "headers": {"If-Match": "1"}}),
    ("POST", "/care/inquiries/{id}/attempts", {"body": {"channel": "phone", "outcome": "reached"},
                                               "headers": {"If-Match": "1"}}),
    ("POST", "/care/bulk", {"body": {"items": [{"inquiry_id": "{id}", "version": 1}],
                                     "change": {"status": "closed", "close_reason": "other"}}}),
    ("GET", "/care/queue", {}),
    ("GET", "/care/search", {"query": {"q": "{reference}"}}),
    ("GET", "/care/team", {}),
    ("GET", "/care/audit", {}),
]


@pytest.mark.parametrize(("method", "path", "extra"), OTHER_ROUTES, ids=[f"{m} {p}" for m, p, _ in OTHER_ROUTES])
def test_a_clinic_manager_gets_403_and_no_inquiry_data_from_every_other_care_route(
        stack: Stack, method: str, path: str, extra: dict[str, Any]) -> None:
    inquiry_id = submit(stack)
    reference = f"INQ-{inquiry_id[-8:]}"

    def filled(value: Any) -> Any:
        text = json.dumps(value).replace("{id}", inquiry_id).replace("{reference}", reference)
        return json.loads(text)

    response = care_request(stack, method, filled(path), claims=MANAGER, **filled(extra))
    assert response["statusCode"] == 403, response
    assert inquiry_id not in response["body"] and submitted_by_this_test().leaks(response["body"]) == []
    stored = record_of(inquiry_id)
    assert stored["version"] == 1 and stored["status"] == "new", "nothing changed"
    assert [e for e in stack.items("AuditTable")] == [], "nothing read, so nothing audited"


# ---- two transactions on one counter at once ------------------------------------------------------------------
def conflicting_once(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """DynamoDB cancels the next transaction as it would when another one writes the same counter item."""
    from botocore.exceptions import ClientError
    from inquiries import aws

    client = aws.dynamodb()
    real = client.transact_write_items
    calls: list[int] = []

    def transact(**kwargs: Any) -> Any:
        calls.append(len(kwargs["TransactItems"]))
        if len(calls) == 1:
            reasons: list[Any] = [{"Code": "None"} for _ in kwargs["TransactItems"]]
            reasons[-1] = {"Code": "TransactionConflict", "Message": "Transaction is ongoing for the item"}
            raise ClientError({"Error": {"Code": "TransactionCanceledException", "Message": "cancelled"},
                               "CancellationReasons": reasons}, "TransactWriteItems")
        return real(**kwargs)

    monkeypatch.setattr(client, "transact_write_items", transact)
    return calls


def test_a_submission_whose_counter_is_busy_is_stored_and_counted_once(stack: Stack) -> None:
    stack.handler("intake")  # imported (and its clients made) before the conflict is arranged
    with pytest.MonkeyPatch.context() as patched:
        calls = conflicting_once(patched)
        response = stack.intake(json_post(distinctive_inquiry()))
    assert response["statusCode"] == 202, response
    assert len(calls) == 2, "tried again"
    assert figure(report(stack), "volume", "all")["all"]["value"] == 1


def test_a_change_whose_counter_is_busy_is_written_and_counted_once(stack: Stack) -> None:
    inquiry_id = submit(stack)
    stack.handler("care_api")
    with pytest.MonkeyPatch.context() as patched:
        calls = conflicting_once(patched)
        assert attempt(stack, inquiry_id, "reached", 1)["statusCode"] == 201
    assert len(calls) == 2, "tried again"
    assert figure(report(stack), "time_to_first_contact", "all")["all"]["count"] == 1
