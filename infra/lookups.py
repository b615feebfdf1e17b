"""Lookup items for inquiries stored before InquiryLookupTable existed: ``python -m infra.lookups backfill``.

Reads InquiriesTable in bounded pages (``--page-size`` items a Scan call, ``--pause`` seconds between calls,
``--max-pages`` to stop early and run again later). An inquiry that lists no ``lookup_keys`` gets, in one
transaction, its ``phone_hash`` and ``lookup_keys`` (only if it still lists none: a second run, or intake's own
write, wins) and one lookup item per key with the inquiry's ``ttl`` (``inquiries.data.lookups``). Its version is
not bumped: this is no care-team change, and an open console's If-Match stays valid. Idempotent: a second run
writes nothing.

It prints a JSON report of counts and logs inquiry ids and counts only, never a name, a phone or a hash.
Tables and the pepper secret are named by ``--stack NAME`` (the stack's Outputs), by flags or by the
environment, as ``python -m infra.erase`` names them. The session is a plain boto3 one.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

import boto3
from botocore.exceptions import ClientError
from inquiries.data.lookups import lookup_keys, lookup_puts, phone_hash
from inquiries.peppers import Peppers, read_peppers

from infra.bounded_scan import DEFAULT_PAGE_SIZE, add_step_arguments, check_step_arguments, scan_in_steps
from infra.erase import Tables

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.client import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import TransactWriteItemTypeDef

LOG = logging.getLogger("infra.lookups")


@dataclass
class BackfillReport:
    """Counts only."""

    scanned: int = 0
    backfilled: int = 0
    already_indexed: int = 0
    pages: int = 0


def _backfill_one(ddb: DynamoDBClient, tables: Tables, item: dict[str, Any], peppers: Peppers) -> bool:
    """Index one stored inquiry; False when something else indexed it first."""
    inquiry_id = item["inquiry_id"]["S"]
    phone = item.get("phone", {}).get("S")
    keys = lookup_keys(inquiry_id, item.get("name", {}).get("S", ""), phone, peppers)
    ttl = int(item["ttl"]["N"])
    names = {"#k": "lookup_keys"}
    values: dict[str, Any] = {":k": {"L": [{"S": key} for key in keys]}}
    expression = "SET #k = :k"
    if phone:
        names["#p"] = "phone_hash"
        values[":p"] = {"S": phone_hash(phone, peppers)}
        expression += ", #p = :p"
    update: TransactWriteItemTypeDef = {"Update": {
        "TableName": tables.inquiries, "Key": {"inquiry_id": {"S": inquiry_id}}, "UpdateExpression": expression,
        "ConditionExpression": "attribute_exists(inquiry_id) AND attribute_not_exists(#k)",
        "ExpressionAttributeNames": names, "ExpressionAttributeValues": values}}
    try:
        ddb.transact_write_items(TransactItems=[update, *lookup_puts(tables.lookups, inquiry_id, keys, ttl)])
    except ClientError as exc:
        reasons = exc.response.get("CancellationReasons", [])
        if reasons and reasons[0].get("Code") == "ConditionalCheckFailed":
            return False
        raise
    return True


def backfill(ddb: DynamoDBClient, tables: Tables, peppers: Peppers, *, page_size: int = DEFAULT_PAGE_SIZE,
             max_pages: int | None = None, pause: float = 0.0,
             sleep: Callable[[float], None] = time.sleep) -> BackfillReport:
    """Index every stored inquiry that lists no lookup keys, ``page_size`` items a Scan call."""
    report = BackfillReport()
    kwargs: dict[str, Any] = {
        "TableName": tables.inquiries, "ConsistentRead": True,
        "ProjectionExpression": "inquiry_id, #n, phone, #t, lookup_keys",
        "ExpressionAttributeNames": {"#n": "name", "#t": "ttl"},
    }
    for page in scan_in_steps(ddb, kwargs, page_size=page_size, max_pages=max_pages, pause=pause, sleep=sleep):
        report.pages += 1
        indexed = []
        for item in page.get("Items", []):
            report.scanned += 1
            if "lookup_keys" in item or "ttl" not in item:
                report.already_indexed += 1
            elif _backfill_one(ddb, tables, item, peppers):
                report.backfilled += 1
                indexed.append(item["inquiry_id"]["S"])
            else:
                report.already_indexed += 1
        if indexed:
            LOG.info(json.dumps({"event": "lookups_backfilled", "inquiry_ids": indexed}))
    LOG.info(json.dumps({"event": "lookups_backfill_done", **asdict(report)}))
    return report


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.lookups",
                                     description="Maintain InquiryLookupTable, the care team's search index.")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("backfill", help="write the lookup items of inquiries stored before the table existed")
    add_step_arguments(run)
    run.add_argument("--stack", help="read the table names from this CloudFormation stack's Outputs")
    run.add_argument("--inquiries-table")
    run.add_argument("--lookup-table")
    run.add_argument("--pepper-secret", help="the hashing pepper's secret (ARN or name)")
    run.add_argument("--region", help="AWS region (default: the session's)")
    args = parser.parse_args(argv)
    check_step_arguments(parser, args)

    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(name)s %(message)s")
    session = boto3.Session(region_name=args.region) if args.region else boto3.Session()
    tables = Tables.from_stack(session, args.stack) if args.stack else Tables.from_environ()
    tables = Tables(inquiries=args.inquiries_table or tables.inquiries, idempotency=tables.idempotency,
                    rate_limit=tables.rate_limit, pepper_secret=args.pepper_secret or tables.pepper_secret,
                    lookups=args.lookup_table or tables.lookups)
    peppers = read_peppers(session.client("secretsmanager"), tables.pepper_secret)
    report = backfill(session.client("dynamodb"), tables, peppers, page_size=args.page_size,
                      max_pages=args.max_pages, pause=args.pause)
    print(json.dumps(asdict(report), indent=2))  # noqa: T201 - the command's output
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
