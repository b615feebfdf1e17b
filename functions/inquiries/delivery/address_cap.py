"""The cap on confirmation emails to one address per day.

Anyone can type anyone's address into the form. Every such inquiry is still accepted, stored and
shown to the care team (a limit at intake would let a stranger lock the real person out), but the
address receives at most a few confirmations a day, so nobody can flood a stranger's inbox with
the clinic's mail. The counter key is the address's keyed hash, never the address.
"""

from __future__ import annotations

from dataclasses import dataclass

from inquiries.data.items import EMAIL_SCOPE, email_hash
from inquiries.data.rate_limits import RateLimitCounters, fixed_window
from inquiries.peppers import Peppers

DAY = 86400
CAPPED_REASON = "address_daily_cap"  # recorded on the inquiry as the confirmation's failure reason


@dataclass(frozen=True)
class ConfirmationCap:
    """Counts confirmations per address per day in RateLimitTable."""

    counters: RateLimitCounters
    per_address_per_day: int
    peppers: Peppers

    def allow(self, inquiry_id: str, email: str, now: float) -> bool:
        """Count the confirmation of ``inquiry_id`` to ``email``; False when today's cap is reached by others.

        Counted once per inquiry: a send retried after a throttle is not counted again.
        """
        start, end = fixed_window(now, DAY)
        return self.counters.count_once_within(EMAIL_SCOPE, email_hash(email, self.peppers), inquiry_id,
                                               limit=self.per_address_per_day, window_start=start, window_end=end)
