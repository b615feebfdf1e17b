"""The bounded Scan the maintenance commands share (``python -m infra.lookups backfill``, ``python -m
infra.reports rebuild``): InquiriesTable read ``--page-size`` items a Scan call, ``--pause`` seconds between
calls, ``--max-pages`` calls at most (run the command again to go on: each is idempotent), and the options
that say so, checked the same way.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from inquiries.data.pages import scan_pages

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.client import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import ScanOutputTypeDef

DEFAULT_PAGE_SIZE = 100


def scan_in_steps(ddb: DynamoDBClient, request: Mapping[str, Any], *, page_size: int = DEFAULT_PAGE_SIZE,
                  max_pages: int | None = None, pause: float = 0.0,
                  sleep: Callable[[float], None] = time.sleep) -> Iterator[ScanOutputTypeDef]:
    """The Scan's pages, ``page_size`` items each, at most ``max_pages``; after a page the caller has handled,
    ``pause`` seconds before the next call (none after the last page)."""
    for pages, page in enumerate(scan_pages(ddb, {**request, "Limit": page_size}), start=1):
        yield page
        if pause and "LastEvaluatedKey" in page:
            sleep(pause)
        if max_pages is not None and pages >= max_pages:
            return


def add_step_arguments(command: argparse.ArgumentParser) -> None:
    """``--page-size``, ``--max-pages`` and ``--pause``."""
    command.add_argument("--page-size", type=int, default=DEFAULT_PAGE_SIZE, help="items a Scan call (default 100)")
    command.add_argument("--max-pages", type=int, help="stop after this many Scan calls (run again to go on)")
    command.add_argument("--pause", type=float, default=0.0, help="seconds between Scan calls")


def check_step_arguments(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """Refuse (exit 2, as argparse does) a page size or page count under 1, or a negative pause."""
    if args.page_size < 1 or (args.max_pages is not None and args.max_pages < 1) or args.pause < 0:
        parser.error("--page-size and --max-pages are whole numbers from 1, --pause is not negative")
