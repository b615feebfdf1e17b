"""Erase one person's data on request: ``python -m infra.erase [--dry-run] [--phone]``, the address asked for.

One implementation, two doors: the erasure itself is ``inquiries.rights.erasure`` (which the console's
``POST /care/erasures`` runs too); this module is the command around it.

The address (with ``--phone``, the phone number) is read from a prompt (not echoed) or, when stdin is not a
terminal, from its first line: never from the command line, where shell history and ``ps`` would keep it.

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

- the erased inquiry ids in the per-domain counters ``domain#<domain hash>#<window>``, shared by everyone at a
  domain: only those ids are taken out (a conditional update; a counter left empty is deleted), for the given
  address's domain and each erased inquiry's stored address's (and, for an erasure by phone, the same for the
  stored addresses' mailbox counters).

It prints a JSON report of the counts, and logs the act to stderr with inquiry ids and counts only:
never the address, nor its hash (which identifies the person as well as the address does).

It audits the act the way the console's erasure does (``inquiries.rights.service``), in AuditTable, before
anything is removed (no entry, no erasure): one ``erasure`` entry with the inquiry ids, the counts, the reason
code (``--reason``, one of the console's) and a request id, and one per erased inquiry kept under its reference
(``erased#<reference>``), so a search of the trail by the erased inquiry's id or reference finds it. The actor is
the AWS identity that ran it (``actor_id``: the caller's ARN from STS; ``actor``: ``infra.erase``). A dry run
shows which inquiries are the person's, so it is audited as the console's search is: one ``person_search``
entry per inquiry found (or one naming none). The audit table is ``--audit-table``, ``AUDIT_TABLE``, the stack's
``AuditTableName`` output, or ``AuditTable`` locally; entries are kept ``AUDIT_RETENTION_DAYS`` (default six years).

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
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TextIO

import boto3
from inquiries.data.audit import AuditEntry, AuditRecords
from inquiries.data.errors import AuditUnavailable
from inquiries.ids import new_inquiry_id
from inquiries.models import InvalidEmailAddress
from inquiries.peppers import read_peppers
from inquiries.rights.erasure import STACK_OUTPUTS, ErasureReport, Tables, erase, stack_outputs
from inquiries.rights.person import InvalidPhoneNumber
from inquiries.rights.service import ERASURE, PERSON_SEARCH
from inquiries.rights.views import REASONS

__all__ = ["STACK_OUTPUTS", "ErasureReport", "Tables", "erase", "main"]

LOG = logging.getLogger("infra.erase")


PROMPT = "Email address to erase (not shown): "
ACTOR = "infra.erase"
AUDIT_TABLE = "AuditTable"
AUDIT_TABLE_OUTPUT = "AuditTableName"
DEFAULT_AUDIT_RETENTION_DAYS = 2192  # six years, as the stack's AuditRetentionDays default


def audit_table_name(session: boto3.Session, flag: str | None, stack: str | None) -> str:
    """The audit table: the flag, the stack's output, ``AUDIT_TABLE``, or the local logical ID."""
    if flag:
        return flag
    if stack:
        outputs = stack_outputs(session, stack)
        if AUDIT_TABLE_OUTPUT not in outputs:
            raise SystemExit(f"stack {stack} has no output {AUDIT_TABLE_OUTPUT}")
        return outputs[AUDIT_TABLE_OUTPUT]
    return os.environ.get("AUDIT_TABLE", AUDIT_TABLE)


@dataclass(frozen=True)
class Operator:
    """Who runs the command, as the audit trail names them: the AWS identity (ARN), never a person's data."""

    arn: str
    audit: AuditRecords

    def entry(self, action: str, **values: Any) -> AuditEntry:
        return AuditEntry(at=datetime.now(UTC), actor=ACTOR, actor_id=self.arn, action=action, **values)

    def record_search(self, kind: str, plan: ErasureReport) -> None:
        ids = tuple(plan.inquiry_ids)
        for inquiry_id in ids or (None,):
            self.audit.record(self.entry(PERSON_SEARCH, inquiry_id=inquiry_id, inquiry_ids=ids, filters=(kind,)))

    def record_erasure(self, plan: ErasureReport, reason: str) -> str:
        """The summary entry and one per inquiry, before anything goes. Returns the request id they carry."""
        request_id = new_inquiry_id()
        self.audit.record(self.entry(ERASURE, inquiry_ids=tuple(plan.inquiry_ids), counts=plan.counts(),
                                     reason=reason, request_id=request_id))
        for inquiry_id in plan.inquiry_ids:
            self.audit.record(self.entry(ERASURE, inquiry_id=inquiry_id, reason=reason, request_id=request_id,
                                         by_reference=True))
        return request_id


def read_address(stdin: TextIO) -> str:
    """The address from a hidden prompt on a terminal, else the first line of stdin."""
    if stdin.isatty():
        return getpass.getpass(PROMPT)
    return stdin.readline().strip()


def log_report(report: ErasureReport) -> None:
    """The act, to stderr: inquiry ids and counts only, never the address nor its hash."""
    LOG.info(json.dumps({"event": "erasure_dry_run" if report.dry_run else "erasure",
                         "inquiry_ids": report.inquiry_ids, "inquiries": report.inquiries,
                         "idempotency_records": report.idempotency_records,
                         "rate_limit_counters": report.rate_limit_counters, "lookup_items": report.lookup_items}))


def main(argv: Sequence[str] | None = None, stdin: TextIO | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m infra.erase",
        description="Erase one person's inquiries and derived records by email address. The address is asked "
                    "for (not echoed), or read from the first line of stdin: never give it as an argument.")
    # Refused explicitly, so the error does not echo the address the way an unknown argument would.
    parser.add_argument("--email", nargs="?", const="", help=argparse.SUPPRESS)
    parser.add_argument("--dry-run", action="store_true", help="count what would be removed; remove nothing")
    parser.add_argument("--phone", action="store_true",
                        help="the line read is a phone number (as intake reads it), not an email address")
    parser.add_argument("--stack", help="read the table names from this CloudFormation stack's Outputs")
    parser.add_argument("--inquiries-table")
    parser.add_argument("--idempotency-table")
    parser.add_argument("--rate-limit-table")
    parser.add_argument("--pepper-secret", help="the hashing pepper's secret (ARN or name)")
    parser.add_argument("--lookup-table")
    parser.add_argument("--audit-table", help="where the act is audited (default: the stack's, or AUDIT_TABLE)")
    parser.add_argument("--reason", choices=REASONS, default="person_request",
                        help="the reason code the audit entry keeps (default: person_request)")
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
    ddb = session.client("dynamodb")
    retention = int(os.environ.get("AUDIT_RETENTION_DAYS", DEFAULT_AUDIT_RETENTION_DAYS))
    operator = Operator(arn=session.client("sts").get_caller_identity()["Arn"],
                        audit=AuditRecords(audit_table_name(session, args.audit_table, args.stack), retention,
                                           client=ddb))
    person = {"email": None, "phone": address} if args.phone else {"email": address, "phone": None}
    try:
        # What goes, read first (a dry run): audited before it is shown or removed.
        plan = erase(person["email"], ddb, tables, peppers, phone=person["phone"], dry_run=True)
        if args.dry_run:
            operator.record_search("phone" if args.phone else "email", plan)
            report = plan
        else:
            operator.record_erasure(plan, args.reason)
            report = erase(person["email"], ddb, tables, peppers, phone=person["phone"])
    except (InvalidEmailAddress, InvalidPhoneNumber):
        parser.error("that is not an address the intake would accept, so nothing can be stored under it")
    except AuditUnavailable as exc:
        # No entry, no erasure: nothing was removed. The error code only (never a message that could echo input).
        raise SystemExit(f"the audit trail could not be written ({exc}); nothing was erased") from None
    log_report(report)
    print(json.dumps(report.as_dict(), indent=2))  # noqa: T201 - the command's output
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
