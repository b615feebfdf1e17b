"""Erase one person's data on request: ``python -m infra.erase [--dry-run]``, the address asked for.

The address is read from a prompt (not echoed) or, when stdin is not a terminal, from its first line:
never from the command line, where shell history and ``ps`` would keep it.

What goes, found from the address alone:

- every inquiry whose ``email_hash`` is the address's keyed hash under the current or the previous
  pepper (InquiriesTable, through EmailHashIndex), so a rotation in progress hides nothing;
- each such inquiry's lookup items (InquiryLookupTable: its reference, keyed phone, name-token and whole-name
  hashes): the keys the inquiry lists (``lookup_keys``) and those its name and phone give under either pepper,
  deleted before the inquiry, so an erasure cut short is finished by running it again;
- every idempotency record whose stored response names one of those inquiry ids, and every duplicate-
  submission guard (``submission#...``) that points at one (IdempotencyTable);
- the per-mailbox confirmation counters ``email#<mailbox hash>#<window>`` (RateLimitTable), under either pepper:
  the address's mailbox (``delivery.address_cap.mailbox``: ``+tag`` dropped, Gmail's dots dropped), and the
  address's own hash as counters written before mailboxes were keyed used it.

The per-domain counters (``domain#...``) are shared by everyone at a domain and hold only inquiry ids: they
are left to expire (a day).

It prints a JSON report of the counts, and logs the act to stderr with inquiry ids and counts only:
never the address, nor its hash (which identifies the person as well as the address does).

Tables and the pepper secret are named by ``--stack NAME`` (read from the stack's Outputs), by flags, or
by the environment (INQUIRIES_TABLE, IDEMPOTENCY_TABLE, RATE_LIMIT_TABLE, PEPPER_SECRET, INQUIRY_LOOKUP_TABLE),
falling back to
the logical IDs used locally.
The session is a plain boto3 one: AWS_PROFILE, AWS_REGION and AWS_ENDPOINT_URL apply as usual.
"""

from __future__ import annotations

import argparse
import getpass
import json
import logging
import os
import sys
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, TextIO

import boto3
from botocore.exceptions import ClientError
from inquiries.data.items import EMAIL_HASH_INDEX, EMAIL_SCOPE, counter_prefix, email_hashes
from inquiries.data.lookups import (
    full_name,
    full_name_keys,
    name_token_keys,
    name_tokens,
    phone_keys,
    reference_key,
)
from inquiries.delivery.address_cap import mailbox_hashes
from inquiries.models import InvalidEmailAddress, normalise_email
from inquiries.peppers import Peppers, read_peppers

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.client import DynamoDBClient

LOG = logging.getLogger("infra.erase")

STACK_OUTPUTS = {
    "inquiries": "InquiriesTableName",
    "idempotency": "IdempotencyTableName",
    "rate_limit": "RateLimitTableName",
    "pepper_secret": "PepperSecretArn",
    "lookups": "InquiryLookupTableName",
}


@dataclass(frozen=True)
class Tables:
    """The physical names of the four tables that hold a person's data, and of the pepper secret."""

    inquiries: str = "InquiriesTable"
    idempotency: str = "IdempotencyTable"
    rate_limit: str = "RateLimitTable"
    pepper_secret: str = "PepperSecret"  # noqa: S105 - the secret's name, not its value
    lookups: str = "InquiryLookupTable"

    @classmethod
    def from_environ(cls, environ: dict[str, str] | None = None) -> Tables:
        env = dict(os.environ) if environ is None else environ
        return cls(
            inquiries=env.get("INQUIRIES_TABLE", cls.inquiries),
            idempotency=env.get("IDEMPOTENCY_TABLE", cls.idempotency),
            rate_limit=env.get("RATE_LIMIT_TABLE", cls.rate_limit),
            pepper_secret=env.get("PEPPER_SECRET", cls.pepper_secret),
            lookups=env.get("INQUIRY_LOOKUP_TABLE", cls.lookups),
        )

    @classmethod
    def from_stack(cls, session: boto3.Session, stack_name: str) -> Tables:
        """Table names from a deployed stack's Outputs."""
        stacks = session.client("cloudformation").describe_stacks(StackName=stack_name)["Stacks"]
        outputs = {o["OutputKey"]: o["OutputValue"] for o in stacks[0].get("Outputs", [])}
        missing = [key for key in STACK_OUTPUTS.values() if key not in outputs]
        if missing:
            raise SystemExit(f"stack {stack_name} has no output(s) {', '.join(missing)}")
        return cls(**{name: outputs[key] for name, key in STACK_OUTPUTS.items()})


@dataclass
class ErasureReport:
    """What was (or, in a dry run, would be) removed. Holds no PHI: ids and counts only."""

    dry_run: bool
    inquiry_ids: list[str] = field(default_factory=list)
    inquiries: int = 0
    idempotency_records: int = 0
    rate_limit_counters: int = 0
    lookup_items: int = 0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _query_keys(ddb: DynamoDBClient, table: str, hashed: str) -> Iterator[str]:
    kwargs: dict[str, Any] = {
        "TableName": table,
        "IndexName": EMAIL_HASH_INDEX,
        "KeyConditionExpression": "email_hash = :h",
        "ExpressionAttributeValues": {":h": {"S": hashed}},
        "ProjectionExpression": "inquiry_id",
    }
    while True:
        page = ddb.query(**kwargs)
        for item in page.get("Items", []):
            yield item["inquiry_id"]["S"]
        if "LastEvaluatedKey" not in page:
            return
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def _scan(ddb: DynamoDBClient, table: str, **kwargs: Any) -> Iterator[dict[str, Any]]:
    args: dict[str, Any] = {"TableName": table, **kwargs}
    while True:
        page = ddb.scan(**args)
        yield from page.get("Items", [])
        if "LastEvaluatedKey" not in page:
            return
        args["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def _references(item: dict[str, Any], inquiry_ids: set[str]) -> bool:
    """Whether an idempotency-table item belongs to one of the inquiries: a guard's ``inquiry_id``, or
    a Powertools record whose stored response (``data``, JSON) names it."""
    own = item.get("inquiry_id", {}).get("S")
    if own in inquiry_ids:
        return True
    data = item.get("data", {}).get("S")
    if not data:
        return False
    try:
        parsed = json.loads(data)
    except ValueError:
        parsed = None
    if isinstance(parsed, dict) and parsed.get("inquiry_id") in inquiry_ids:
        return True
    # Any other shape of stored response: a ULID is 26 characters, so a substring match is exact enough.
    return any(inquiry_id in data for inquiry_id in inquiry_ids)


def _lookup_keys(ddb: DynamoDBClient, table: str, inquiry_id: str, peppers: Peppers) -> list[str]:
    """The lookup keys an inquiry may have items under: those it lists, and those its name and phone give."""
    item = ddb.get_item(TableName=table, Key={"inquiry_id": {"S": inquiry_id}}, ConsistentRead=True,
                        ProjectionExpression="lookup_keys, #n, phone", ExpressionAttributeNames={"#n": "name"})
    stored = item.get("Item", {})
    keys = [key["S"] for key in stored.get("lookup_keys", {}).get("L", [])]
    keys.append(reference_key(inquiry_id))
    phone = stored.get("phone", {}).get("S")
    if phone:
        keys += phone_keys(phone, peppers)
    name = stored.get("name", {}).get("S", "")
    for token in name_tokens(name):
        keys += name_token_keys(token, peppers)
    if full_name(name):
        keys += full_name_keys(full_name(name), peppers)
    return list(dict.fromkeys(keys))


def _erase_lookups(ddb: DynamoDBClient, tables: Tables, inquiry_id: str, peppers: Peppers, dry_run: bool) -> int:
    erased = 0
    for key in _lookup_keys(ddb, tables.inquiries, inquiry_id, peppers):
        item_key = {"lookup_key": {"S": key}, "inquiry_id": {"S": inquiry_id}}
        if dry_run and "Item" not in ddb.get_item(TableName=tables.lookups, Key=item_key):
            continue
        if _delete(ddb, tables.lookups, item_key, dry_run):
            erased += 1
    return erased


def _delete(ddb: DynamoDBClient, table: str, key: dict[str, Any], dry_run: bool) -> bool:
    if dry_run:
        return True
    try:
        ddb.delete_item(TableName=table, Key=key, ConditionExpression="attribute_exists(#k)",
                        ExpressionAttributeNames={"#k": next(iter(key))})
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
            return False  # already gone (TTL or a concurrent erasure)
        raise
    return True


def erase(email: str, ddb: DynamoDBClient, tables: Tables, peppers: Peppers, *,
          dry_run: bool = False) -> ErasureReport:
    """Remove (or with ``dry_run`` only count) everything stored about one email address.

    The address is normalised exactly as intake normalises it before hashing, so ``Anna@Bücher.example``
    finds what intake stored as ``Anna@xn--bcher-kva.example``. Raises ``InvalidEmailAddress`` for an
    address intake would have refused (nothing can be stored under it). Every valid pepper is tried.
    """
    address = normalise_email(email)
    hashes = email_hashes(address, peppers)
    report = ErasureReport(dry_run=dry_run)

    inquiry_ids = sorted({i for hashed in hashes for i in _query_keys(ddb, tables.inquiries, hashed)})
    for inquiry_id in inquiry_ids:
        report.lookup_items += _erase_lookups(ddb, tables, inquiry_id, peppers, dry_run)
        if _delete(ddb, tables.inquiries, {"inquiry_id": {"S": inquiry_id}}, dry_run):
            report.inquiry_ids.append(inquiry_id)
            report.inquiries += 1

    wanted = set(inquiry_ids)
    if wanted:
        for item in _scan(ddb, tables.idempotency, ProjectionExpression="#id, inquiry_id, #d",
                          ExpressionAttributeNames={"#id": "id", "#d": "data"}):
            if _references(item, wanted) and _delete(ddb, tables.idempotency, {"id": item["id"]}, dry_run):
                report.idempotency_records += 1

    counter_keys = list(dict.fromkeys([*mailbox_hashes(address, peppers), *hashes]))
    for hashed in counter_keys:
        prefix = counter_prefix(EMAIL_SCOPE, hashed)
        for item in _scan(ddb, tables.rate_limit, ProjectionExpression="#id", ExpressionAttributeNames={"#id": "id"},
                          FilterExpression="begins_with(#id, :p)", ExpressionAttributeValues={":p": {"S": prefix}}):
            if _delete(ddb, tables.rate_limit, {"id": item["id"]}, dry_run):
                report.rate_limit_counters += 1

    LOG.info(json.dumps({"event": "erasure_dry_run" if dry_run else "erasure", "inquiry_ids": report.inquiry_ids,
                         "inquiries": report.inquiries, "idempotency_records": report.idempotency_records,
                         "rate_limit_counters": report.rate_limit_counters, "lookup_items": report.lookup_items}))
    return report


PROMPT = "Email address to erase (not shown): "


def read_address(stdin: TextIO) -> str:
    """The address from a hidden prompt on a terminal, else the first line of stdin."""
    if stdin.isatty():
        return getpass.getpass(PROMPT)
    return stdin.readline().strip()


def main(argv: Sequence[str] | None = None, stdin: TextIO | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m infra.erase",
        description="Erase one person's inquiries and derived records by email address. The address is asked "
                    "for (not echoed), or read from the first line of stdin: never give it as an argument.")
    # Refused explicitly, so the error does not echo the address the way an unknown argument would.
    parser.add_argument("--email", nargs="?", const="", help=argparse.SUPPRESS)
    parser.add_argument("--dry-run", action="store_true", help="count what would be removed; remove nothing")
    parser.add_argument("--stack", help="read the table names from this CloudFormation stack's Outputs")
    parser.add_argument("--inquiries-table")
    parser.add_argument("--idempotency-table")
    parser.add_argument("--rate-limit-table")
    parser.add_argument("--pepper-secret", help="the hashing pepper's secret (ARN or name)")
    parser.add_argument("--lookup-table")
    parser.add_argument("--region", help="AWS region (default: the session's)")
    args = parser.parse_args(argv)
    if args.email is not None:
        parser.error("the address is never an argument (shell history, ps): run without --email and type it "
                     "at the prompt, or pipe it on stdin")
    address = read_address(stdin or sys.stdin)
    if not address:
        parser.error("no address given")

    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(name)s %(message)s")
    session = boto3.Session(region_name=args.region) if args.region else boto3.Session()
    tables = Tables.from_stack(session, args.stack) if args.stack else Tables.from_environ()
    tables = Tables(
        inquiries=args.inquiries_table or tables.inquiries,
        idempotency=args.idempotency_table or tables.idempotency,
        rate_limit=args.rate_limit_table or tables.rate_limit,
        pepper_secret=args.pepper_secret or tables.pepper_secret,
        lookups=args.lookup_table or tables.lookups,
    )
    peppers = read_peppers(session.client("secretsmanager"), tables.pepper_secret)
    try:
        report = erase(address, session.client("dynamodb"), tables, peppers, dry_run=args.dry_run)
    except InvalidEmailAddress:
        parser.error("that is not an address the intake would accept, so nothing can be stored under it")
    print(json.dumps(report.as_dict(), indent=2))  # noqa: T201 - the command's output
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
