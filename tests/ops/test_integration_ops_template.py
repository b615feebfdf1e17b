"""Ops coverage of the integration side: IntegrationApi's 5XX alarm, the webhook deliveries on the dashboard,
and OpsRecoveryTopic's own delivery-failed alarm (the gaps issues 21/22 left noted)."""

from __future__ import annotations

import json
from typing import Any

from infra.template import TemplateResources

RESOURCES = TemplateResources()
ALARMS = {lid: RESOURCES.properties(lid) for lid in RESOURCES.logical_ids("AWS::CloudWatch::Alarm")}
INTEGRATION_API_NAME = {"Fn::Sub": "${AWS::StackName}-integration-api"}


def the_alarm(namespace: str, metric: str, **dimensions: Any) -> tuple[str, dict[str, Any]]:
    found = [(lid, props) for lid, props in ALARMS.items()
             if props.get("Namespace") == namespace and props.get("MetricName") == metric
             and all({"Name": k, "Value": v} in props.get("Dimensions", []) for k, v in dimensions.items())]
    assert len(found) == 1, (namespace, metric, dimensions, [lid for lid, _ in found])
    return found[0]


def dashboard() -> list[dict[str, Any]]:
    body = json.loads(RESOURCES.resolve(RESOURCES.properties("OperationsDashboard")["DashboardBody"]))
    widgets: list[dict[str, Any]] = body["widgets"]
    return widgets


def test_the_integration_api_answering_5xx_pages_ops_like_the_public_api() -> None:
    lid, props = the_alarm("AWS/ApiGateway", "5XXError", ApiName=INTEGRATION_API_NAME, Stage={"Ref": "Stage"})
    _public, public = the_alarm("AWS/ApiGateway", "5XXError", ApiName={"Fn::Sub": "${AWS::StackName}-api"})
    for key in ("Statistic", "Period", "EvaluationPeriods", "Threshold", "ComparisonOperator", "TreatMissingData",
                "AlarmActions", "OKActions"):
        assert props[key] == public[key], (lid, key)
    assert "docs/operations.md#integration-api-5xx" in props["AlarmDescription"]
    # The API's name is what the alarm's dimension must match.
    assert RESOURCES.properties("IntegrationApi")["Name"] == INTEGRATION_API_NAME


def test_the_recovery_topic_failing_to_deliver_raises_an_alarm() -> None:
    _lid, props = the_alarm("AWS/SNS", "NumberOfNotificationsFailed",
                            TopicName={"Fn::GetAtt": ["OpsRecoveryTopic", "TopicName"]})
    assert props["Threshold"] == 1
    assert props["AlarmActions"] == [{"Ref": "OpsAlarmTopic"}]


def test_the_dashboard_shows_webhook_deliveries_their_dlq_and_the_integration_api() -> None:
    stage = RESOURCES.resolve({"Ref": "Stage"})
    entries = [m for w in dashboard() for m in w["properties"]["metrics"]]
    expressions = " ".join(e["expression"] for m in entries for e in m if isinstance(e, dict) and "expression" in e)
    for metric in ("WebhookDelivered", "WebhookFailed", "WebhookExhausted"):
        # Per destination (the dimension the function adds), summed over every destination ops added.
        assert (f"{{InquiryIntake,destination,service,stage}} MetricName=\"{metric}\" service=\"inquiry-intake\" "
                f"stage=\"{stage}\"") in expressions, metric
    plain = [m for m in entries if isinstance(m[0], str)]
    dlq = RESOURCES.resolve({"Fn::GetAtt": ["WebhookDeliveryDLQ", "QueueName"]})
    assert ["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", dlq] in [m[:4] for m in plain]
    api = RESOURCES.resolve(INTEGRATION_API_NAME)
    for metric in ("4XXError", "5XXError"):
        assert ["AWS/ApiGateway", metric, "ApiName", api, "Stage", stage] in [m[:6] for m in plain], metric
