"""boto3 clients, created once per process (Lambda cold start) and reused across invocations."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

import boto3
from botocore.config import Config

if TYPE_CHECKING:
    from mypy_boto3_cloudwatch import CloudWatchClient
    from mypy_boto3_cognito_idp import CognitoIdentityProviderClient
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_events import EventBridgeClient
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_secretsmanager import SecretsManagerClient
    from mypy_boto3_sesv2 import SESV2Client
    from mypy_boto3_sns import SNSClient
    from mypy_boto3_sqs import SQSClient
    from mypy_boto3_ssm import SSMClient

# Short timeouts and standard retries: the person is waiting for the intake answer. The intake makes
# about seven calls in sequence; IntakeFunction's Timeout leaves room for a slow retry or two.
_CONFIG = Config(connect_timeout=1, read_timeout=3, retries={"mode": "standard", "max_attempts": 3})


@lru_cache(maxsize=1)
def dynamodb() -> DynamoDBClient:
    """The DynamoDB client."""
    return boto3.client("dynamodb", config=_CONFIG)


@lru_cache(maxsize=1)
def sqs() -> SQSClient:
    """The SQS client."""
    return boto3.client("sqs", config=_CONFIG)


@lru_cache(maxsize=1)
def sns() -> SNSClient:
    """The SNS client."""
    return boto3.client("sns", config=_CONFIG)


@lru_cache(maxsize=1)
def sesv2() -> SESV2Client:
    """The SES v2 client."""
    return boto3.client("sesv2", config=_CONFIG)


@lru_cache(maxsize=1)
def ssm() -> SSMClient:
    """The SSM client (chat webhook URL)."""
    return boto3.client("ssm", config=_CONFIG)


@lru_cache(maxsize=1)
def s3() -> S3Client:
    """The S3 client (the audit trail's object-locked archive)."""
    return boto3.client("s3", config=_CONFIG)


@lru_cache(maxsize=1)
def secretsmanager() -> SecretsManagerClient:
    """The Secrets Manager client (the hashing pepper)."""
    return boto3.client("secretsmanager", config=_CONFIG)


@lru_cache(maxsize=1)
def cloudwatch() -> CloudWatchClient:
    """The CloudWatch client (metrics that must not appear in the logs)."""
    return boto3.client("cloudwatch", config=_CONFIG)


@lru_cache(maxsize=1)
def cognito_idp() -> CognitoIdentityProviderClient:
    """The Cognito user pools client (care-team members' names, by ``sub``)."""
    return boto3.client("cognito-idp", config=_CONFIG)


@lru_cache(maxsize=1)
def events() -> EventBridgeClient:
    """The EventBridge client (domain events on InquiryEventBus)."""
    return boto3.client("events", config=_CONFIG)


def reset_clients() -> None:
    """Forget cached clients and what was read through them (tests that switch AWS endpoints call this)."""
    from inquiries.peppers import peppers

    for factory in (dynamodb, sqs, sns, sesv2, ssm, s3, secretsmanager, cloudwatch, cognito_idp, events):
        factory.cache_clear()
    peppers.cache_clear()
