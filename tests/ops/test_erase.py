"""Erasure on request (infra.erase) against tables built from template.yaml under moto."""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import logging
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import boto3
import pytest
from inquiries import aws
from inquiries.models import InvalidEmailAddress
from inquiries.peppers import Peppers, read_peppers
from moto import mock_aws

from infra import erase as erase_module
from infra.erase import Tables, erase
from tests.support.consumers import prepare_email, run_consumer
from tests.support.events import json_post, response_json
from tests.support.phi import distinctive_inquiry
from tests.support.stack import Stack

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.client import DynamoDBClient

PERSON = "Ana.Person@Example.COM"
OTHER = "someone.else@example.org"
TABLES = ("InquiriesTable", "IdempotencyTable", "RateLimitTable", "InquiryLookupTable")


def stack_peppers() -> Peppers:
    """The pepper the local stack's functions key their hashes with (its Secrets Manager secret)."""
    return read_peppers(aws.secretsmanager(), os.environ["PEPPER_SECRET"])


def sha(email: str) -> str:
    """The keyed hash intake writes, computed independently of the code under test."""
    message = b"email\x00" + email.strip().lower().encode()
    return hmac.new(stack_peppers().current, message, hashlib.sha256).hexdigest()


def ids(ddb: DynamoDBClient, table: str, key: str) -> set[str]:
    return {item[key]["S"] for item in ddb.scan(TableName=table)["Items"]}


def everything_stored(ddb: DynamoDBClient) -> str:
    """Every key and value of the three tables, as one text to search."""
    return json.dumps([ddb.scan(TableName=t)["Items"] for t in TABLES]).casefold()


@dataclass(frozen=True)
class Stored:
    """What real intake wrote for two submissions from PERSON (two spellings of one address) and one from OTHER."""

    ddb: DynamoDBClient
    person: list[str]
    other: str


def submit(stack: Stack, email: str, key: str, message: str) -> str:
    event = json_post(distinctive_inquiry(email=email, name="Ana Person", message=message),
                      headers={"Idempotency-Key": key})
    response = stack.intake(event)
    assert response["statusCode"] == 202
    inquiry_id: str = response_json(response)["inquiry_id"]
    return inquiry_id


@pytest.fixture
def stored(stack: Stack) -> Stored:
    a1 = submit(stack, PERSON, "key-a1", "private words")
    a2 = submit(stack, PERSON.lower(), "key-a2", "more private words")
    b1 = submit(stack, OTHER, "key-b1", "someone else's words")
    # The confirmations count against each address's daily cap: one counter per address.
    prepare_email(stack)
    run_consumer(stack, "send_confirmation", "ConfirmationQueue")
    ddb = boto3.client("dynamodb", region_name="us-east-1")
    # Records of other shapes that name one of the person's inquiries: erasure must find those too.
    ddb.put_item(TableName="IdempotencyTable", Item={"id": {"S": "send#x"}, "status": {"S": "COMPLETED"},
                                                     "expiration": {"N": "1999999999"},
                                                     "data": {"S": json.dumps([{"id": a2}])}})
    ddb.put_item(TableName="IdempotencyTable", Item={"id": {"S": "intake#in-progress"},
                                                     "status": {"S": "INPROGRESS"},
                                                     "expiration": {"N": "1999999999"}})
    return Stored(ddb=ddb, person=sorted([a1, a2]), other=b1)


def test_intake_stores_the_person_under_hashes_only_outside_the_inquiry(stored: Stored) -> None:
    """The rate-limit counters and guards hold no address in clear: erasure finds them by hash."""
    counters = ids(stored.ddb, "RateLimitTable", "id")
    assert f"email#{sha(PERSON)}#" in " ".join(counters)
    rest = json.dumps([stored.ddb.scan(TableName=t)["Items"] for t in ("IdempotencyTable", "RateLimitTable")])
    assert PERSON.casefold().split("@")[0] not in rest.casefold()


def test_erase_removes_the_persons_data_and_nothing_else(stored: Stored) -> None:
    before = {t: stored.ddb.scan(TableName=t)["Count"] for t in TABLES}

    report = erase("  ana.person@example.com ", stored.ddb, Tables(), stack_peppers())

    assert report.inquiry_ids == stored.person
    # Two Powertools records, two guards, the record naming one inside a list; one counter per day.
    assert (report.inquiries, report.idempotency_records, report.rate_limit_counters) == (2, 5, 1)
    assert ids(stored.ddb, "InquiriesTable", "inquiry_id") == {stored.other}
    after = {t: stored.ddb.scan(TableName=t)["Count"] for t in TABLES}
    # Each inquiry's lookup items: its reference, phone, two name tokens and the whole name.
    # The mailbox's counter, and the domain's, left empty once the person's ids are taken out of it.
    assert report.domain_counters == 1
    assert after == {"InquiriesTable": 1, "IdempotencyTable": before["IdempotencyTable"] - 5,
                     "RateLimitTable": before["RateLimitTable"] - 2,
                     "InquiryLookupTable": before["InquiryLookupTable"] - 2 * 5}
    assert report.lookup_items == 2 * 5
    assert {item["inquiry_id"]["S"] for item in stored.ddb.scan(TableName="InquiryLookupTable")["Items"]} == {
        stored.other}
    assert "intake#in-progress" in ids(stored.ddb, "IdempotencyTable", "id")
    left = everything_stored(stored.ddb)
    assert "ana.person" not in left and sha(PERSON) not in left
    assert OTHER in left and sha(OTHER) in left


def test_dry_run_counts_but_removes_nothing(stored: Stored) -> None:
    before = everything_stored(stored.ddb)
    report = erase(PERSON, stored.ddb, Tables(), stack_peppers(), dry_run=True)
    assert report.dry_run
    assert (report.inquiries, report.idempotency_records, report.rate_limit_counters) == (2, 5, 1)
    assert everything_stored(stored.ddb) == before


def test_second_run_finds_nothing(stored: Stored) -> None:
    erase(PERSON, stored.ddb, Tables(), stack_peppers())
    again = erase(PERSON, stored.ddb, Tables(), stack_peppers())
    assert (again.inquiries, again.idempotency_records, again.rate_limit_counters, again.lookup_items) == (0, 0, 0, 0)
    assert again.inquiry_ids == []


def test_unknown_address_touches_nothing(stored: Stored) -> None:
    before = everything_stored(stored.ddb)
    report = erase("nobody@example.net", stored.ddb, Tables(), stack_peppers())
    assert (report.inquiries, report.idempotency_records, report.rate_limit_counters) == (0, 0, 0)
    assert everything_stored(stored.ddb) == before


def test_command_reports_counts_and_logs_no_phi(stored: Stored, capsys: pytest.CaptureFixture[str],
                                                caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="infra.erase")

    assert erase_module.main(["--region", "us-east-1"], stdin=io.StringIO(PERSON + "\n")) == 0

    out = capsys.readouterr()
    report = json.loads(out.out)
    assert (report["inquiries"], report["idempotency_records"], report["rate_limit_counters"]) == (2, 5, 1)
    logged = caplog.text + out.err
    assert all(inquiry_id in logged for inquiry_id in stored.person)
    for secret in (PERSON, PERSON.lower(), sha(PERSON), "Ana", "private words"):
        assert secret not in logged
        assert secret not in out.out
    assert ids(stored.ddb, "InquiriesTable", "inquiry_id") == {stored.other}


def test_erasure_during_a_pepper_rotation_finds_what_was_written_under_either_pepper(stored: Stored) -> None:
    """Rotation: put-secret-value makes the new pepper AWSCURRENT and the old one AWSPREVIOUS."""
    aws.secretsmanager().put_secret_value(SecretId=os.environ["PEPPER_SECRET"],
                                          SecretString="a-freshly-rotated-pepper-value-of-64-characters-0123456789abcdef")
    rotated = stack_peppers()
    assert rotated.previous is not None and rotated.current != rotated.previous

    report = erase(PERSON, stored.ddb, Tables(), rotated)

    assert (report.inquiries, report.rate_limit_counters) == (2, 1)
    assert report.inquiry_ids == stored.person


def test_table_names_come_from_flags_and_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INQUIRIES_TABLE", "prod-inquiries")
    monkeypatch.delenv("IDEMPOTENCY_TABLE", raising=False)
    monkeypatch.delenv("RATE_LIMIT_TABLE", raising=False)
    monkeypatch.delenv("PEPPER_SECRET", raising=False)
    monkeypatch.delenv("INQUIRY_LOOKUP_TABLE", raising=False)
    assert Tables.from_environ() == Tables(inquiries="prod-inquiries")
    monkeypatch.setenv("INQUIRY_LOOKUP_TABLE", "prod-lookups")
    assert Tables.from_environ() == Tables(inquiries="prod-inquiries", lookups="prod-lookups")


def test_stack_outputs_name_the_tables(aws_credentials: None) -> None:
    template = {
        "Resources": {"Topic": {"Type": "AWS::SNS::Topic"}},
        "Outputs": {
            "InquiriesTableName": {"Value": "stack-inquiries"},
            "IdempotencyTableName": {"Value": "stack-idempotency"},
            "RateLimitTableName": {"Value": "stack-rate-limit"},
            "PepperSecretArn": {"Value": "arn:aws:secretsmanager:us-east-1:123456789012:secret:pepper"},
            "InquiryLookupTableName": {"Value": "stack-lookups"},
        },
    }
    with mock_aws():
        session = boto3.Session(region_name="us-east-1")
        session.client("cloudformation").create_stack(StackName="intake-prod", TemplateBody=json.dumps(template))
        tables = Tables.from_stack(session, "intake-prod")
    assert tables == Tables("stack-inquiries", "stack-idempotency", "stack-rate-limit",
                            "arn:aws:secretsmanager:us-east-1:123456789012:secret:pepper", "stack-lookups")


def test_the_audit_table_comes_from_the_flag_the_stack_or_the_environment(
        aws_credentials: None, monkeypatch: pytest.MonkeyPatch) -> None:
    template = {"Resources": {"Topic": {"Type": "AWS::SNS::Topic"}},
                "Outputs": {"AuditTableName": {"Value": "stack-audit"}}}
    monkeypatch.setenv("AUDIT_TABLE", "env-audit")
    with mock_aws():
        session = boto3.Session(region_name="us-east-1")
        session.client("cloudformation").create_stack(StackName="intake-prod", TemplateBody=json.dumps(template))
        assert erase_module.audit_table_name(session, None, "intake-prod") == "stack-audit"
        assert erase_module.audit_table_name(session, "flag-audit", "intake-prod") == "flag-audit"
        assert erase_module.audit_table_name(session, None, None) == "env-audit"
        monkeypatch.delenv("AUDIT_TABLE")
        assert erase_module.audit_table_name(session, None, None) == "AuditTable"


def test_erasure_finds_what_intake_stored_under_a_normalised_address(stack: Stack) -> None:
    """Intake stores the IDNA form of the domain; ops type the address as the person wrote it."""
    typed = "Anna@Bücher.example"
    response = stack.intake(json_post({"name": "Anna", "email": " anna@BÜCHER.example ", "consent_to_contact": True}))
    assert response["statusCode"] == 202
    [stored] = stack.items()
    assert stored["email"] == "anna@xn--bcher-kva.example"

    report = erase(typed, boto3.client("dynamodb", region_name="us-east-1"), Tables.from_environ(), stack_peppers())

    assert report.inquiries == 1
    assert stack.items() == []


def test_erasure_removes_the_mailbox_counter_a_tagged_address_was_counted_under(stack: Stack) -> None:
    """The confirmation cap counts ``Ana.Person+clinic@`` under its mailbox (``ana.person@``): erasing the
    address the person used finds that counter too, and leaves no hash of either spelling behind."""
    tagged = "Ana.Person+clinic@Example.COM"
    inquiry_id = submit(stack, tagged, "key-tagged", "private words")
    prepare_email(stack)
    run_consumer(stack, "send_confirmation", "ConfirmationQueue")
    ddb = boto3.client("dynamodb", region_name="us-east-1")
    assert f"email#{sha('ana.person@example.com')}#" in " ".join(ids(ddb, "RateLimitTable", "id"))

    report = erase(tagged, ddb, Tables.from_environ(), stack_peppers())

    assert report.inquiry_ids == [inquiry_id]
    assert report.rate_limit_counters == 1
    left = everything_stored(ddb)
    assert sha("ana.person@example.com") not in left and sha(tagged) not in left


def test_an_address_intake_would_refuse_is_an_error_not_a_silent_zero(stored: Stored) -> None:
    with pytest.raises(InvalidEmailAddress):
        erase("not an address", stored.ddb, Tables.from_environ(), stack_peppers())


def test_the_address_is_never_taken_from_the_command_line(stored: Stored,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    before = everything_stored(stored.ddb)
    with pytest.raises(SystemExit) as exited:
        erase_module.main(["--email", PERSON, "--region", "us-east-1"], stdin=io.StringIO(""))
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert "never an argument" in err
    assert PERSON not in err
    assert everything_stored(stored.ddb) == before, "nothing erased"


def test_an_empty_stdin_erases_nothing(stored: Stored) -> None:
    before = everything_stored(stored.ddb)
    with pytest.raises(SystemExit):
        erase_module.main(["--region", "us-east-1"], stdin=io.StringIO(""))
    assert everything_stored(stored.ddb) == before


PHONE = "(415) 555-0177"


def test_erasure_by_phone_removes_the_inquiries_with_that_number_and_nothing_else(stack: Stack) -> None:
    """Issue 21: a person known by their phone number only (the one implementation the console uses too)."""
    with_phone = submit(stack, "first.person@example.com", "key-p1", "private words")
    stack.intake(json_post(distinctive_inquiry(email="phone.person@example.com", phone=PHONE, name="Pat Phone"),
                           headers={"Idempotency-Key": "key-p2"}))
    ddb = boto3.client("dynamodb", region_name="us-east-1")
    [phoned] = [i["inquiry_id"] for i in stack.items() if i.get("phone") == "+14155550177"]

    report = erase(None, ddb, Tables.from_environ(), stack_peppers(), phone="+1 415 555 0177")

    assert report.inquiry_ids == [phoned]
    assert {i["inquiry_id"] for i in stack.items()} == {with_phone}
    assert report.lookup_items >= 4  # its reference, phone, two name tokens and the whole name
    left = everything_stored(ddb)
    assert "pat phone" not in left and "+14155550177" not in left


def test_the_command_erases_by_phone_and_refuses_a_number_intake_would_refuse(
        stack: Stack, capsys: pytest.CaptureFixture[str]) -> None:
    stack.intake(json_post(distinctive_inquiry(phone=PHONE), headers={"Idempotency-Key": "key-p3"}))
    capsys.readouterr()  # intake's own log lines

    assert erase_module.main(["--phone", "--region", "us-east-1"], stdin=io.StringIO(PHONE + "\n")) == 0

    out = capsys.readouterr()
    assert json.loads(out.out)["inquiries"] == 1 and stack.items() == []
    assert "555-" not in out.err and "555" + PHONE[-4:] not in out.err
    with pytest.raises(SystemExit):
        erase_module.main(["--phone", "--region", "us-east-1"], stdin=io.StringIO("12\n"))


def domain_counters(ddb: DynamoDBClient) -> dict[str, set[str]]:
    """The per-domain confirmation counters and the inquiry ids each lists."""
    return {item["id"]["S"]: set(item.get("members", {}).get("SS", []))
            for item in ddb.scan(TableName="RateLimitTable")["Items"] if item["id"]["S"].startswith("domain#")}


@pytest.mark.parametrize("door", ["email", "phone"])
def test_erasure_takes_the_persons_ids_out_of_the_shared_domain_counters_and_leaves_the_neighbours(
        stack: Stack, door: str) -> None:
    """A domain counter is shared by everyone at the domain: the person's ids go, a neighbour's stay."""
    phone = "(415) 555-0199"

    def sent(email: str, key: str) -> str:
        event = json_post(distinctive_inquiry(email=email, phone=phone, message=f"words {key}"),
                          headers={"Idempotency-Key": key})
        inquiry_id: str = response_json(stack.intake(event))["inquiry_id"]
        return inquiry_id

    mine = [sent(PERSON, "key-d1"), sent(PERSON.lower(), "key-d2")]
    neighbour = submit(stack, "a.neighbour@example.com", "key-d3", "a neighbour's words")
    by_phone = sent("ana.work@example.net", "key-d4")  # the person's number, another address and domain
    ddb = boto3.client("dynamodb", region_name="us-east-1")
    prepare_email(stack)
    run_consumer(stack, "send_confirmation", "ConfirmationQueue")
    listed = set().union(*domain_counters(ddb).values())
    assert {*mine, neighbour, by_phone} <= listed

    if door == "email":
        report = erase(PERSON, ddb, Tables(), stack_peppers())
        gone, kept = set(mine), {neighbour, by_phone}
    else:  # by phone: every inquiry with that number, whatever its address's domain
        report = erase(None, ddb, Tables(), stack_peppers(), phone=phone)
        gone, kept = {*mine, by_phone}, {neighbour}

    assert set(report.inquiry_ids) == gone
    counters = domain_counters(ddb)
    assert not gone & set().union(*counters.values())
    assert kept <= set().union(*counters.values())
    assert not any(i in json.dumps(ddb.scan(TableName="RateLimitTable")["Items"]) for i in gone)
    assert report.domain_counters == (1 if door == "email" else 2)
    again = erase(PERSON, ddb, Tables(), stack_peppers()) if door == "email" else erase(
        None, ddb, Tables(), stack_peppers(), phone=phone)
    assert (again.domain_counters, again.rate_limit_counters) == (0, 0)


# ---- the command's own audit entries ---------------------------------------------------------------------------
def audit_entries(stack: Stack, action: str) -> list[dict[str, Any]]:
    return [i for i in stack.items("AuditTable") if i["action"] == action]


def test_the_command_audits_the_erasure_with_the_operator_and_the_reason_and_no_phi(
        stack: Stack, stored: Stored) -> None:
    assert erase_module.main(["--region", "us-east-1", "--reason", "legal_obligation"],
                             stdin=io.StringIO(PERSON + "\n")) == 0

    erasures = audit_entries(stack, "erasure")
    [summary] = [e for e in erasures if "inquiry_id" not in e]
    assert sorted(summary["inquiry_ids"]) == sorted(stored.person)
    assert summary["reason"] == "legal_obligation" and summary["counts"]["inquiries"] == 2
    assert summary["actor_id"].startswith("arn:aws:") and summary["actor"] == "infra.erase"
    # One entry per erased inquiry, kept under its reference: a search by the erased id or reference finds it.
    per_inquiry = sorted(e["inquiry_id"] for e in erasures if "inquiry_id" in e)
    assert per_inquiry == sorted(stored.person)
    assert {e["request_id"] for e in erasures} == {summary["request_id"]}
    trail = json.dumps(stack.items("AuditTable"), default=str).casefold()
    for secret in (PERSON.casefold(), sha(PERSON), "ana person", "private words"):
        assert secret not in trail


def test_a_dry_run_is_audited_as_a_search_and_erases_nothing(stack: Stack, stored: Stored) -> None:
    assert erase_module.main(["--region", "us-east-1", "--dry-run"], stdin=io.StringIO(PERSON + "\n")) == 0

    assert audit_entries(stack, "erasure") == []
    searches = audit_entries(stack, "person_search")
    assert sorted(e["inquiry_id"] for e in searches) == sorted(stored.person)
    assert all(e["filters"] == ["email"] for e in searches)
    assert ids(stored.ddb, "InquiriesTable", "inquiry_id") == {*stored.person, stored.other}


def test_no_audit_entry_no_erasure(stack: Stack, stored: Stored, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as refused:
        erase_module.main(["--region", "us-east-1", "--audit-table", "NoSuchAuditTable"],
                          stdin=io.StringIO(PERSON + "\n"))
    assert refused.value.code != 0
    assert ids(stored.ddb, "InquiriesTable", "inquiry_id") == {*stored.person, stored.other}
    assert PERSON not in capsys.readouterr().err


def test_an_unknown_reason_is_refused_before_anything_is_read(stored: Stored) -> None:
    with pytest.raises(SystemExit):
        erase_module.main(["--region", "us-east-1", "--reason", "because"], stdin=io.StringIO(PERSON + "\n"))
    assert ids(stored.ddb, "InquiriesTable", "inquiry_id") == {*stored.person, stored.other}
