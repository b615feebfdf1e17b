"""Paged DynamoDB reads, written once: a Query or a Scan followed page by page until DynamoDB has no more.

Each page is one call, with the request's own ``Limit`` (if any); the next starts after the page's
``LastEvaluatedKey``. The caller reads what it needs of each page (``Items``, ``Count``) and may stop
at any point: no page is fetched before the caller asks for it. With ``domain=True`` each call raises
the data layer's exceptions (``DataUnavailable``, ``Throttled``) instead of botocore's.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager, nullcontext
from typing import TYPE_CHECKING, Any, TypeVar

from .errors import domain_errors

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import QueryOutputTypeDef, ScanOutputTypeDef

Page = TypeVar("Page", bound=Mapping[str, Any])


def query_pages(client: DynamoDBClient, request: Mapping[str, Any], *,
                domain: bool = False) -> Iterator[QueryOutputTypeDef]:
    """Every page of one Query (``request``: the Query's parameters, not changed)."""
    return _pages(client.query, request, domain)


def scan_pages(client: DynamoDBClient, request: Mapping[str, Any], *,
               domain: bool = False) -> Iterator[ScanOutputTypeDef]:
    """Every page of one Scan (``request``: the Scan's parameters, not changed)."""
    return _pages(client.scan, request, domain)


def query_count(client: DynamoDBClient, request: Mapping[str, Any], *, domain: bool = False) -> int:
    """The ``Count`` of every page of one Query added up (for ``Select=COUNT`` requests)."""
    return sum(int(page.get("Count", 0)) for page in query_pages(client, request, domain=domain))


def _pages(call: Callable[..., Page], request: Mapping[str, Any], domain: bool) -> Iterator[Page]:
    kwargs = dict(request)
    while True:
        with _guard(domain):
            page = call(**kwargs)
        yield page
        if "LastEvaluatedKey" not in page:
            return
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def _guard(domain: bool) -> AbstractContextManager[object]:
    return domain_errors() if domain else nullcontext()
