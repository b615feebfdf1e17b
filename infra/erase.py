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
import sys
from collections.abc import Sequence
from typing import TextIO

import boto3
from inquiries.models import InvalidEmailAddress
from inquiries.peppers import read_peppers
from inquiries.rights.erasure import STACK_OUTPUTS, ErasureReport, Tables, erase
from inquiries.rights.person import InvalidPhoneNumber

__all__ = ["STACK_OUTPUTS", "ErasureReport", "Tables", "erase", "main"]

LOG = logging.getLogger("infra.erase")


PROMPT = "Email address to erase (not shown): "


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
        if args.phone:
            report = erase(None, session.client("dynamodb"), tables, peppers, phone=address, dry_run=args.dry_run)
        else:
            report = erase(address, session.client("dynamodb"), tables, peppers, dry_run=args.dry_run)
    except (InvalidEmailAddress, InvalidPhoneNumber):
        parser.error("that is not an address the intake would accept, so nothing can be stored under it")
    log_report(report)
    print(json.dumps(report.as_dict(), indent=2))  # noqa: T201 - the command's output
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
