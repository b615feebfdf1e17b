"""Erasure on request (infra.erase) against tables built from template.yaml under moto."""

from __future__ import annotations

import hashlib
import io
import json
import logging
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import boto3
import pytest
from inquiries.models import InvalidEmailAddress
from moto import mock_aws

from infra import erase as erase_module
from infra.erase import Tables, erase
from infra.template import TemplateResources
from tests.support.events import json_post
from tests.support.stack import Stack

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.client import DynamoDBClient

PERSON = "Ana.Person@Example.COM"
OTHER = "someone.else@example.org"
LATER = {"expiration": {"N": "1999999999"}}
A1, A2, B1 = "01JAAAAAAAAAAAAAAAAAAAAAA1", "01JAAAAAAAAAAAAAAAAAAAAAA2", "01JBBBBBBBBBBBBBBBBBBBBBB1"


def sha(email: str) -> str:
    """The hash the intake writes, computed independently of the code under test."""
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()


def put_inquiry(ddb: DynamoDBClient, inquiry_id: str, email: str) -> None:
    ddb.put_item(TableName="InquiriesTable", Item={
        "inquiry_id": {"S": inquiry_id}, "created_at": {"S": "2025-01-02T03:04:05Z"}, "status": {"S": "new"},
        "name": {"S": "A Person"}, "email": {"S": email}, "email_hash": {"S": sha(email)},
        "phone": {"S": "+15555550100"}, "preferred_contact": {"S": "email"}, "topic": {"S": "anxiety"},
        "message": {"S": "private words"}, "consent_to_contact": {"BOOL": True}, "urgent": {"BOOL": False},
        "spam": {"BOOL": False}, "ttl": {"N": "1999999999"},
    })


def put(ddb: DynamoDBClient, table: str, item: dict[str, Any]) -> None:
    ddb.put_item(TableName=table, Item=item)


def ids(ddb: DynamoDBClient, table: str, key: str) -> set[str]:
    return {item[key]["S"] for item in ddb.scan(TableName=table)["Items"]}


@pytest.fixture
def ddb(aws_credentials: None) -> Iterator[DynamoDBClient]:
    with mock_aws():
        TemplateResources(region="us-east-1").create_all()
        client = boto3.client("dynamodb", region_name="us-east-1")
        put_inquiry(client, A1, PERSON)
        put_inquiry(client, A2, PERSON.lower())
        put_inquiry(client, B1, OTHER)
        idem = "IdempotencyTable"
        # Powertools records: the stored response body names the inquiry.
        put(client, idem, {"id": {"S": "intake#key-a1"}, "status": {"S": "COMPLETED"}, **LATER,
                           "data": {"S": json.dumps({"inquiry_id": A1, "urgent": False})}})
        put(client, idem, {"id": {"S": "intake#key-b1"}, "status": {"S": "COMPLETED"}, **LATER,
                           "data": {"S": json.dumps({"inquiry_id": B1, "urgent": False})}})
        # A record whose data is not a plain object, naming A2 inside.
        put(client, idem, {"id": {"S": "send#x"}, "status": {"S": "COMPLETED"}, **LATER,
                           "data": {"S": json.dumps([{"id": A2}])}})
        put(client, idem, {"id": {"S": "intake#in-progress"}, "status": {"S": "INPROGRESS"},
                           **LATER})
        # Duplicate-submission guards.
        put(client, idem, {"id": {"S": "submission#aaa"}, "inquiry_id": {"S": A2}, **LATER})
        put(client, idem, {"id": {"S": "submission#bbb"}, "inquiry_id": {"S": B1}, **LATER})
        rl = "RateLimitTable"
        for window in ("1735689600", "1735776000"):
            put(client, rl, {"id": {"S": f"email#{sha(PERSON)}#{window}"}, "hits": {"N": "2"},
                             "expires_at": {"N": "1999999999"}})
        put(client, rl, {"id": {"S": f"email#{sha(OTHER)}#1735689600"}, "hits": {"N": "1"},
                         "expires_at": {"N": "1999999999"}})
        put(client, rl, {"id": {"S": "client#c0ffee#1735689600"}, "hits": {"N": "1"},
                         "expires_at": {"N": "1999999999"}})
        yield client


def test_erase_removes_the_persons_data_and_nothing_else(ddb: DynamoDBClient) -> None:
    report = erase("  ana.person@example.com ", ddb, Tables())

    assert report.inquiry_ids == [A1, A2]
    assert (report.inquiries, report.idempotency_records, report.rate_limit_counters) == (2, 3, 2)
    assert ids(ddb, "InquiriesTable", "inquiry_id") == {B1}
    assert ids(ddb, "IdempotencyTable", "id") == {"intake#key-b1", "intake#in-progress", "submission#bbb"}
    assert ids(ddb, "RateLimitTable", "id") == {f"email#{sha(OTHER)}#1735689600", "client#c0ffee#1735689600"}


def test_dry_run_counts_but_removes_nothing(ddb: DynamoDBClient) -> None:
    before = {t: ddb.scan(TableName=t)["Count"] for t in ("InquiriesTable", "IdempotencyTable", "RateLimitTable")}
    report = erase(PERSON, ddb, Tables(), dry_run=True)
    assert report.dry_run
    assert (report.inquiries, report.idempotency_records, report.rate_limit_counters) == (2, 3, 2)
    after = {t: ddb.scan(TableName=t)["Count"] for t in before}
    assert after == before


def test_second_run_finds_nothing(ddb: DynamoDBClient) -> None:
    erase(PERSON, ddb, Tables())
    again = erase(PERSON, ddb, Tables())
    assert (again.inquiries, again.idempotency_records, again.rate_limit_counters) == (0, 0, 0)
    assert again.inquiry_ids == []


def test_unknown_address_touches_nothing(ddb: DynamoDBClient) -> None:
    report = erase("nobody@example.net", ddb, Tables())
    assert (report.inquiries, report.idempotency_records, report.rate_limit_counters) == (0, 0, 0)
    assert ddb.scan(TableName="InquiriesTable")["Count"] == 3


def test_command_reports_counts_and_logs_no_phi(ddb: DynamoDBClient, monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str],
                                                caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setenv("INQUIRIES_TABLE", "InquiriesTable")
    caplog.set_level(logging.INFO, logger="infra.erase")

    assert erase_module.main(["--region", "us-east-1"], stdin=io.StringIO(PERSON + "\n")) == 0

    out = capsys.readouterr()
    report = json.loads(out.out)
    assert report["inquiries"] == 2
    assert report["idempotency_records"] == 3
    assert report["rate_limit_counters"] == 2
    logged = caplog.text + out.err
    assert A1 in logged
    assert A2 in logged
    for secret in (PERSON, PERSON.lower(), sha(PERSON), "Ana", "private words", "+15555550100"):
        assert secret not in logged
        assert secret not in out.out
    assert ids(ddb, "InquiriesTable", "inquiry_id") == {B1}


def test_table_names_come_from_flags_and_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INQUIRIES_TABLE", "prod-inquiries")
    monkeypatch.delenv("IDEMPOTENCY_TABLE", raising=False)
    monkeypatch.delenv("RATE_LIMIT_TABLE", raising=False)
    assert Tables.from_environ() == Tables(inquiries="prod-inquiries")


def test_stack_outputs_name_the_tables(aws_credentials: None) -> None:
    template = {
        "Resources": {"Topic": {"Type": "AWS::SNS::Topic"}},
        "Outputs": {
            "InquiriesTableName": {"Value": "stack-inquiries"},
            "IdempotencyTableName": {"Value": "stack-idempotency"},
            "RateLimitTableName": {"Value": "stack-rate-limit"},
        },
    }
    with mock_aws():
        session = boto3.Session(region_name="us-east-1")
        session.client("cloudformation").create_stack(StackName="intake-prod", TemplateBody=json.dumps(template))
        tables = Tables.from_stack(session, "intake-prod")
    assert tables == Tables("stack-inquiries", "stack-idempotency", "stack-rate-limit")


def test_erasure_finds_what_intake_stored_under_a_normalised_address(stack: Stack) -> None:
    """Intake stores the IDNA form of the domain; ops type the address as the person wrote it."""
    typed = "Anna@Bücher.example"
    response = stack.intake(json_post({"name": "Anna", "email": " anna@BÜCHER.example ", "consent_to_contact": True}))
    assert response["statusCode"] == 202
    [stored] = stack.items()
    assert stored["email"] == "anna@xn--bcher-kva.example"

    report = erase(typed, boto3.client("dynamodb", region_name="us-east-1"), Tables.from_environ())

    assert report.inquiries == 1
    assert stack.items() == []


def test_an_address_intake_would_refuse_is_an_error_not_a_silent_zero(ddb: DynamoDBClient) -> None:
    with pytest.raises(InvalidEmailAddress):
        erase("not an address", ddb, Tables.from_environ())


def test_the_address_is_never_taken_from_the_command_line(ddb: DynamoDBClient,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        erase_module.main(["--email", PERSON, "--region", "us-east-1"], stdin=io.StringIO(""))
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert "never an argument" in err
    assert PERSON not in err
    assert ddb.scan(TableName="InquiriesTable")["Count"] == 3, "nothing erased"


def test_an_empty_stdin_erases_nothing(ddb: DynamoDBClient) -> None:
    with pytest.raises(SystemExit):
        erase_module.main(["--region", "us-east-1"], stdin=io.StringIO(""))
    assert ddb.scan(TableName="InquiriesTable")["Count"] == 3
