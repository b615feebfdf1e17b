"""Issue 18, finding 4 in the template: the audit trail is written once, copied to object-locked S3 and kept
six years; the runbook records its data events. Read from the SAM-expanded template where roles matter."""

from __future__ import annotations

import re
from typing import Any

from infra.template import ROOT, TemplateResources
from tests.ops.test_least_privilege import EXPANDED, FUNCTIONS, actions, as_list, role_statements

RESOURCES = TemplateResources()
SIX_YEARS_DAYS = 6 * 365 + 1  # 45 CFR 164.316(b)(2): six years from creation (a leap day included)


def test_audit_entries_stay_in_the_table_six_years_beyond_the_inquiries() -> None:
    param = RESOURCES.template["Parameters"]["AuditRetentionDays"]
    assert int(param["Default"]) >= SIX_YEARS_DAYS and int(param["MinValue"]) >= SIX_YEARS_DAYS
    env = RESOURCES.properties("CareApiFunction")["Environment"]["Variables"]
    assert env["AUDIT_RETENTION_DAYS"] == {"Ref": "AuditRetentionDays"}
    table = RESOURCES.resources["AuditTable"]
    assert table["DeletionPolicy"] == "Retain" and table["Properties"]["DeletionProtectionEnabled"] is True


def test_the_audit_table_streams_every_new_entry() -> None:
    assert RESOURCES.properties("AuditTable")["StreamSpecification"] == {"StreamViewType": "NEW_IMAGE"}


def test_the_archive_bucket_locks_every_object_in_compliance_mode_for_six_years() -> None:
    bucket = RESOURCES.resources["AuditArchiveBucket"]
    props = bucket["Properties"]
    assert bucket["DeletionPolicy"] == "Retain"
    assert props["ObjectLockEnabled"] is True
    retention = props["ObjectLockConfiguration"]["Rule"]["DefaultRetention"]
    assert retention["Mode"] == "COMPLIANCE"
    assert int(retention.get("Years", 0)) * 365 >= 6 * 365 or int(retention.get("Days", 0)) >= SIX_YEARS_DAYS
    assert props["VersioningConfiguration"] == {"Status": "Enabled"}
    [encryption] = props["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert encryption["ServerSideEncryptionByDefault"] == {"SSEAlgorithm": "aws:kms",
                                                           "KMSMasterKeyID": {"Fn::GetAtt": ["DataKey", "Arn"]}}
    assert all(value is True for value in props["PublicAccessBlockConfiguration"].values())
    assert len(props["PublicAccessBlockConfiguration"]) == 4
    lifecycle = props.get("LifecycleConfiguration", {}).get("Rules", [])
    assert not [r for r in lifecycle if "ExpirationInDays" in r or "NoncurrentVersionExpiration" in r]


def test_the_archive_bucket_refuses_anything_but_tls() -> None:
    policy = RESOURCES.properties("AuditArchiveBucketPolicy")
    assert policy["Bucket"] == {"Ref": "AuditArchiveBucket"}
    [deny] = [s for s in policy["PolicyDocument"]["Statement"] if s["Effect"] == "Deny"]
    assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}} and deny["Action"] == "s3:*"


def test_the_archiver_reads_the_stream_with_partial_failures_and_a_failure_queue() -> None:
    [event] = RESOURCES.properties("ArchiveAuditFunction")["Events"].values()
    props = event["Properties"]
    assert event["Type"] == "DynamoDB"
    assert props["Stream"] == {"Fn::GetAtt": ["AuditTable", "StreamArn"]}
    assert props["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert props["BisectBatchOnFunctionError"] is True
    assert props["DestinationConfig"]["OnFailure"]["Destination"] == {"Fn::GetAtt": ["AuditArchiveDLQ", "Arn"]}
    alarmed = [p for p in (RESOURCES.properties(a) for a in RESOURCES.logical_ids("AWS::CloudWatch::Alarm"))
               if p.get("Dimensions", [{}])[0].get("Value") == {"Fn::GetAtt": ["AuditArchiveDLQ", "QueueName"]}]
    assert alarmed and alarmed[0]["Threshold"] == 1
    env = RESOURCES.properties("ArchiveAuditFunction")["Environment"]["Variables"]
    assert env == {"AUDIT_ARCHIVE_BUCKET": {"Ref": "AuditArchiveBucket"}}


def _archive_grants() -> list[tuple[str, str]]:
    found = []
    for function in FUNCTIONS:
        for statement in role_statements(function):
            for resource in as_list(statement["Resource"]):
                if "AuditArchiveBucket" in str(resource):
                    found += [(function, a) for a in actions(statement)]
    return found


def test_only_the_archiver_touches_the_archive_and_only_to_add_objects() -> None:
    assert _archive_grants() == [("ArchiveAuditFunction", "s3:PutObject")]


def test_no_function_can_change_or_delete_an_audit_entry() -> None:
    for function in FUNCTIONS:
        for statement in role_statements(function):
            if any("AuditTable" in str(r) for r in as_list(statement["Resource"])):
                assert set(actions(statement)) <= {"dynamodb:PutItem", "dynamodb:Query"}, function


def test_the_archivers_role_has_nothing_on_the_inquiries() -> None:
    for statement in role_statements("ArchiveAuditFunction"):
        assert not any("InquiriesTable" in str(r) for r in as_list(statement["Resource"]))
    role: dict[str, Any] = EXPANDED["ArchiveAuditFunctionRole"]["Properties"]
    assert role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {"Service": ["lambda.amazonaws.com"]}


def test_the_runbook_records_data_events_on_the_audit_table_and_the_archive_bucket() -> None:
    text = (ROOT / "docs" / "operations.md").read_text(encoding="utf-8")
    selectors = re.search(r"aws cloudtrail put-event-selectors .*?```", text, re.S)
    assert selectors, "the put-event-selectors command"
    command = selectors.group(0)
    for needed in ("table/INQUIRIES_TABLE_NAME", "table/AUDIT_TABLE_NAME", "AWS::S3::Object",
                   "arn:aws:s3:::AUDIT_ARCHIVE_BUCKET_NAME/"):
        assert needed in command, needed


def test_the_runbook_says_how_to_answer_who_saw_this_persons_record() -> None:
    text = (ROOT / "docs" / "operations.md").read_text(encoding="utf-8")
    section = text.split("### Who saw this person's record", 1)
    assert len(section) == 2, "a section for the auditor's question"
    body = section[1].split("\n## ", 1)[0]
    for needed in ("InquiryIndex", "inquiry_ids", "AuditArchiveBucket", "audit_read"):
        assert needed in body, needed
