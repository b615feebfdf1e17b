"""Conditional writes: a refused condition is an answer (False), any other failure a domain error."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError

from inquiries import aws
from inquiries.data.errors import as_domain_error, condition_failed

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.type_defs import UpdateItemInputTypeDef


def update_if(**request: Any) -> bool:
    """Run one conditional ``UpdateItem``. False when its ``ConditionExpression`` did not hold.

    Raises ``DataUnavailable`` (or ``Throttled``) for every other failure.
    """
    typed: UpdateItemInputTypeDef = request  # type: ignore[assignment]
    try:
        aws.dynamodb().update_item(**typed)
    except ClientError as exc:
        if condition_failed(exc):
            return False
        raise as_domain_error(exc) from None
    except BotoCoreError as exc:
        raise as_domain_error(exc) from None
    return True
