"""The caps on confirmation emails: per mailbox per day, and per domain per day.

Anyone can type anyone's address into the form. Every such inquiry is still accepted, stored and
shown to the care team (a limit at intake would let a stranger lock the real person out), but:

- one **mailbox** receives at most a few confirmations a day, so nobody can flood a stranger's inbox
  with the clinic's mail. The key is the mailbox the address delivers to, not the address as typed:
  lower case, the ``+tag`` dropped (``victim+1@`` is ``victim@``), and at Gmail dots dropped and
  ``googlemail.com`` read as ``gmail.com`` (``V.ictim@googlemail.com`` is ``victim@gmail.com``);
- one **domain** receives at most ``per_domain_per_day`` confirmations a day (distinct inquiries), so a
  flood of made-up addresses at one domain cannot push the account's bounce rate toward the point where
  SES pauses sending for everyone. One cap for every domain, big providers included: made-up addresses
  at gmail.com are the cheapest such flood. Its default is far above a clinic's daily inquiries.

The mailbox is checked first: a flood at one mailbox stops there and uses none of its domain's day.
Counter keys are keyed hashes (the pepper) of the mailbox and of the domain, never either in clear.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from inquiries import peppers as keyed
from inquiries.data.items import DOMAIN_SCOPE, EMAIL_SCOPE
from inquiries.data.rate_limits import fixed_window
from inquiries.peppers import Peppers

DAY = 86400
# Recorded on the inquiry as the confirmation's failure reason, and the skip metric's reason.
CAPPED_REASON = "address_daily_cap"
DOMAIN_CAPPED_REASON = "domain_daily_cap"

# Domains whose mailboxes ignore dots in the local part, and the name each is delivered under.
_DOTLESS_DOMAINS = {"gmail.com": "gmail.com", "googlemail.com": "gmail.com"}


def mail_domain(address: str) -> str:
    """The domain an address is delivered to, lower case (``googlemail.com`` is ``gmail.com``)."""
    domain = address.strip().rpartition("@")[2].lower()
    return _DOTLESS_DOMAINS.get(domain, domain)


def mailbox(address: str) -> str:
    """The mailbox an address delivers to: lower case, ``+tag`` dropped, and at Gmail, dots dropped.

    Only for counting: the email is always sent to the address as the person typed it.
    """
    local = address.strip().rpartition("@")[0].lower().split("+", 1)[0]
    domain = mail_domain(address)
    if domain in _DOTLESS_DOMAINS.values():
        local = local.replace(".", "")
    return f"{local}@{domain}"


def mailbox_hashes(address: str, peppers: Peppers) -> list[str]:
    """The mailbox counter's key under every valid pepper (what erasure looks for)."""
    return peppers.all_keyed_hashes(keyed.EMAIL, mailbox(address))


def domain_hashes(address: str, peppers: Peppers) -> list[str]:
    """The domain counter's key under every valid pepper (what erasure looks for)."""
    return peppers.all_keyed_hashes(keyed.DOMAIN, mail_domain(address))


class Counters(Protocol):
    """Count-once counters (``data.rate_limits.RateLimitCounters``, or an in-memory fake)."""

    def count_once_within(self, scope: str, hashed_key: str, member: str, *, limit: int, window_start: int,
                          window_end: int) -> bool: ...


@dataclass(frozen=True)
class ConfirmationCap:
    """Counts confirmations per mailbox and per domain per day in RateLimitTable."""

    counters: Counters
    per_address_per_day: int
    per_domain_per_day: int
    peppers: Peppers

    def refusal(self, inquiry_id: str, email: str, now: float) -> str | None:
        """Count the confirmation of ``inquiry_id`` to ``email``; None when it may be sent, else the reason
        (``address_daily_cap``, ``domain_daily_cap``) today's caps refuse it for.

        Counted once per inquiry: a send retried after a throttle is not counted again.
        """
        start, end = fixed_window(now, DAY)
        # The mailbox under the EMAIL purpose: for an address already in that form the key is the address's
        # own hash, as before mailboxes were keyed.
        box = self.peppers.keyed_hash(keyed.EMAIL, mailbox(email))
        if not self.counters.count_once_within(EMAIL_SCOPE, box, inquiry_id, limit=self.per_address_per_day,
                                               window_start=start, window_end=end):
            return CAPPED_REASON
        domain = self.peppers.keyed_hash(keyed.DOMAIN, mail_domain(email))
        if not self.counters.count_once_within(DOMAIN_SCOPE, domain, inquiry_id, limit=self.per_domain_per_day,
                                               window_start=start, window_end=end):
            return DOMAIN_CAPPED_REASON
        return None
