"""Issue 21: the person's rights run in their own function with the least privilege erasure needs, and audit
search reads the trail by key and index only. Read from the SAM-expanded template (what CloudFormation deploys);
each DynamoDB request the routes make under moto is checked against the function's statements."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from tests.ops.test_least_privilege import RESOURCES, _as_iam_sees, _grants_on, actions, allowed, role_statements
from tests.support.care import ADMIN, CARE_MEMBER, care_request
from tests.support.consumers import prepare_email, run_consumer
from tests.support.events import json_post, response_json
from tests.support.phi import distinctive_inquiry
from tests.support.rights import rights_request
from tests.support.stack import Stack

SECOND_ADMIN = {**ADMIN, "sub": "0b7e9c1e-0000-4000-8000-0000000a0002"}


def test_only_the_rights_function_may_delete_an_inquiry() -> None:
    assert {f for f, granted in _grants_on("InquiriesTable").items() if "dynamodb:DeleteItem" in granted} == {
        "RightsApiFunction"}
    assert "dynamodb:DeleteItem" not in _grants_on("InquiriesTable").get("CareApiFunction", set())


def test_the_rights_function_writes_the_audit_trail_once_and_never_reads_changes_or_deletes_it() -> None:
    assert _grants_on("AuditTable")["RightsApiFunction"] == {"dynamodb:PutItem"}
    assert not any(s for s in role_statements("RightsApiFunction")
                   if {"sqs:SendMessage", "sns:Publish", "ses:SendEmail"} & set(actions(s)))


def test_the_pending_requests_table_is_encrypted_recoverable_and_expires() -> None:
    table = RESOURCES.resources["ErasureRequestTable"]
    props = table["Properties"]
    assert table["DeletionPolicy"] == "Retain" and props["DeletionProtectionEnabled"] is True
    assert props["SSESpecification"]["KMSMasterKeyId"] == {"Ref": "DataKey"}
    assert props["TimeToLiveSpecification"] == {"AttributeName": "ttl", "Enabled": True}
    assert set(_grants_on("ErasureRequestTable")) == {"RightsApiFunction"}


def test_second_approval_is_a_template_parameter_off_by_default_and_given_to_the_function() -> None:
    parameter = RESOURCES.template["Parameters"]["RequireSecondApproval"]
    assert parameter["Default"] == "false" and set(parameter["AllowedValues"]) == {"true", "false"}
    env = RESOURCES.properties("RightsApiFunction")["Environment"]["Variables"]
    assert env["REQUIRE_SECOND_APPROVAL"] == {"Ref": "RequireSecondApproval"}


def test_the_audit_search_indexes_are_the_care_apis_to_query() -> None:
    assert _grants_on("AuditTable/index/ActorIndex") == {"CareApiFunction": {"dynamodb:PutItem", "dynamodb:Query"}}
    indexes = [i["IndexName"] for i in RESOURCES.properties("AuditTable")["GlobalSecondaryIndexes"]]
    assert indexes == ["InquiryIndex", "ActorIndex"]


def test_every_request_of_an_export_an_erasure_and_an_audit_search_is_allowed_by_the_policies(stack: Stack) -> None:
    """moto does not enforce IAM: each DynamoDB request is checked against the function's statements."""
    from inquiries import aws

    requests: list[tuple[str, dict[str, Any]]] = []

    def record(params: dict[str, Any], model: Any, **_: Any) -> None:
        requests.append((model.name, dict(params)))

    submitted = distinctive_inquiry(name="Policy Person", email="policy.person@example.com")
    first = response_json(stack.intake(json_post(submitted)))["inquiry_id"]
    assert care_request(stack, "GET", f"/care/inquiries/{first}", claims=CARE_MEMBER)["statusCode"] == 200
    prepare_email(stack)  # a confirmation: the person's ids in their mailbox's and their domain's counters
    run_consumer(stack, "send_confirmation", "ConfirmationQueue")
    aws.dynamodb().meta.events.register("provide-client-params.dynamodb", record)

    day = datetime.now(UTC).strftime("%Y-%m-%d")
    week_ago = (datetime.now(UTC) - timedelta(days=7)).strftime("%Y-%m-%d")
    for query in ({"reference": f"INQ-{first[-8:]}"}, {"actor": CARE_MEMBER["sub"], "from": week_ago, "to": day},
                  {"action": "read", "limit": "1"}, {"from": week_ago}, {"action": "read", "format": "csv"}):
        assert care_request(stack, "GET", "/care/audit", claims=ADMIN, query=query)["statusCode"] == 200
    care_requests, requests[:] = list(requests), []

    email = {"email": "policy.person@example.com"}
    assert rights_request(stack, "GET", "/care/people", claims=ADMIN, query=email)["statusCode"] == 200
    stack.configure(REQUIRE_SECOND_APPROVAL="true")
    aws.dynamodb().meta.events.register("provide-client-params.dynamodb", record)
    ids = []
    for _ in range(2):
        answer = rights_request(stack, "POST", "/care/erasures", claims=ADMIN,
                                body={**email, "reason": "person_request"})
        assert answer["statusCode"] == 202
        ids.append(response_json(answer)["request_id"])
    assert rights_request(stack, "GET", "/care/erasures", claims=ADMIN)["statusCode"] == 200
    assert rights_request(stack, "POST", f"/care/erasures/{ids[0]}/approve", claims=ADMIN)["statusCode"] == 403
    assert rights_request(stack, "POST", f"/care/erasures/{ids[1]}/reject", claims=ADMIN)["statusCode"] == 200
    assert rights_request(stack, "POST", f"/care/erasures/{ids[0]}/approve", claims=SECOND_ADMIN)["statusCode"] == 200
    matches = rights_request(stack, "GET", "/care/people", claims=ADMIN,
                             query={"phone": str(submitted["phone"]), "only": "references"})
    assert matches["statusCode"] == 200  # which inquiries: never gated
    waiting = rights_request(stack, "GET", "/care/people", claims=ADMIN, query={"phone": str(submitted["phone"])})
    assert waiting["statusCode"] == 202
    export_id = response_json(waiting)["request_id"]
    approved = rights_request(stack, "POST", f"/care/erasures/{export_id}/approve", claims=SECOND_ADMIN)
    assert approved["statusCode"] == 200
    assert rights_request(stack, "GET", f"/care/exports/{export_id}", claims=ADMIN)["statusCode"] == 200
    stack.configure(REQUIRE_SECOND_APPROVAL="false")
    aws.dynamodb().meta.events.register("provide-client-params.dynamodb", record)
    answer = rights_request(stack, "POST", "/care/erasures", claims=ADMIN,
                            body={"phone": str(submitted["phone"]), "reason": "person_request"})
    assert answer["statusCode"] == 200
    # The care API then finds the erased inquiry's entries by its reference (its erasure entry names the id).
    mark = len(requests)
    assert care_request(stack, "GET", "/care/audit", claims=ADMIN,
                        query={"reference": f"INQ-{first[-8:]}"})["statusCode"] == 200
    care_requests += requests[mark:]
    del requests[mark:]

    for function, made, needed in (
            ("CareApiFunction", care_requests, {"AuditTable", "AuditTable/index/ActorIndex",
                                                "AuditTable/index/InquiryIndex"}),
            ("RightsApiFunction", requests, {"InquiriesTable", "InquiriesTable/index/EmailHashIndex",
                                             "InquiryLookupTable", "IdempotencyTable", "RateLimitTable",
                                             "AuditTable", "ErasureRequestTable"})):
        checked = [seen for operation, params in made for seen in _as_iam_sees(operation, params)]
        assert {resource for _action, resource, _params in checked} >= needed, function
        if function == "RightsApiFunction":  # the erased ids taken out of the shared domain counters
            assert {("UpdateItem", "RateLimitTable"), ("UpdateItem", "ErasureRequestTable")} <= {
                (action, resource) for action, resource, _ in checked}
        for action, resource, params in checked:
            assert allowed(function, action, resource, params), (function, action, resource, params)


def test_the_rights_function_may_only_take_ids_out_of_the_rate_limit_counters() -> None:
    """Erasure removes the erased inquiry ids from the shared per-domain counters: an update of ``members``
    only, conditional, never another attribute, never another table."""
    take_out = {"Key": {"id": {"S": "domain#x#1"}}, "UpdateExpression": "DELETE members :ids",
                "ConditionExpression": "attribute_exists(members)"}
    assert allowed("RightsApiFunction", "UpdateItem", "RateLimitTable", take_out)
    assert not allowed("RightsApiFunction", "UpdateItem", "RateLimitTable",
                       {**take_out, "UpdateExpression": "SET expires_at = :e"})
    assert not allowed("RightsApiFunction", "UpdateItem", "RateLimitTable", {**take_out, "ReturnValues": "ALL_OLD"})
    assert not allowed("RightsApiFunction", "UpdateItem", "IdempotencyTable", take_out)
    assert _grants_on("RateLimitTable")["RightsApiFunction"] == {"dynamodb:Scan", "dynamodb:DeleteItem",
                                                                 "dynamodb:UpdateItem"}
