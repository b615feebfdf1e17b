"""Per-client and per-address limits on accepted inquiries (fixed windows).

Counter keys hold hashes, never an address or IP in clear; the counting itself is
``data.rate_limits``'. This module decides what the counts mean.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Protocol

from inquiries.data.items import CLIENT_SCOPE, EMAIL_SCOPE, email_hash


class RateLimited(Exception):
    """Too many inquiries from one client or for one address; retry after ``retry_after`` seconds."""

    def __init__(self, scope: str, retry_after: int) -> None:
        super().__init__(f"rate limited ({scope})")
        self.scope = scope
        self.retry_after = max(1, retry_after)


class Counters(Protocol):
    """Fixed-window counters (``data.rate_limits.RateLimitCounters``, or an in-memory fake)."""

    def count_within(self, scope: str, hashed_key: str, *, limit: int, window_start: int,
                     window_end: int) -> bool: ...


def client_key(client_ip: str) -> str:
    """The hashed counter key of one client address."""
    return hashlib.sha256(f"client:{client_ip}".encode()).hexdigest()


@dataclass(frozen=True)
class RateLimiter:
    """Counts accepted inquiries per client IP per hour and per email address per day."""

    counters: Counters
    per_client_per_hour: int
    per_email_per_day: int

    def check_and_count(self, *, client_ip: str, email: str, now: float) -> None:
        """Count this inquiry against both limits; raise ``RateLimited`` when either is used up."""
        self._hit(CLIENT_SCOPE, client_key(client_ip), self.per_client_per_hour, 3600, now)
        self._hit(EMAIL_SCOPE, email_hash(email), self.per_email_per_day, 86400, now)

    def _hit(self, scope: str, key: str, limit: int, window: int, now: float) -> None:
        window_start = int(now // window) * window
        window_end = window_start + window
        if not self.counters.count_within(scope, key, limit=limit, window_start=window_start,
                                          window_end=window_end):
            raise RateLimited(scope, window_end - int(now))
