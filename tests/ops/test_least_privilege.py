"""Issue 11, findings 9 and 10 in the template: least privilege, key policy conditions, short-lived IPs.

Read from the SAM-expanded template (what CloudFormation deploys), so SAM's policy templates count too.
"""

from __future__ import annotations

from typing import Any

import pytest

from infra.expand_template import expand
from infra.template import TemplateResources

RESOURCES = TemplateResources()
EXPANDED = expand()["Resources"]
# Services whose actions read or write data (PHI, keys, secrets, messages).
DATA_SERVICES = ("dynamodb", "sqs", "sns", "ses", "kms", "secretsmanager", "ssm", "s3", "logs")
PHI_READS_NOT_NEEDED = {"dynamodb:Scan", "dynamodb:BatchGetItem", "dynamodb:PartiQLSelect", "dynamodb:*"}


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def role_statements(function: str) -> list[dict[str, Any]]:
    """Every Allow statement of a function's execution role (inline policies, SAM templates expanded, both
    branches of a conditional policy)."""
    role = EXPANDED[f"{function}Role"]["Properties"]
    policies = []
    for policy in role.get("Policies", []):
        if "Fn::If" in policy:
            policies += [branch for branch in policy["Fn::If"][1:] if isinstance(branch, dict) and
                         "PolicyDocument" in branch]
        else:
            policies.append(policy)
    return [statement for policy in policies for statement in as_list(policy["PolicyDocument"]["Statement"])
            if statement.get("Effect") == "Allow"]


def actions(statement: dict[str, Any]) -> list[str]:
    return [str(a) for a in as_list(statement["Action"])]


FUNCTIONS = RESOURCES.logical_ids("AWS::Serverless::Function")


def wildcard_data_grants(statements: list[dict[str, Any]]) -> list[list[str]]:
    """The data actions of every statement that grants them on every resource (``*``)."""
    found = []
    for statement in statements:
        data_actions = [a for a in actions(statement) if a.split(":", 1)[0] in DATA_SERVICES]
        if data_actions and "*" in as_list(statement["Resource"]):
            found.append(data_actions)
    return found


@pytest.mark.parametrize("function", FUNCTIONS)
def test_no_data_action_of_any_function_is_granted_on_every_resource(function: str) -> None:
    assert wildcard_data_grants(role_statements(function)) == [], function


def test_the_star_resource_check_would_catch_a_wildcard_grant() -> None:
    """The check above, on a statement shaped like the one issue 11 found (ses:SendEmail on every identity)."""
    bad = {"Effect": "Allow", "Action": ["ses:SendEmail"], "Resource": "*"}
    scoped = {"Effect": "Allow", "Action": ["ses:SendEmail"], "Resource": "arn:aws:ses:us-east-1:1:identity/x"}
    assert wildcard_data_grants([scoped, bad]) == [["ses:SendEmail"]]


@pytest.mark.parametrize("function", FUNCTIONS)
def test_no_function_can_scan_or_batch_read_the_phi_tables(function: str) -> None:
    granted = {a for s in role_statements(function) for a in actions(s)}
    assert not granted & PHI_READS_NOT_NEEDED, function


def test_intake_reads_only_single_items() -> None:
    granted = {a for s in role_statements("IntakeFunction") for a in actions(s) if a.startswith("dynamodb:")}
    assert granted == {"dynamodb:PutItem", "dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"}


def test_sending_email_is_limited_to_the_sender_identity_and_the_configuration_set() -> None:
    [statement] = [s for s in role_statements("SendConfirmationFunction") if "ses:SendEmail" in actions(s)]
    resources = RESOURCES.resolve(as_list(statement["Resource"]))
    sender = RESOURCES.parameter_defaults()["SenderEmail"]
    domain = sender.split("@", 1)[1]
    assert sorted(r.rsplit(":", 1)[1] for r in resources) == sorted(
        [f"identity/{sender}", f"identity/{domain}", "configuration-set/EmailConfigurationSet"])
    assert not any(r.endswith("*") for r in resources)


def test_only_the_functions_that_hash_personal_values_or_sign_cursors_read_the_pepper() -> None:
    readers = {f for f in FUNCTIONS for s in role_statements(f) if "secretsmanager:GetSecretValue" in actions(s)}
    # CareApiFunction signs the list cursor with it (a forged or oversized cursor is a 422, never a 503).
    assert readers == {"IntakeFunction", "SendConfirmationFunction", "CareApiFunction"}


def test_every_service_may_use_the_data_key_only_for_this_accounts_resources() -> None:
    policy = RESOURCES.properties("DataKey")["KeyPolicy"]["Statement"]
    services = [s for s in policy if "Service" in s["Principal"]]
    assert len(services) >= 4
    for statement in services:
        condition = statement.get("Condition", {})
        keys = {key for block in condition.values() for key in block}
        assert keys & {"aws:SourceAccount", "aws:SourceArn", "kms:EncryptionContext:aws:logs:arn"}, statement["Sid"]


def test_the_pepper_is_encrypted_with_the_data_key_and_outlives_the_stack() -> None:
    secret = RESOURCES.resources["PepperSecret"]
    assert secret["DeletionPolicy"] == "Retain"
    assert secret["Properties"]["KmsKeyId"] == {"Ref": "DataKey"}
    assert int(secret["Properties"]["GenerateSecretString"]["PasswordLength"]) >= 32


def test_access_logs_keep_the_client_ip_no_longer_than_thirty_days() -> None:
    """Shorter than any inquiry's retention (at least a day... and 365 by default): no IP outlives its record."""
    assert RESOURCES.properties("ApiAccessLogGroup")["RetentionInDays"] == 30


def test_access_log_lines_say_nothing_that_tells_an_urgent_answer_apart() -> None:
    access = RESOURCES.properties("InquiryApi")["AccessLogSetting"]["Format"]
    assert "responseLength" not in access
    assert "$context.identity.sourceIp" in access  # the abuse trail, for thirty days
