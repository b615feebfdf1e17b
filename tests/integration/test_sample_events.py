"""Every sample in events/ goes through the real handler and gets the answer events/README.md promises."""

from __future__ import annotations

import base64
import json

import boto3
import pytest

from tests.support.events import load_event, response_headers, response_json
from tests.support.lambda_context import FakeLambdaContext
from tests.support.stack import Stack


@pytest.mark.parametrize(
    ("name", "status"),
    [
        ("intake_valid_json.json", 202),
        ("intake_form.json", 303),
        ("intake_base64.json", 202),
        ("intake_invalid.json", 422),
        ("intake_crisis.json", 202),
        ("intake_honeypot.json", 202),
        ("intake_not_json.json", 400),
        ("health.json", 200),
    ],
)
def test_sample_event_gets_its_documented_status(stack: Stack, name: str, status: int) -> None:
    assert stack.intake(load_event(name))["statusCode"] == status


def test_sample_invalid_event_names_each_bad_field(stack: Stack) -> None:
    errors = response_json(stack.intake(load_event("intake_invalid.json")))["errors"]
    assert {e["field"] for e in errors} == {
        "name", "email", "phone", "sms_consent", "topic", "consent_to_contact", "favourite_colour"
    }


def test_sample_duplicate_event_sent_twice_gives_one_inquiry_and_the_same_answer(stack: Stack) -> None:
    first = stack.intake(load_event("intake_duplicate.json"))
    second = stack.intake(load_event("intake_duplicate.json"))
    assert first["statusCode"] == second["statusCode"] == 202
    assert response_json(first) == response_json(second)
    assert len(stack.items()) == 1
    assert len(stack.drain("ConfirmationQueue")) == 1


def test_sam_generated_aws_proxy_event_with_base64_body_is_accepted(stack: Stack) -> None:
    event = load_event("intake_sam_generated.json")
    assert event["isBase64Encoded"] is True
    submitted = json.loads(base64.b64decode(event["body"]))

    response = stack.intake(event)

    # SAM's sample carries a browser's Accept header, so success is the form redirect.
    assert response["statusCode"] == 303
    assert response_headers(response)["location"]
    [item] = stack.items()
    assert item["email"] == submitted["email"]
    assert item["topic"] == "anxiety"
    assert item["status"] == "new"


def test_redispatch_sample_event_resends_a_pending_inquiry(stack: Stack) -> None:
    from tests.support.lambda_context import FakeLambdaContext

    accepted = response_json(stack.intake(load_event("intake_valid_json.json")))
    stack.drain("ConfirmationQueue")
    stack.drain("CareTeamQueue")
    # As if the queue sends had failed: put the dispatch-pending marker back, an hour old.
    boto3.client("dynamodb", region_name="us-east-1").update_item(
        TableName="InquiriesTable", Key={"inquiry_id": {"S": accepted["inquiry_id"]}},
        UpdateExpression="SET dispatch_state = :p, dispatch_pending_since = :t",
        ExpressionAttributeValues={":p": {"S": "pending"}, ":t": {"S": "2020-01-01T00:00:00.000Z"}},
    )

    event = load_event("redispatch_schedule.json")
    result = stack.handler("redispatch")(event, FakeLambdaContext("RedispatchFunction"))

    assert result == {"found": 1, "redispatched": 1, "failed": 0}
    assert stack.drain("ConfirmationQueue") == [{"inquiry_id": accepted["inquiry_id"]}]


def test_care_sample_events_get_their_documented_answers(stack: Stack) -> None:
    context = FakeLambdaContext("CareApiFunction")
    care_api = stack.handler("care_api")

    listed = care_api(load_event("care_list_new.json"), context)
    unconditional = care_api(load_event("care_change_without_if_match.json"), context)
    reminded = stack.handler("remind_care_team")(load_event("remind_schedule.json"),
                                                 FakeLambdaContext("RemindCareTeamFunction", timeout_seconds=60))

    assert listed["statusCode"] == 200 and response_json(listed) == {"items": [], "next_cursor": None}
    assert unconditional["statusCode"] == 428
    assert reminded == {"overdue": 0, "reminded": 0, "escalated": 0, "failed": 0}
