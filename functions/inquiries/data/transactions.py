"""``TransactWriteItems`` tried again when DynamoDB cancels it for a conflict with another transaction.

Two transactions that write the same item at the same moment conflict, and DynamoDB cancels one
(``TransactionCanceledException`` with a ``TransactionConflict`` reason): nothing of it was written, so
sending it again is safe. The weekly counters (``data.stats``) are such shared items; without this, a
submission that met another one on a counter would be refused with a 503. Any other cancellation, a
failed condition above all, is the caller's to read.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from botocore.exceptions import ClientError

from inquiries import aws

if TYPE_CHECKING:
    from collections.abc import Sequence

    from mypy_boto3_dynamodb.type_defs import TransactWriteItemTypeDef

ATTEMPTS = 4
_PAUSE_SECONDS = 0.02


def _conflicted(exc: ClientError) -> bool:
    reasons = exc.response.get("CancellationReasons", [])
    return (exc.response.get("Error", {}).get("Code") == "TransactionCanceledException"
            and any(r.get("Code") == "TransactionConflict" for r in reasons)
            and not any(r.get("Code") == "ConditionalCheckFailed" for r in reasons))


def transact_write(items: Sequence[TransactWriteItemTypeDef]) -> None:
    """Write ``items`` in one transaction, sent again (up to ``ATTEMPTS`` times in all, a short growing pause
    between) while it is cancelled only for conflicts. Raises botocore's errors otherwise."""
    for attempt in range(1, ATTEMPTS + 1):
        try:
            aws.dynamodb().transact_write_items(TransactItems=list(items))
        except ClientError as exc:
            if attempt == ATTEMPTS or not _conflicted(exc):
                raise
            time.sleep(_PAUSE_SECONDS * attempt)
        else:
            return
