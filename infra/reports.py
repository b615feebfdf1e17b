"""The weekly counters for inquiries stored before InquiryStatsTable existed: ``python -m infra.reports rebuild``.

Reads InquiriesTable in bounded pages (``--page-size`` items a Scan call, ``--pause`` seconds between calls,
``--max-pages`` to stop early and run again later), projecting only what the counters read: never the name,
email, phone, message or notes. An inquiry without ``stats_counted`` gets, in one transaction, the mark (only
while it is still unmarked and at the version read: a care change in between makes the command read it again)
and its contributions added to the counters (``inquiries.reports.contributions``: the same function intake and
the care API use). Its version is not bumped: an open console's If-Match stays valid. Idempotent: a second run
adds nothing; an inquiry stored since the table existed was counted by intake and is skipped.

Counters of inquiries already removed (erased, or past their retention) cannot be rebuilt: the command only adds
what is still stored. It prints a JSON report of counts and logs counts only. Table names come from ``--stack
NAME`` (the stack's Outputs), from flags or from the environment (INQUIRIES_TABLE, INQUIRY_STATS_TABLE); weeks
are counted in ``--time-zone`` (CLINIC_TIME_ZONE, default America/Los_Angeles), the template's ClinicTimeZone.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

import boto3
from botocore.exceptions import ClientError
from inquiries.data.items import plain_values
from inquiries.data.stats import StatsRecords
from inquiries.reports.contributions import contributions

from infra.bounded_scan import DEFAULT_PAGE_SIZE, add_step_arguments, check_step_arguments, scan_in_steps

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.client import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import TransactWriteItemTypeDef

LOG = logging.getLogger("infra.reports")
# Everything ``contributions`` reads, and the keys and marks this command needs: no name, contact or message.
READ_ATTRIBUTES = ("inquiry_id", "version", "stats_counted", "status", "spam", "created_at", "released_at", "level",
                   "language", "topic", "referral_source", "first_contact_at", "first_contact_on_time", "due_at",
                   "close_reason", "history", "attempts", "triage_categories")
_RETRIES = 3


@dataclass
class RebuildReport:
    """Counts only."""

    scanned: int = 0
    counted: int = 0
    already_counted: int = 0
    changed_meanwhile: int = 0
    pages: int = 0


@dataclass(frozen=True)
class Tables:
    """The tables the command reads and writes."""

    inquiries: str = "InquiriesTable"
    stats: str = "InquiryStatsTable"

    @classmethod
    def from_stack(cls, session: boto3.Session, stack_name: str) -> Tables:
        """Table names from a deployed stack's Outputs."""
        stacks = session.client("cloudformation").describe_stacks(StackName=stack_name)["Stacks"]
        outputs = {o["OutputKey"]: o["OutputValue"] for o in stacks[0].get("Outputs", [])}
        if "InquiriesTableName" not in outputs or "InquiryStatsTableName" not in outputs:
            raise SystemExit(f"stack {stack_name} has no InquiriesTableName or InquiryStatsTableName output")
        return cls(inquiries=outputs["InquiriesTableName"], stats=outputs["InquiryStatsTableName"])


def _projection() -> dict[str, Any]:
    names = {f"#a{i}": name for i, name in enumerate(READ_ATTRIBUTES)}
    return {"ProjectionExpression": ", ".join(names), "ExpressionAttributeNames": names}


def _count_one(ddb: DynamoDBClient, tables: Tables, values: dict[str, Any], time_zone: str) -> bool:
    """Mark one stored inquiry counted and add its contributions, in one transaction; False when it was
    counted, or changed, meanwhile (the condition failed)."""
    inquiry_id = str(values["inquiry_id"])
    version = values.get("version")
    condition = "attribute_exists(inquiry_id) AND attribute_not_exists(stats_counted) AND "
    attribute_values: dict[str, Any] = {":yes": {"BOOL": True}}
    if version is None:
        condition += "attribute_not_exists(version)"
    else:
        condition += "version = :v"
        attribute_values[":v"] = {"N": str(version)}
    mark: TransactWriteItemTypeDef = {"Update": {
        "TableName": tables.inquiries, "Key": {"inquiry_id": {"S": inquiry_id}},
        "UpdateExpression": "SET stats_counted = :yes", "ConditionExpression": condition,
        "ExpressionAttributeValues": attribute_values}}
    adds = StatsRecords(tables.stats).updates(contributions(values, time_zone))
    try:
        ddb.transact_write_items(TransactItems=[mark, *adds])
    except ClientError as exc:
        reasons = exc.response.get("CancellationReasons", [])
        if reasons and reasons[0].get("Code") == "ConditionalCheckFailed":
            return False
        raise
    return True


def _read(ddb: DynamoDBClient, tables: Tables, inquiry_id: str) -> dict[str, Any] | None:
    item = ddb.get_item(TableName=tables.inquiries, Key={"inquiry_id": {"S": inquiry_id}}, ConsistentRead=True,
                        **_projection()).get("Item")
    return plain_values(item) if item else None


def rebuild(ddb: DynamoDBClient, tables: Tables, time_zone: str, *, page_size: int = DEFAULT_PAGE_SIZE,
            max_pages: int | None = None, pause: float = 0.0,
            sleep: Callable[[float], None] = time.sleep) -> RebuildReport:
    """Count every stored inquiry not yet counted, ``page_size`` items a Scan call."""
    report = RebuildReport()
    kwargs: dict[str, Any] = {"TableName": tables.inquiries, "ConsistentRead": True,
                              **_projection()}
    for page in scan_in_steps(ddb, kwargs, page_size=page_size, max_pages=max_pages, pause=pause, sleep=sleep):
        report.pages += 1
        for item in page.get("Items", []):
            report.scanned += 1
            values: dict[str, Any] | None = plain_values(item)
            for _attempt in range(_RETRIES):
                if values is None or values.get("stats_counted"):
                    report.already_counted += 1
                    break
                if _count_one(ddb, tables, values, time_zone):
                    report.counted += 1
                    break
                report.changed_meanwhile += 1  # a care change or another run: read it again
                values = _read(ddb, tables, str(item["inquiry_id"]["S"]))
    LOG.info(json.dumps({"event": "reports_rebuild_done", **asdict(report)}))
    return report


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.reports",
                                     description="Maintain InquiryStatsTable, the weekly counters reports read.")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("rebuild", help="count the inquiries stored before the counters existed")
    add_step_arguments(run)
    run.add_argument("--stack", help="read the table names from this CloudFormation stack's Outputs")
    run.add_argument("--inquiries-table")
    run.add_argument("--stats-table")
    run.add_argument("--time-zone", default=os.environ.get("CLINIC_TIME_ZONE", "America/Los_Angeles"),
                     help="the clinic's time zone, which weeks are counted in (the template's ClinicTimeZone)")
    run.add_argument("--region", help="AWS region (default: the session's)")
    args = parser.parse_args(argv)
    check_step_arguments(parser, args)

    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(name)s %(message)s")
    session = boto3.Session(region_name=args.region) if args.region else boto3.Session()
    tables = (Tables.from_stack(session, args.stack) if args.stack else
              Tables(os.environ.get("INQUIRIES_TABLE", Tables.inquiries),
                     os.environ.get("INQUIRY_STATS_TABLE", Tables.stats)))
    tables = Tables(inquiries=args.inquiries_table or tables.inquiries, stats=args.stats_table or tables.stats)
    report = rebuild(session.client("dynamodb"), tables, args.time_zone, page_size=args.page_size,
                     max_pages=args.max_pages, pause=args.pause)
    print(json.dumps(asdict(report), indent=2))  # noqa: T201 - the command's output
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
