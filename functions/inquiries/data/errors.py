"""What the data layer raises instead of botocore's exceptions.

No text here ever quotes a stored value: a ``DataUnavailable`` carries the AWS error code or the
botocore exception's type name, nothing from the request or the item.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from botocore.exceptions import BotoCoreError, ClientError

# Error codes that say "slow down", not "this is wrong": worth a retry after a while.
_THROTTLING_CODES = frozenset({
    "ThrottlingException",
    "ProvisionedThroughputExceededException",
    "RequestLimitExceeded",
    "TransactionInProgressException",
})


class DataUnavailable(Exception):
    """DynamoDB refused or did not answer a call. ``cause`` is a fixed code (AWS error code or type name)."""

    def __init__(self, cause: str) -> None:
        super().__init__(cause)
        self.cause = cause


class Throttled(DataUnavailable):
    """DynamoDB asked us to slow down: the same call may pass later."""


class DuplicateSubmission(Exception):
    """The guard for this submission already exists: it was stored before (``inquiry_id``)."""

    def __init__(self, inquiry_id: str) -> None:
        super().__init__("submission already stored")
        self.inquiry_id = inquiry_id


class InquiryNotFound(Exception):
    """No inquiry has this id."""


class VersionConflict(Exception):
    """The inquiry changed since the version the caller read (or its status no longer allows this)."""


class InvalidCursor(Exception):
    """A paging cursor the data layer did not hand out for this list."""


class AuditUnavailable(DataUnavailable):
    """An audit entry could not be stored, so the act it records must not happen."""


def condition_failed(exc: ClientError) -> bool:
    """True when a conditional write was refused because its condition did not hold."""
    return exc.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException"


def as_domain_error(exc: ClientError | BotoCoreError) -> DataUnavailable:
    """The domain exception for a botocore failure (its code or type name only, never its message)."""
    if isinstance(exc, ClientError):
        code = exc.response.get("Error", {}).get("Code", "") or "ClientError"
        return Throttled(code) if code in _THROTTLING_CODES else DataUnavailable(code)
    return DataUnavailable(type(exc).__name__)


@contextmanager
def domain_errors() -> Iterator[None]:
    """Re-raise any botocore failure inside the block as ``DataUnavailable`` (or ``Throttled``)."""
    try:
        yield
    except (ClientError, BotoCoreError) as exc:
        raise as_domain_error(exc) from None
