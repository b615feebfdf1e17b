"""The per-client limit on accepted submissions (fixed windows of an hour).

Only the client (its source address) is limited here, never the address an inquiry names: a limit
on the named address would let anyone who knows it lock that person out, and a person in crisis
must always be heard. What protects an address from floods is the cap on confirmation emails
(``delivery.address_cap``). Counter keys are keyed hashes, never an IP in clear.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from inquiries import peppers as keyed
from inquiries.data.items import CLIENT_SCOPE
from inquiries.data.rate_limits import fixed_window
from inquiries.peppers import Peppers

HOUR = 3600


class RateLimited(Exception):
    """Too many inquiries from one client; retry after ``retry_after`` seconds."""

    def __init__(self, scope: str, retry_after: int) -> None:
        super().__init__(f"rate limited ({scope})")
        self.scope = scope
        self.retry_after = max(1, retry_after)


class Counters(Protocol):
    """Fixed-window counters (``data.rate_limits.RateLimitCounters``, or an in-memory fake)."""

    def count_within(self, scope: str, hashed_key: str, *, limit: int, window_start: int,
                     window_end: int) -> bool: ...


def client_key(client_ip: str, peppers: Peppers) -> str:
    """The keyed counter key of one client address."""
    return peppers.keyed_hash(keyed.CLIENT, client_ip)


@dataclass(frozen=True)
class RateLimiter:
    """Counts submissions per client IP per hour, honeypot catches included (they count against the
    client that sent them, and nothing else)."""

    counters: Counters
    per_client_per_hour: int
    peppers: Peppers

    def check_and_count(self, *, client_ip: str, now: float) -> None:
        """Count this submission against its client; raise ``RateLimited`` when the hour's limit is used up."""
        start, end = fixed_window(now, HOUR)
        if not self.counters.count_within(CLIENT_SCOPE, client_key(client_ip, self.peppers),
                                          limit=self.per_client_per_hour, window_start=start, window_end=end):
            raise RateLimited(CLIENT_SCOPE, end - int(now))
