"""Production properties of template.yaml that ops rely on (beyond what cfn-lint and checkov judge)."""

from __future__ import annotations

import json
import re
import tomllib
from typing import Any

from infra.expand_template import expand
from infra.template import ROOT, TemplateResources

RESOURCES = TemplateResources()
FUNCTIONS = RESOURCES.logical_ids("AWS::Serverless::Function")
ALARMS = {lid: RESOURCES.properties(lid) for lid in RESOURCES.logical_ids("AWS::CloudWatch::Alarm")}


def skips(resource: dict[str, Any]) -> list[dict[str, Any]]:
    return list(((resource.get("Metadata") or {}).get("checkov") or {}).get("skip") or [])


def alarm_targets(namespace: str, metric: str) -> list[Any]:
    return [
        dim["Value"]
        for props in ALARMS.values()
        if props["Namespace"] == namespace and props["MetricName"] == metric
        for dim in props["Dimensions"]
    ]


def test_every_checkov_skip_names_a_check_and_gives_a_reason() -> None:
    found = 0
    for lid, res in RESOURCES.resources.items():
        for skip in skips(res):
            found += 1
            assert re.fullmatch(r"CKV2?_AWS_\d+", str(skip.get("id"))), lid
            assert len(str(skip.get("comment", "")).strip()) > 40, f"{lid} {skip.get('id')}: say why"
    assert found, "the skips live in template.yaml"


def test_expanded_resources_inherit_the_skips_of_their_sam_resource() -> None:
    expanded = expand()["Resources"]
    stages = [lid for lid, res in expanded.items() if res["Type"] == "AWS::ApiGateway::Stage"]
    assert stages
    for lid in stages:
        assert {s["id"] for s in skips(expanded[lid])} == {s["id"] for s in skips(RESOURCES.resources["InquiryApi"])}
    for fn in FUNCTIONS:
        assert skips(expanded[fn]) == skips(RESOURCES.resources[fn])
        assert expanded[fn]["Properties"]["Architectures"] == ["arm64"]
        assert expanded[fn]["Properties"]["Runtime"] == "python3.12"


def test_every_queue_dlq_and_function_is_alarmed_to_the_ops_topic() -> None:
    dlqs = [lid for lid in RESOURCES.logical_ids("AWS::SQS::Queue") if "RedrivePolicy" not in RESOURCES.properties(lid)]
    assert sorted(dlqs) == ["CareTeamDLQ", "ConfirmationDLQ"]
    depth = alarm_targets("AWS/SQS", "ApproximateNumberOfMessagesVisible")
    assert sorted(d["Fn::GetAtt"][0] for d in depth) == sorted(dlqs)
    for metric in ("Errors", "Throttles"):
        assert sorted(d["Ref"] for d in alarm_targets("AWS/Lambda", metric)) == sorted(FUNCTIONS)
    assert {p["MetricName"] for p in ALARMS.values() if p["Namespace"] == "AWS/ApiGateway"} == {"5XXError", "4XXError"}
    for lid, props in ALARMS.items():
        assert props["AlarmActions"] == [{"Ref": "OpsAlarmTopic"}], lid


def test_every_function_logs_to_its_own_encrypted_log_group_with_retention() -> None:
    for fn in FUNCTIONS:
        group = RESOURCES.properties(fn)["LoggingConfig"]["LogGroup"]["Ref"]
        props = RESOURCES.properties(group)
        assert RESOURCES.resources[group]["Type"] == "AWS::Logs::LogGroup"
        assert props["KmsKeyId"] == {"Fn::GetAtt": ["DataKey", "Arn"]}
        assert props["RetentionInDays"] == {"Ref": "LogRetentionDays"}


def test_data_tables_survive_stack_deletion() -> None:
    for table in ("InquiriesTable", "IdempotencyTable", "RateLimitTable"):
        res = RESOURCES.resources[table]
        assert res["DeletionPolicy"] == "Retain"
        assert res["Properties"]["DeletionProtectionEnabled"] is True
        assert res["Properties"]["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True


def test_urgent_sms_subscription_filters_on_priority() -> None:
    sub = RESOURCES.properties("CareTeamUrgentSmsSubscription")
    assert sub["Protocol"] == "sms"
    assert sub["FilterPolicyScope"] == "MessageAttributes"
    assert sub["FilterPolicy"] == {"priority": ["urgent"]}


def test_layer_requirements_pin_what_pyproject_pins() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    requirements = {
        name.lower(): version
        for name, version in re.findall(r"^([A-Za-z0-9_.-]+)==(\S+)$",
                                        (ROOT / "functions" / "requirements.txt").read_text(), re.MULTILINE)
    }
    for spec in project:
        match = re.fullmatch(r"([A-Za-z0-9_.-]+)(?:\[[^\]]*\])?==(\S+)", spec)
        if match is None:
            assert spec.startswith("boto3"), f"{spec}: pin it, or it is provided by the Lambda runtime"
            continue
        assert requirements.get(match.group(1).lower()) == match.group(2), spec


def test_samconfig_has_dev_and_prod() -> None:
    config = tomllib.loads((ROOT / "samconfig.toml").read_text())
    for env in ("dev", "prod"):
        deploy = config[env]["deploy"]["parameters"]
        assert deploy["stack_name"].endswith(env)
        assert f"Stage={env}" in deploy["parameter_overrides"]


def test_api_gateways_own_answers_keep_the_contract_shape() -> None:
    """Throttling, refused requests and Lambda timeouts are answered by API Gateway, not our handler."""
    body = expand()["Resources"]["InquiryApi"]["Properties"]["Body"]
    responses = body["x-amazon-apigateway-gateway-responses"]
    assert set(responses) >= {"THROTTLED", "DEFAULT_4XX", "DEFAULT_5XX"}
    for kind, answer in responses.items():
        headers = answer["responseParameters"]
        assert headers["gatewayresponse.header.Cache-Control"] == "'no-store'", kind
        assert "gatewayresponse.header.Access-Control-Allow-Origin" in headers, kind
        assert set(json.loads(answer["responseTemplates"]["application/json"])) == {"errors"}, kind
    assert responses["THROTTLED"]["statusCode"] == "429"
    assert "gatewayresponse.header.Retry-After" in responses["THROTTLED"]["responseParameters"]


def test_every_log_group_including_api_gateways_own_has_retention_and_encryption() -> None:
    groups = {lid: RESOURCES.properties(lid) for lid in RESOURCES.logical_ids("AWS::Logs::LogGroup")}
    names = [str(RESOURCES.resolve(props.get("LogGroupName", ""))) for props in groups.values()]
    assert any(name.startswith("API-Gateway-Execution-Logs_") for name in names)
    for lid, props in groups.items():
        assert "RetentionInDays" in props, lid
        assert "KmsKeyId" in props, lid
