"""Issue 11, findings 9 and 10 in the template: least privilege, key policy conditions, short-lived IPs.

Read from the SAM-expanded template (what CloudFormation deploys), so SAM's policy templates count too.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from infra.expand_template import expand
from infra.template import TemplateResources
from tests.support.stack import Stack

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
    # The care queue's BatchGetItem is granted only for a projection of its own attributes (below).
    # PublishEventsFunction lists the webhook destinations (ids, URLs, secret ARNs: no PHI) with a Scan.
    granted = {a for s in role_statements(function) for a in actions(s)
               if not (function == "CareApiFunction" and a == "dynamodb:BatchGetItem"
                       and "dynamodb:Attributes" in s.get("Condition", {}).get("ForAllValues:StringEquals", {}))
               and not (a == "dynamodb:Scan"
                        and as_list(s["Resource"]) == [{"Fn::GetAtt": ["WebhookDestinationsTable", "Arn"]}])
               and not (function == "RightsApiFunction" and a == "dynamodb:Scan" and _erasure_scan(s))}
    assert not granted & PHI_READS_NOT_NEEDED, function


def _erasure_scan(statement: dict[str, Any]) -> bool:
    """Erasure's one Scan: the idempotency and rate-limit tables only (keyed by request or hash, not by person),
    for a projection of their keys, the guard's inquiry id, the stored response and a counter's members (inquiry
    ids) - never whole items."""
    condition = statement.get("Condition", {})
    return (actions(statement) == ["dynamodb:Scan"]
            and {_logical(r) for r in as_list(statement["Resource"])} == {"IdempotencyTable", "RateLimitTable"}
            and set(condition.get("ForAllValues:StringEquals", {}).get("dynamodb:Attributes", []))
            == {"id", "inquiry_id", "data", "members"}
            and condition.get("StringEquals", {}).get("dynamodb:Select") == "SPECIFIC_ATTRIBUTES")


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
    readers = {f for f in FUNCTIONS for s in role_statements(f) if "secretsmanager:GetSecretValue" in actions(s)
               and {"Ref": "PepperSecret"} in as_list(s["Resource"])}
    # CareApiFunction signs the list cursor with it (a forged or oversized cursor is a 422, never a 503);
    # RightsApiFunction keys the email or phone a person's rights request names.
    assert readers == {"IntakeFunction", "SendConfirmationFunction", "CareApiFunction", "RightsApiFunction"}


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


# ---- issue 18, finding 9: nothing granted that is not used ---------------------------------------------------
FUNCTIONS_DIR = Path(__file__).resolve().parents[2] / "functions" / "inquiries"


def test_the_care_api_is_not_granted_condition_checks_it_never_makes() -> None:
    granted = {a for s in role_statements("CareApiFunction") for a in actions(s) if a.startswith("dynamodb:")}
    assert "dynamodb:ConditionCheckItem" not in granted
    code = "\n".join(p.read_text(encoding="utf-8") for p in FUNCTIONS_DIR.rglob("*.py"))
    assert "ConditionCheck" not in code, "a transaction with a ConditionCheck needs dynamodb:ConditionCheckItem"


def _logical(resource: Any) -> str:
    """``InquiriesTable`` or ``InquiriesTable/index/StatusIndex`` for a template ARN expression."""
    if isinstance(resource, dict) and "Fn::GetAtt" in resource:
        return str(resource["Fn::GetAtt"][0])
    if isinstance(resource, dict) and "Fn::Sub" in resource and isinstance(resource["Fn::Sub"], str):
        match = re.fullmatch(r"\$\{(\w+)\.Arn\}(/index/\w+)?", resource["Fn::Sub"])
        if match:
            return match.group(1) + (match.group(2) or "")
    return json.dumps(resource)


REMINDER_ATTRIBUTES = {"inquiry_id", "status", "last_reminded_at"}
# What a reminder shows (inquiry.care.reminders.render_reminder) and the index's keys: never name, email, phone.
REMINDER_READS = {"inquiry_id", "status", "created_at", "due_at", "urgent", "topic", "preferred_contact"}


def test_the_reminders_may_update_only_the_reminder_marker_and_read_only_what_a_reminder_shows() -> None:
    statements = role_statements("RemindCareTeamFunction")
    [update] = [s for s in statements if "dynamodb:UpdateItem" in actions(s)
                and _logical(s["Resource"]) == "InquiriesTable"]
    condition = update["Condition"]
    assert set(condition["ForAllValues:StringEquals"]["dynamodb:Attributes"]) == REMINDER_ATTRIBUTES
    # ALL_OLD / ALL_NEW would return the whole item, PHI included (AWS's fine-grained access control guide).
    assert set(condition["StringEquals"]["dynamodb:ReturnValues"]) <= {"NONE", "UPDATED_OLD", "UPDATED_NEW"}
    [query] = [s for s in statements if "dynamodb:Query" in actions(s)
               and _logical(s["Resource"]) == "InquiriesTable/index/StatusIndex"]
    assert set(query["Condition"]["ForAllValues:StringEquals"]["dynamodb:Attributes"]) == REMINDER_READS
    assert "ALL_PROJECTED_ATTRIBUTES" not in as_list(query["Condition"]["StringEquals"]["dynamodb:Select"])
    assert set(as_list(query["Condition"]["StringEquals"]["dynamodb:Select"])) <= {"SPECIFIC_ATTRIBUTES", "COUNT"}


_NOT_ATTRIBUTES = {"SET", "REMOVE", "ADD", "DELETE", "AND", "OR", "NOT", "BETWEEN", "IN", "attribute_exists",
                   "attribute_not_exists", "attribute_type", "begins_with", "contains", "size", "if_not_exists",
                   "list_append"}
_EXPRESSIONS = ("UpdateExpression", "ConditionExpression", "KeyConditionExpression", "FilterExpression",
                "ProjectionExpression")


def request_attributes(params: dict[str, Any]) -> set[str]:
    """The top-level attribute names a DynamoDB request names (what IAM's ``dynamodb:Attributes`` holds)."""
    names = params.get("ExpressionAttributeNames", {})
    found = set(params.get("Key", {}))
    for field in _EXPRESSIONS:
        for token in re.findall(r"(?<![:\w#.])#?[A-Za-z_]\w*", params.get(field, "")):
            if token not in _NOT_ATTRIBUTES:
                found.add(names.get(token, token))
    return found


def request_context(operation: str, params: dict[str, Any]) -> dict[str, list[str]]:
    """The condition keys IAM evaluates for one request (only those this project's policies use)."""
    context = {"dynamodb:Attributes": sorted(request_attributes(params))}
    if operation in ("Query", "Scan", "GetItem", "BatchGetItem"):
        default = "SPECIFIC_ATTRIBUTES" if "ProjectionExpression" in params else "ALL_ATTRIBUTES"
        context["dynamodb:Select"] = [params.get("Select", default)]
    if operation in ("UpdateItem", "PutItem", "DeleteItem"):
        context["dynamodb:ReturnValues"] = [params.get("ReturnValues", "NONE")]
    return context


def condition_holds(condition: dict[str, dict[str, Any]], context: dict[str, list[str]]) -> bool:
    for operator, block in condition.items():
        for key, allowed in block.items():
            allowed_values, values = set(as_list(allowed)), context.get(key)
            if operator == "ForAllValues:StringEquals":
                ok = values is None or set(values) <= allowed_values
            elif operator == "StringEquals":
                ok = values is not None and bool(set(values) & allowed_values)
            elif operator == "StringEqualsIfExists":
                ok = values is None or bool(set(values) & allowed_values)
            else:
                raise AssertionError(f"no evaluator for {operator}: extend request_context/condition_holds")
            if not ok:
                return False
    return True


def allowed(function: str, operation: str, resource: str, params: dict[str, Any]) -> bool:
    context = request_context(operation, params)
    return any(f"dynamodb:{operation}" in actions(s) and resource in [_logical(r) for r in as_list(s["Resource"])]
               and condition_holds(s.get("Condition", {}), context) for s in role_statements(function))


def test_the_request_evaluator_refuses_what_the_reminder_policy_refuses() -> None:
    """The evaluator below is only worth what it refuses: a write of the name, and a read of every projected
    attribute, are denied by the reminders' policy."""
    write_name = {"Key": {"inquiry_id": {}}, "UpdateExpression": "SET #n = :v", "ExpressionAttributeNames": {
        "#n": "name"}}
    assert not allowed("RemindCareTeamFunction", "UpdateItem", "InquiriesTable", write_name)
    whole_item = {"Key": {"inquiry_id": {}}, "UpdateExpression": "SET last_reminded_at = :v", "ReturnValues": "ALL_NEW"}
    assert not allowed("RemindCareTeamFunction", "UpdateItem", "InquiriesTable", whole_item)
    everything = {"KeyConditionExpression": "#s = :new", "ExpressionAttributeNames": {"#s": "status"}}
    assert not allowed("RemindCareTeamFunction", "Query", "InquiriesTable/index/StatusIndex", everything)


def test_every_request_the_reminders_make_is_allowed_by_their_policy(stack: Stack) -> None:
    """moto does not enforce IAM: each DynamoDB request of a reminder run (normal, urgent, a failed publish
    undone) is checked against the function's statements, conditions included, as IAM would check it."""
    from inquiries import aws
    from inquiries.care.reminders import remind_care_team
    from inquiries.data.items import iso
    from inquiries.settings import RemindCareTeamSettings

    from tests.support.consumers import put_inquiry

    due = datetime(2026, 3, 10, 17, 0, tzinfo=UTC)
    for urgent in (False, True):
        put_inquiry(created_at=iso(due - timedelta(days=1)), due_at=iso(due), version=1, urgent=urgent)
    requests: list[tuple[str, dict[str, Any]]] = []

    def record(params: dict[str, Any], model: Any, **_: Any) -> None:
        requests.append((model.name, dict(params)))

    real_topic = stack.url("CareTeamTopic")
    stack.configure(CARE_TEAM_TOPIC_ARN=real_topic + "-gone")  # the publish fails: the claim is undone
    aws.dynamodb().meta.events.register("provide-client-params.dynamodb", record)
    assert remind_care_team(RemindCareTeamSettings.from_environ(), clock=lambda: due + timedelta(minutes=1)).failed
    stack.configure(CARE_TEAM_TOPIC_ARN=real_topic)
    aws.dynamodb().meta.events.register("provide-client-params.dynamodb", record)
    summary = remind_care_team(RemindCareTeamSettings.from_environ(), clock=lambda: due + timedelta(minutes=2))
    assert (summary.reminded, summary.escalated) == (2, 1)

    operations = {operation for operation, _ in requests}
    assert {"Query", "UpdateItem"} <= operations
    for operation, params in requests:
        table = str(params["TableName"]) + (f"/index/{params['IndexName']}" if "IndexName" in params else "")
        assert allowed("RemindCareTeamFunction", operation, table, params), (operation, table, params)


# Services that call KMS with the DataKey on a function's behalf, and the actions that make them do it.
KEY_USERS = {"dynamodb": "dynamodb", "sqs": "sqs", "sns": "sns", "secretsmanager": "secretsmanager", "s3": "s3"}


def via_services(function: str) -> set[str]:
    """The services each UseDataKey grant of ``function`` is limited to (``kms:ViaService``), by service name."""
    found: set[str] = set()
    grants = [s for s in role_statements(function) if any(a.startswith("kms:") for a in actions(s))]
    assert grants, function
    for statement in grants:
        via = statement.get("Condition", {}).get("StringEquals", {}).get("kms:ViaService")
        assert via, f"{function} {statement.get('Sid')}: the data key only through the services that use it"
        for value in as_list(via):
            text = value["Fn::Sub"] if isinstance(value, dict) else value
            match = re.fullmatch(r"(\w+)\.\$\{AWS::Region\}\.amazonaws\.com", str(text))
            assert match, text
            found.add(match.group(1))
    return found


def services_that_use_the_key(function: str) -> set[str]:
    """What the function reaches that is encrypted with the data key: its tables (and their streams), queues
    (sent to, or polled by its event source), topics, buckets and the pepper secret; and Lambda, which decrypts
    its environment."""
    used = {"lambda"}
    for statement in role_statements(function):
        for action in actions(statement):
            service = action.split(":", 1)[0]
            if service in KEY_USERS:
                used.add(KEY_USERS[service])
    events = RESOURCES.properties(function).get("Events", {})
    polled = {"SQS": "sqs", "DynamoDB": "dynamodb"}
    used |= {polled[event["Type"]] for event in events.values() if event["Type"] in polled}
    return used


@pytest.mark.parametrize("function", FUNCTIONS)
def test_each_function_may_use_the_data_key_only_through_the_services_it_calls(function: str) -> None:
    assert via_services(function) == services_that_use_the_key(function)


def test_every_request_the_queue_makes_is_allowed_by_the_care_api_policy(stack: Stack) -> None:
    """Each DynamoDB request of a queue answer and a status list (index reads, counts, the batch reads of the
    shown inquiries) is checked against CareApiFunction's statements, conditions included; a batch read of
    whole items is not."""
    from inquiries import aws

    from tests.support.care import CARE_MEMBER, care_request
    from tests.support.consumers import put_inquiry

    put_inquiry()
    put_inquiry(status="attempting")
    requests: list[tuple[str, dict[str, Any]]] = []

    def record(params: dict[str, Any], model: Any, **_: Any) -> None:
        requests.append((model.name, dict(params)))

    aws.dynamodb().meta.events.register("provide-client-params.dynamodb", record)
    assert care_request(stack, "GET", "/care/queue", claims=CARE_MEMBER)["statusCode"] == 200
    # A status list reads each row's attempts beside the index the same way.
    assert care_request(stack, "GET", "/care/inquiries", claims=CARE_MEMBER,
                        query={"status": "attempting"})["statusCode"] == 200

    assert {"Query", "BatchGetItem"} <= {operation for operation, _ in requests}
    for operation, params in requests:
        if operation == "BatchGetItem":
            [(table, params)] = params["RequestItems"].items()
            params = {**params, "TableName": table}
        if operation == "TransactWriteItems":
            continue  # the audit entry: a PutItem of AuditTable (tests/ops/test_care_template.py)
        resource = str(params["TableName"]) + (f"/index/{params['IndexName']}" if "IndexName" in params else "")
        if resource.startswith("AuditTable"):
            continue
        assert allowed("CareApiFunction", operation, resource, params), (operation, resource, params)
    whole = {"Keys": [{"inquiry_id": {"S": "x"}}]}
    assert not allowed("CareApiFunction", "BatchGetItem", "InquiriesTable", whole)


# ---- issue 19: the lookup table, search and the care team ---------------------------------------------------
def _grants_on(resource: str) -> dict[str, set[str]]:
    """Each function's actions on one resource (a table, or ``Table/index/Name``)."""
    found: dict[str, set[str]] = {}
    for function in FUNCTIONS:
        for statement in role_statements(function):
            if resource in [_logical(r) for r in as_list(statement["Resource"])]:
                found.setdefault(function, set()).update(actions(statement))
    return found


def test_only_intake_writes_lookup_items_and_only_the_care_api_reads_them_or_moves_their_ttl() -> None:
    assert _grants_on("InquiryLookupTable") == {"IntakeFunction": {"dynamodb:PutItem"},
                                                "CareApiFunction": {"dynamodb:Query", "dynamodb:UpdateItem"},
                                                # Erasure: a person's inquiries by phone, and their items deleted.
                                                "RightsApiFunction": {"dynamodb:Query", "dynamodb:GetItem",
                                                                      "dynamodb:DeleteItem"}}
    assert _grants_on("InquiriesTable/index/EmailHashIndex") == {"CareApiFunction": {"dynamodb:Query"},
                                                                 "RightsApiFunction": {"dynamodb:Query"}}


def test_the_care_api_may_change_nothing_of_a_lookup_item_but_its_ttl() -> None:
    key: dict[str, Any] = {"lookup_key": {}, "inquiry_id": {}}
    ttl = {"Key": key, "UpdateExpression": "SET #ttl = :ttl", "ConditionExpression": "attribute_exists(inquiry_id)",
           "ExpressionAttributeNames": {"#ttl": "ttl"}}
    other = {"Key": key, "UpdateExpression": "SET #ttl = :ttl, #n = :n",
             "ExpressionAttributeNames": {"#ttl": "ttl", "#n": "name"}}
    assert allowed("CareApiFunction", "UpdateItem", "InquiryLookupTable", ttl)
    assert not allowed("CareApiFunction", "UpdateItem", "InquiryLookupTable", other)
    assert not allowed("CareApiFunction", "PutItem", "InquiryLookupTable", {"Item": key})


_TRANSACTION_ACTIONS = {"Put": "PutItem", "Update": "UpdateItem", "Delete": "DeleteItem",
                        "ConditionCheck": "ConditionCheckItem"}


def _as_iam_sees(operation: str, params: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """(action, resource, params) as IAM authorises a request: a transaction item by item."""
    if operation == "TransactWriteItems":
        return [(_TRANSACTION_ACTIONS[kind], str(body["TableName"]), body)
                for item in params["TransactItems"] for kind, body in item.items()]
    table = str(params["TableName"]) + (f"/index/{params['IndexName']}" if "IndexName" in params else "")
    return [(operation, table, params)]


def test_every_request_of_intake_search_reads_and_a_release_is_allowed_by_the_policies(stack: Stack) -> None:
    """moto does not enforce IAM: each DynamoDB request intake and the care API make while an inquiry is stored,
    searched for in every way, read by reference (with its related inquiries) and released from spam is checked
    against the function's statements, conditions included."""
    from inquiries import aws

    from tests.support.care import CARE_MEMBER, care_request
    from tests.support.events import json_post, response_json
    from tests.support.phi import distinctive_inquiry

    requests: list[tuple[str, dict[str, Any]]] = []

    def record(params: dict[str, Any], model: Any, **_: Any) -> None:
        requests.append((model.name, dict(params)))

    aws.dynamodb().meta.events.register("provide-client-params.dynamodb", record)
    submitted = distinctive_inquiry(name="Policy Person", email="policy.person@example.com")
    first = response_json(stack.intake(json_post(submitted)))["inquiry_id"]
    spam = response_json(stack.intake(json_post({**submitted, "website": "http://bot.example"})))["inquiry_id"]
    intake_requests, requests[:] = list(requests), []
    for q in (f"INQ-{first[-8:]}", "policy.person@example.com", str(submitted["phone"]), "policy person"):
        assert care_request(stack, "GET", "/care/search", claims=CARE_MEMBER, query={"q": q})["statusCode"] == 200
    assert care_request(stack, "GET", f"/care/inquiries/INQ-{first[-8:]}", claims=CARE_MEMBER)["statusCode"] == 200
    released = care_request(stack, "PATCH", f"/care/inquiries/{spam}", claims=CARE_MEMBER, body={"status": "new"},
                            headers={"If-Match": "1"})
    assert released["statusCode"] == 200

    for function, made in (("IntakeFunction", intake_requests), ("CareApiFunction", requests)):
        checked = [seen for operation, params in made for seen in _as_iam_sees(operation, params)]
        assert {resource for _action, resource, _params in checked} >= (
            {"InquiryLookupTable"} if function == "IntakeFunction"
            else {"InquiryLookupTable", "InquiriesTable/index/EmailHashIndex"})
        for action, resource, params in checked:
            assert allowed(function, action, resource, params), (function, action, resource, params)


def test_the_lookup_table_is_encrypted_recoverable_retained_and_expires_with_its_inquiries() -> None:
    table = RESOURCES.resources["InquiryLookupTable"]
    props = table["Properties"]
    assert table["DeletionPolicy"] == table["UpdateReplacePolicy"] == "Retain"
    assert props["DeletionProtectionEnabled"] is True
    assert props["SSESpecification"]["KMSMasterKeyId"] == {"Ref": "DataKey"}
    assert props["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True
    assert props["TimeToLiveSpecification"] == {"AttributeName": "ttl", "Enabled": True}
    assert [k["AttributeName"] for k in props["KeySchema"]] == ["lookup_key", "inquiry_id"]
    assert "GlobalSecondaryIndexes" not in props


def test_the_webhook_sender_reads_only_destination_secrets_and_never_a_phi_table() -> None:
    statements = role_statements("DeliverWebhookFunction")
    secrets = [s for s in statements if "secretsmanager:GetSecretValue" in actions(s)]
    assert [RESOURCES.resolve(s["Resource"]) for s in secrets] == [
        "arn:aws:secretsmanager:us-east-1:123456789012:secret:inquiry-intake/dev/webhooks/*"]
    tables = {str(r) for s in statements for r in as_list(s["Resource"]) if "dynamodb:GetItem" in actions(s)}
    assert tables == {str({"Fn::GetAtt": ["WebhookDestinationsTable", "Arn"]})}
    assert "sqs:ChangeMessageVisibility" in {a for s in statements for a in actions(s)}


def test_the_event_publisher_reads_no_inquiry_by_key_and_puts_only_on_its_own_bus() -> None:
    statements = role_statements("PublishEventsFunction")
    granted = {a for s in statements for a in actions(s)}
    assert not granted & {"dynamodb:GetItem", "dynamodb:UpdateItem"}
    # Query and DeleteItem only on its own event log (an erasure removes the erased inquiry's earlier events).
    reads_or_deletes = [s for s in statements if set(actions(s)) & {"dynamodb:Query", "dynamodb:DeleteItem"}]
    assert [s["Resource"] for s in reads_or_deletes] == [{"Fn::GetAtt": ["InquiryEventLogTable", "Arn"]}]
    [put] = [s for s in statements if "events:PutEvents" in actions(s)]
    assert put["Resource"] == {"Fn::GetAtt": ["InquiryEventBus", "Arn"]}
