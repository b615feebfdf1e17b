"""Production properties of template.yaml that ops rely on (beyond what cfn-lint and checkov judge)."""

from __future__ import annotations

import copy
import json
import re
import tomllib
from typing import Any

import boto3
from inquiries.care.levels import LevelReason
from inquiries.record import Language

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
        if props.get("Namespace") == namespace and props.get("MetricName") == metric
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
    assert sorted(dlqs) == ["AuditArchiveDLQ", "CareTeamDLQ", "ConfirmationDLQ", "PublishEventsDLQ",
                            "WebhookDeliveryDLQ"]
    depth = alarm_targets("AWS/SQS", "ApproximateNumberOfMessagesVisible")
    assert sorted(d["Fn::GetAtt"][0] for d in depth) == sorted(dlqs)
    for metric in ("Errors", "Throttles"):
        assert sorted(d["Ref"] for d in alarm_targets("AWS/Lambda", metric)) == sorted(FUNCTIONS)
    # 4XX other than 401/403 come from the access log (tests/ops/test_alert_budget.py)
    assert {p["MetricName"] for p in ALARMS.values() if p.get("Namespace") == "AWS/ApiGateway"} == {"5XXError"}
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
    for table in ("InquiriesTable", "IdempotencyTable", "RateLimitTable", "InquiryLookupTable"):
        res = RESOURCES.resources[table]
        assert res["DeletionPolicy"] == "Retain"
        assert res["Properties"]["DeletionProtectionEnabled"] is True
        assert res["Properties"]["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True


def test_urgent_sms_subscription_takes_only_what_the_texts_budget_pages() -> None:
    # page=yes is set by delivery.urgent_texts only (urgent, within the window's budget): not priority=urgent,
    # which every crisis-worded post carries (tests/integration/test_urgent_texts.py).
    sub = RESOURCES.properties("CareTeamUrgentSmsSubscription")
    assert sub["Protocol"] == "sms"
    assert sub["FilterPolicyScope"] == "MessageAttributes"
    assert sub["FilterPolicy"] == {"page": ["yes"]}


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


# ---- production readiness (issue 12) -------------------------------------------------------------------
EXPANDED = expand()["Resources"]
RUNBOOK = ROOT / "docs" / "operations.md"


def of_type(resources: dict[str, Any], resource_type: str) -> dict[str, dict[str, Any]]:
    return {lid: res for lid, res in resources.items() if res["Type"] == resource_type}


def test_each_api_has_exactly_one_stage_the_waf_protects() -> None:
    """SAM's implicit "Stage" stage would be a second, unprotected copy of an API. There are two APIs: the
    form's and console's (InquiryApi) and the integration's (IntegrationApi, docs/integrations.md)."""
    stages = of_type(EXPANDED, "AWS::ApiGateway::Stage")
    assert sorted(stages) == ["InquiryApiStage", "IntegrationApiStage"]
    for stage in stages.values():
        assert stage["Properties"]["StageName"] == {"Ref": "Stage"}
    for lid, deployment in of_type(EXPANDED, "AWS::ApiGateway::Deployment").items():
        assert "StageName" not in deployment["Properties"], f"{lid} would create another stage"
    for api, association in (("InquiryApi", "InquiryWebAclAssociation"),
                             ("IntegrationApi", "IntegrationWebAclAssociation")):
        assert f"${{{api}.Stage}}" in RESOURCES.properties(association)["ResourceArn"]["Fn::Sub"]


def test_every_function_deploys_through_its_alias_by_canary_with_rollback_alarms() -> None:
    groups = of_type(EXPANDED, "AWS::CodeDeploy::DeploymentGroup")
    for fn in FUNCTIONS:
        alias = f"{fn}Aliaslive"
        assert EXPANDED[alias]["Type"] == "AWS::Lambda::Alias"
        group = groups[f"{fn}DeploymentGroup"]["Properties"]
        assert "Canary10Percent5Minutes" in json.dumps(group["DeploymentConfigName"])
        alarms = {a["Name"]["Ref"] for a in group["AlarmConfiguration"]["Alarms"]}
        # The function behind the integration API also rolls back on that API's 5XX answers.
        own = {"CareApiFunction": {"IntegrationApi5xxAlarm"}}.get(fn, set())
        assert alarms == {"Api5xxAlarm", "InquiryFailedAlarm", f"{fn}ErrorsAlarm", *own}
        assert "DEPLOYMENT_STOP_ON_ALARM" in group["AutoRollbackConfiguration"]["Events"]
    for lid, mapping in of_type(EXPANDED, "AWS::Lambda::EventSourceMapping").items():
        assert mapping["Properties"]["FunctionName"]["Ref"].endswith("Aliaslive"), lid
    scheduled = {"RedispatchFunctionEveryTwoMinutes": "RedispatchFunction",
                 "RemindCareTeamFunctionEveryFifteenMinutes": "RemindCareTeamFunction"}
    rules = of_type(EXPANDED, "AWS::Events::Rule")
    for lid, rule in rules.items():
        assert [t["Arn"]["Ref"] for t in rule["Properties"]["Targets"]] == [f"{scheduled[lid]}Aliaslive"], lid
    assert set(rules) == set(scheduled)
    paths = EXPANDED["InquiryApi"]["Properties"]["Body"]["paths"]
    uris = [json.dumps(op["x-amazon-apigateway-integration"]["uri"]) for ops in paths.values() for op in ops.values()]
    assert uris
    assert any("IntakeFunctionAliaslive" in uri for uri in uris)
    assert all(re.search(r"[A-Za-z]+FunctionAliaslive", uri) for uri in uris), "every route invokes an alias"


def test_the_data_key_and_every_log_group_outlive_the_stack() -> None:
    """Retained tables, backups and logs are unreadable without the key that encrypts them."""
    kept = ["DataKey", *RESOURCES.logical_ids("AWS::Logs::LogGroup")]
    assert len(kept) >= 7
    for lid in kept:
        res = RESOURCES.resources[lid]
        assert res.get("DeletionPolicy") == "Retain", lid
        assert res.get("UpdateReplacePolicy") == "Retain", lid


# CloudFormation Rules functions, evaluated as CloudFormation does, over a set of parameter values.
def evaluate_rule(expr: Any, params: dict[str, str]) -> Any:
    if isinstance(expr, dict) and len(expr) == 1:
        (fn, arg), = expr.items()
        if fn == "Ref":
            return params[arg]
        if fn == "Fn::Equals":
            return evaluate_rule(arg[0], params) == evaluate_rule(arg[1], params)
        if fn == "Fn::Not":
            return not evaluate_rule(arg[0], params)
        if fn == "Fn::And":
            return all(evaluate_rule(a, params) for a in arg)
        if fn == "Fn::Or":
            return any(evaluate_rule(a, params) for a in arg)
        if fn == "Fn::Contains":
            return evaluate_rule(arg[1], params) in [evaluate_rule(v, params) for v in arg[0]]
        raise AssertionError(f"not a Rules function: {fn}")
    return expr


def failed_assertions(params: dict[str, str]) -> list[str]:
    values = {**RESOURCES.parameter_defaults(), **params}
    failed = []
    for rule in RESOURCES.template["Rules"].values():
        if not evaluate_rule(rule["RuleCondition"], values):
            continue
        failed += [a["AssertDescription"] for a in rule["Assertions"] if not evaluate_rule(a["Assert"], values)]
    return failed


def samconfig_overrides(env: str) -> dict[str, str]:
    config = tomllib.loads((ROOT / "samconfig.toml").read_text())
    text = config[env]["deploy"]["parameters"]["parameter_overrides"]
    return dict(pair.split("=", 1) for pair in text.split())


REAL_PROD = {
    "Stage": "prod", "EnableWaf": "true", "SenderEmail": "care@clinic.test", "CareTeamReplyTo": "care@clinic.test",
    "CareTeamEmail": "intake-team@clinic.test", "AlarmEmail": "ops@clinic.test",
    "AllowedOrigins": "https://www.clinic.test", "ThankYouUrl": "https://www.clinic.test/thank-you",
    "ThankYouUrlEs": "https://www.clinic.test/es/thank-you",
}


def test_prod_with_real_values_passes_the_rules() -> None:
    assert failed_assertions(REAL_PROD) == []


def test_prod_refuses_the_placeholders_this_repository_ships() -> None:
    failed = failed_assertions(samconfig_overrides("prod"))
    for parameter in ("SenderEmail", "CareTeamReplyTo", "CareTeamEmail", "AlarmEmail", "AllowedOrigins",
                      "ThankYouUrl", "ThankYouUrlEs"):
        assert any(text.startswith(parameter + " ") for text in failed), parameter
    assert failed_assertions({**REAL_PROD, "SenderEmail": "care@example.org"}) == [
        "SenderEmail is a placeholder; set the clinic's verified sender address."]


def test_prod_refuses_to_deploy_with_nobody_to_tell_or_without_the_waf() -> None:
    assert len(failed_assertions({**REAL_PROD, "AlarmEmail": ""})) == 1
    assert len(failed_assertions({**REAL_PROD, "CareTeamEmail": ""})) == 1
    assert len(failed_assertions({**REAL_PROD, "EnableWaf": "false"})) == 1


def test_the_rules_reach_cloudformation_through_the_sam_transform() -> None:
    assert expand()["Rules"] == RESOURCES.template["Rules"]


def test_dev_may_use_placeholders() -> None:
    assert failed_assertions(samconfig_overrides("dev")) == []


def test_alarms_reach_email_and_an_optional_pager() -> None:
    subscriptions = {lid: RESOURCES.resources[lid] for lid in RESOURCES.logical_ids("AWS::SNS::Subscription")}
    to_ops = {res["Properties"]["Protocol"]: res for res in subscriptions.values()
              if res["Properties"]["TopicArn"] == {"Ref": "OpsAlarmTopic"}}
    assert set(to_ops) == {"email", "sms", "https"}
    assert to_ops["email"]["Properties"]["Endpoint"] == {"Ref": "AlarmEmail"}
    assert to_ops["sms"]["Properties"]["Endpoint"] == {"Ref": "AlarmSms"}
    assert to_ops["https"]["Properties"]["Endpoint"] == {"Ref": "AlarmHttpsEndpoint"}
    assert RESOURCES.template["Parameters"]["AlarmHttpsEndpoint"]["NoEcho"] is True


def alarm(namespace: str, metric: str, **dimensions: Any) -> dict[str, Any]:
    found = [props for props in ALARMS.values()
             if props.get("Namespace") == namespace and props.get("MetricName") == metric
             and all({"Name": k, "Value": v} in props.get("Dimensions", []) for k, v in dimensions.items())]
    assert len(found) == 1, (namespace, metric, dimensions)
    return found[0]


def test_the_silent_failures_raise_alarms() -> None:
    assert alarm("InquiryIntake", "DispatchDeferred")["Threshold"] == 1
    pending = alarm("InquiryIntake", "OldestDispatchPendingAge")
    assert pending["TreatMissingData"] == "breaching", "a redispatch that stops running must be noticed"
    for queue in ("ConfirmationQueue", "CareTeamQueue"):
        age = alarm("AWS/SQS", "ApproximateAgeOfOldestMessage", QueueName={"Fn::GetAtt": [queue, "QueueName"]})
        assert age["Threshold"] == 300
    for metric in ("ConfirmationRetried", "ConfirmationFailed", "CareTeamNotificationRetried",
                   "CareTeamNotificationFailed", "InquiryFailed"):
        assert alarm("InquiryIntake", metric)["Threshold"] == 1
    assert alarm("InquiryIntake", "CareTeamNotificationRetried")["Period"] == 60, "within minutes, not after the DLQ"
    assert alarm("AWS/SES", "Reputation.BounceRate")["Threshold"] == 0.05
    assert alarm("AWS/SES", "Reputation.ComplaintRate")["Threshold"] == 0.001
    assert not [p for p in ALARMS.values() if p.get("MetricName") in ("Bounce", "Complaint")], \
        "rates, not single bounces"
    # SMS spend: 50% and 80% of the account's limit (tests/ops/test_alert_budget.py)
    for topic in ("CareTeamTopic", "OpsAlarmTopic"):
        alarm("AWS/SNS", "NumberOfNotificationsFailed", TopicName={"Fn::GetAtt": [topic, "TopicName"]})
    assert alarm("AWS/Route53", "HealthCheckStatus", HealthCheckId={"Ref": "ApiHealthCheck"})["Threshold"] == 1


def runbook_anchors() -> set[str]:
    """GitHub's anchors for the runbook's headings."""
    anchors = set()
    for line in RUNBOOK.read_text().splitlines():
        if match := re.match(r"#{1,6} (.+)", line):
            slug = re.sub(r"[^\w\- ]", "", match.group(1).strip().lower()).replace(" ", "-")
            anchors.add(slug)
    return anchors


def test_every_alarm_names_an_existing_runbook_section() -> None:
    anchors = runbook_anchors()
    for lid, props in ALARMS.items():
        match = re.search(r"Runbook: docs/operations\.md#([\w-]+)", props["AlarmDescription"])
        assert match, f"{lid}: name its runbook section"
        assert match.group(1) in anchors, f"{lid}: no heading #{match.group(1)} in docs/operations.md"


def test_the_dashboard_shows_what_ops_watch() -> None:
    body_template = RESOURCES.properties("OperationsDashboard")["DashboardBody"]["Fn::Sub"]
    body = json.loads(RESOURCES.resolve({"Fn::Sub": body_template}))
    shown = {metric[1] for widget in body["widgets"] for metric in widget["properties"]["metrics"]
             if isinstance(metric[0], str)}  # not the math expressions (tests/ops/test_integration_ops_template.py)
    assert shown >= {
        "InquiryAccepted", "UrgentInquiry", "SpamFlagged", "DispatchDeferred", "OldestDispatchPendingAge",
        "ApproximateAgeOfOldestMessage", "ApproximateNumberOfMessagesVisible", "ConfirmationSent",
        "ConfirmationRetried", "ConfirmationFailed", "Bounce", "Complaint", "CareTeamNotified",
        "CareTeamNotificationRetried", "NumberOfNotificationsFailed", "Latency", "4XXError", "5XXError",
        "Errors", "Duration", "HealthCheckStatus", "TimeToFirstContact", "CareTeamReminded", "CareTeamEscalated",
        "TriageCorrected",
    }
    for lambda_metric in ("Errors", "Duration"):
        shown_for = {metric[3] for widget in body["widgets"] for metric in widget["properties"]["metrics"]
                     if metric[:2] == ["AWS/Lambda", lambda_metric]}
        assert shown_for == set(RESOURCES.logical_ids("AWS::Serverless::Function")), lambda_metric
    custom = [m for w in body["widgets"] for m in w["properties"]["metrics"] if m[0] == "InquiryIntake"]
    assert all(m[2:6] == ["service", "inquiry-intake", "stage", "dev"] for m in custom)


def test_the_dashboard_widgets_fit_the_grid_without_overlapping() -> None:
    body = json.loads(RESOURCES.resolve(RESOURCES.properties("OperationsDashboard")["DashboardBody"]))
    cells: dict[tuple[int, int], str] = {}
    for widget in body["widgets"]:
        title = widget["properties"]["title"]
        assert widget["x"] + widget["width"] <= 24, title
        for x in range(widget["x"], widget["x"] + widget["width"]):
            for y in range(widget["y"], widget["y"] + widget["height"]):
                assert (x, y) not in cells, f"{title} overlaps {cells[(x, y)]}"
                cells[(x, y)] = title


def test_the_dashboard_splits_triage_corrections_by_what_the_care_api_counts() -> None:
    body = json.loads(RESOURCES.resolve(RESOURCES.properties("OperationsDashboard")["DashboardBody"]))
    corrected = {tuple(m[6:-1]) for w in body["widgets"] for m in w["properties"]["metrics"]
                 if isinstance(m[0], str) and m[1] == "TriageCorrected"}
    assert corrected == {(), *(("direction", r.value) for r in LevelReason), *(("language", lang.value)
                                                                              for lang in Language)}


def test_an_external_check_gets_health_through_the_one_stage() -> None:
    config = RESOURCES.properties("ApiHealthCheck")["HealthCheckConfig"]
    assert config["Type"] == "HTTPS"
    assert config["ResourcePath"] == {"Fn::Sub": "/${Stage}/health"}
    assert "${InquiryApi}.execute-api." in config["FullyQualifiedDomainName"]["Fn::Sub"]


def test_each_environment_deploys_with_its_own_profile() -> None:
    config = tomllib.loads((ROOT / "samconfig.toml").read_text())
    profiles = {env: config[env]["global"]["parameters"]["profile"] for env in ("dev", "prod")}
    assert profiles["dev"] != profiles["prod"]


def test_confirmations_go_through_a_configuration_set_that_suppresses_hard_bounces_and_complaints() -> None:
    """Issue 18, finding 3: an address that hard-bounced (or complained) is sent nothing more, so made-up
    addresses cannot bounce twice; the rate alarm on what still bounces stays."""
    env = RESOURCES.properties("SendConfirmationFunction")["Environment"]["Variables"]
    assert env["SES_CONFIGURATION_SET"] == {"Ref": "EmailConfigurationSet"}
    suppression = RESOURCES.properties("EmailConfigurationSet")["SuppressionOptions"]
    assert sorted(suppression["SuppressedReasons"]) == ["BOUNCE", "COMPLAINT"]
    assert ALARMS["EmailBounceRateAlarm"]["MetricName"] == "Reputation.BounceRate"


def test_the_confirmation_caps_per_mailbox_and_per_domain_are_parameters() -> None:
    env = RESOURCES.properties("SendConfirmationFunction")["Environment"]["Variables"]
    assert env["CONFIRMATIONS_PER_EMAIL_PER_DAY"] == {"Ref": "ConfirmationsPerEmailPerDay"}
    assert env["CONFIRMATIONS_PER_DOMAIN_PER_DAY"] == {"Ref": "ConfirmationsPerDomainPerDay"}
    per_mailbox, per_domain = (int(RESOURCES.parameter_defaults()[p])
                               for p in ("ConfirmationsPerEmailPerDay", "ConfirmationsPerDomainPerDay"))
    assert 1 <= per_mailbox < per_domain


def test_the_local_stack_builds_the_configuration_set_with_its_suppression(aws_credentials: None) -> None:
    from moto import mock_aws

    with mock_aws():
        session = boto3.Session(region_name="us-east-1")
        assert TemplateResources().create_email_configuration_sets(session) == ["EmailConfigurationSet"]
        built = session.client("sesv2").get_configuration_set(ConfigurationSetName="EmailConfigurationSet")
    assert sorted(built["SuppressionOptions"]["SuppressedReasons"]) == ["BOUNCE", "COMPLAINT"]


def _with_parameters(**values: str) -> TemplateResources:
    """The template as deployed with these parameter values (the defaults otherwise)."""
    template = copy.deepcopy(RESOURCES.template)
    for name, value in values.items():
        template["Parameters"][name]["Default"] = value
    return TemplateResources(template)


def test_the_api_refuses_tls_older_than_1_2_on_its_own_endpoint_and_an_optional_custom_domain() -> None:
    """Issue 18, finding 10: API Gateway's default for a REST API's endpoint is TLS_1_0; the stage sets TLS_1_2."""
    assert RESOURCES.properties("InquiryApi")["SecurityPolicy"] == "TLS_1_2"
    domain = RESOURCES.resources["ApiCustomDomain"]
    assert domain["Condition"] == "ApiDomainSet"
    assert domain["Properties"]["SecurityPolicy"] == "TLS_1_2"
    assert domain["Properties"]["EndpointConfiguration"] == {"Types": ["REGIONAL"]}
    assert domain["Properties"]["RegionalCertificateArn"] == {"Ref": "ApiCertificateArn"}
    mapping = RESOURCES.resources["ApiCustomDomainMapping"]
    assert mapping["Condition"] == "ApiDomainSet"
    assert mapping["Properties"]["RestApiId"] == {"Ref": "InquiryApi"}
    assert not RESOURCES.condition("ApiDomainSet"), "off until the clinic names a domain and its certificate"
    assert _with_parameters(ApiDomainName="api.clinic.example",
                            ApiCertificateArn="arn:aws:acm:us-east-1:123456789012:certificate/x").condition(
        "ApiDomainSet")


def test_the_console_on_the_clinics_domain_is_served_with_tls_1_2_2021_and_is_the_origin_everywhere() -> None:
    """The default *.cloudfront.net certificate lets CloudFront accept TLSv1; with ConsoleDomainName and an ACM
    certificate (us-east-1) the distribution serves that name with TLSv1.2_2021, and every link, CORS origin and
    output names it."""
    named = _with_parameters(ConsoleDomainName="care.clinic.example",
                             ConsoleCertificateArn="arn:aws:acm:us-east-1:123456789012:certificate/x")
    config = named.resolve(named.properties("ConsoleDistribution")["DistributionConfig"])
    assert config["Aliases"] == ["care.clinic.example"]
    assert config["ViewerCertificate"] == {
        "AcmCertificateArn": "arn:aws:acm:us-east-1:123456789012:certificate/x", "SslSupportMethod": "sni-only",
        "MinimumProtocolVersion": "TLSv1.2_2021"}
    default = RESOURCES.resolve(RESOURCES.properties("ConsoleDistribution")["DistributionConfig"])
    assert default["ViewerCertificate"] == {"CloudFrontDefaultCertificate": "True"}
    assert "Aliases" not in default or default["Aliases"] in ("AWS::NoValue", None)
    for function, variable in (("CareApiFunction", "CONSOLE_ORIGIN"), ("NotifyCareTeamFunction", "CONSOLE_BASE_URL"),
                               ("RemindCareTeamFunction", "CONSOLE_BASE_URL")):
        assert named.function_environment(function)[variable].startswith("https://care.clinic.example"), variable
    assert named.resolve(named.template["Outputs"]["ConsoleUrl"]["Value"]) == "https://care.clinic.example/care"
    unauthorized = named.resolve(named.properties("InquiryApi")["GatewayResponses"]["UNAUTHORIZED"])
    assert unauthorized["ResponseParameters"]["Headers"]["Access-Control-Allow-Origin"] == \
        "'https://care.clinic.example'"


def test_a_custom_domain_without_its_certificate_is_refused_at_deploy() -> None:
    rules = RESOURCES.template["Rules"]
    for domain, certificate in (("ConsoleDomainName", "ConsoleCertificateArn"), ("ApiDomainName", "ApiCertificateArn")):
        [rule] = [r for r in rules.values() if r.get("RuleCondition") == {"Fn::Not": [{"Fn::Equals": [
            {"Ref": domain}, ""]}]}]
        assert {"Fn::Not": [{"Fn::Equals": [{"Ref": certificate}, ""]}]} in [a["Assert"] for a in rule["Assertions"]]
