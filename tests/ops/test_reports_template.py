"""Reports in the template (issue 21, item 1): the counters' table, the clinic-manager group, the route, and
least privilege: intake and the care API may only add to counters and read weeks; every request they make on
the way is allowed by their policies (checked as IAM would, since moto does not)."""

from __future__ import annotations

from typing import Any

from infra.template import TemplateResources
from tests.ops.test_least_privilege import _as_iam_sees, _grants_on, allowed, role_statements
from tests.support.stack import Stack

RESOURCES = TemplateResources()


def test_the_counters_table_is_encrypted_recoverable_retained_and_keyed_by_week() -> None:
    table = RESOURCES.resources["InquiryStatsTable"]
    props = table["Properties"]
    assert table["DeletionPolicy"] == table["UpdateReplacePolicy"] == "Retain"
    assert props["DeletionProtectionEnabled"] is True
    assert props["SSESpecification"]["KMSMasterKeyId"] == {"Ref": "DataKey"}
    assert props["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True
    assert [k["AttributeName"] for k in props["KeySchema"]] == ["week", "counter_set"]
    assert "GlobalSecondaryIndexes" not in props and "StreamSpecification" not in props


def test_the_clinic_manager_group_is_in_the_care_teams_pool() -> None:
    group = RESOURCES.resources["ClinicManagerGroup"]["Properties"]
    assert group["GroupName"] == "clinic-manager"
    assert group["UserPoolId"] == {"Ref": "CareTeamUserPool"}


def test_the_reports_route_is_behind_the_cognito_authorizer() -> None:
    events = RESOURCES.resources["CareApiFunction"]["Properties"]["Events"]
    route = events["ReadReports"]["Properties"]
    assert (route["Path"], route["Method"], route["Auth"]) == ("/care/reports", "GET",
                                                               {"Authorizer": "CareTeamAuthorizer"})


def test_only_intake_and_the_care_api_touch_the_counters_and_neither_may_scan_put_or_delete_them() -> None:
    assert _grants_on("InquiryStatsTable") == {"IntakeFunction": {"dynamodb:UpdateItem"},
                                               "CareApiFunction": {"dynamodb:UpdateItem", "dynamodb:Query"}}


def test_the_care_api_may_read_the_counters_but_no_other_table_by_query_through_that_grant() -> None:
    [statement] = [s for s in role_statements("CareApiFunction") if s.get("Sid") == "KeepAndReadReportCounters"]
    assert statement["Resource"] == {"Fn::GetAtt": ["InquiryStatsTable", "Arn"]}


def test_every_request_of_counting_and_reading_the_reports_is_allowed_by_the_policies(stack: Stack) -> None:
    from inquiries import aws

    from tests.support.care import ADMIN, CARE_MEMBER, care_request
    from tests.support.events import json_post, response_json
    from tests.support.phi import distinctive_inquiry

    requests: list[tuple[str, dict[str, Any]]] = []

    def record(params: dict[str, Any], model: Any, **_: Any) -> None:
        requests.append((model.name, dict(params)))

    aws.dynamodb().meta.events.register("provide-client-params.dynamodb", record)
    inquiry_id = response_json(stack.intake(json_post(distinctive_inquiry())))["inquiry_id"]
    intake_requests, requests[:] = list(requests), []
    attempt = care_request(stack, "POST", f"/care/inquiries/{inquiry_id}/attempts", claims=CARE_MEMBER,
                           body={"channel": "phone", "outcome": "reached"}, headers={"If-Match": "1"})
    assert attempt["statusCode"] == 201
    assert care_request(stack, "GET", "/care/reports", claims=ADMIN)["statusCode"] == 200
    assert care_request(stack, "GET", "/care/reports", claims=ADMIN, query={"format": "csv"})["statusCode"] == 200

    for function, made in (("IntakeFunction", intake_requests), ("CareApiFunction", requests)):
        checked = [seen for operation, params in made for seen in _as_iam_sees(operation, params)]
        assert "InquiryStatsTable" in {resource for _action, resource, _params in checked}, function
        for action, resource, params in checked:
            assert allowed(function, action, resource, params), (function, action, resource, params)
