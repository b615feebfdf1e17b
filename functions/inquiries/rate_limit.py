"""Per-client and per-address limits on accepted inquiries (fixed windows in RateLimitTable).

Keys hold hashes, never an address or IP in clear. A counter item expires with its window.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass

from botocore.exceptions import ClientError

from inquiries import aws
from inquiries.settings import Settings
from inquiries.store import email_hash


class RateLimited(Exception):
    """Too many inquiries from one client or for one address; retry after ``retry_after`` seconds."""

    def __init__(self, scope: str, retry_after: int) -> None:
        super().__init__(f"rate limited ({scope})")
        self.scope = scope
        self.retry_after = max(1, retry_after)


@dataclass(frozen=True)
class RateLimiter:
    """Counts accepted inquiries per client IP per hour and per email address per day."""

    settings: Settings

    def check_and_count(self, *, client_ip: str, email: str, now: float | None = None) -> None:
        """Count this inquiry against both limits; raise ``RateLimited`` when either is used up."""
        at = time.time() if now is None else now
        client_key = hashlib.sha256(f"client:{client_ip}".encode()).hexdigest()
        self._hit("client", client_key, self.settings.rate_limit_per_client_per_hour, 3600, at)
        self._hit("email", email_hash(email), self.settings.rate_limit_per_email_per_day, 86400, at)

    def _hit(self, scope: str, key: str, limit: int, window: int, now: float) -> None:
        window_start = int(now // window) * window
        window_end = window_start + window
        try:
            aws.dynamodb().update_item(
                TableName=self.settings.rate_limit_table,
                Key={"id": {"S": f"{scope}#{key}#{window_start}"}},
                UpdateExpression="ADD hits :one SET expires_at = :expires",
                ConditionExpression="attribute_not_exists(hits) OR hits < :limit",
                ExpressionAttributeValues={
                    ":one": {"N": "1"},
                    ":limit": {"N": str(limit)},
                    ":expires": {"N": str(window_end + 60)},
                },
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
                raise RateLimited(scope, window_end - int(now)) from None
            raise
