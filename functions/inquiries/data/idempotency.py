"""IdempotencyTable as Powertools' idempotency persistence layer (its own DynamoDB calls, our client)."""

from __future__ import annotations

from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer
from aws_lambda_powertools.utilities.idempotency.persistence.base import BasePersistenceLayer

from inquiries import aws


def idempotency_persistence(table: str) -> BasePersistenceLayer:
    """The persistence layer for idempotent intake, on the shared, configured DynamoDB client."""
    return DynamoDBPersistenceLayer(table_name=table, boto3_client=aws.dynamodb())
