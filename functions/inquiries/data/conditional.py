"""Conditional writes: a refused condition is an answer (False), any other failure a domain error."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError

from inquiries import aws
from inquiries.data.errors import as_domain_error, condition_failed

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.type_defs import AttributeValueTypeDef, UpdateItemInputTypeDef


def update_if(**request: Any) -> bool:
    """Run one conditional ``UpdateItem``. False when its ``ConditionExpression`` did not hold.

    Raises ``DataUnavailable`` (or ``Throttled``) for every other failure.
    """
    return updated_attributes_if(**request) is not None


def updated_attributes_if(**request: Any) -> dict[str, AttributeValueTypeDef] | None:
    """Run one conditional ``UpdateItem``: the ``Attributes`` it returned (as ``ReturnValues`` asks;
    empty without), or None when its ``ConditionExpression`` did not hold.

    Raises ``DataUnavailable`` (or ``Throttled``) for every other failure.
    """
    typed: UpdateItemInputTypeDef = request  # type: ignore[assignment]
    try:
        response = aws.dynamodb().update_item(**typed)
    except ClientError as exc:
        if condition_failed(exc):
            return None
        raise as_domain_error(exc) from None
    except BotoCoreError as exc:
        raise as_domain_error(exc) from None
    return dict(response.get("Attributes", {}))
