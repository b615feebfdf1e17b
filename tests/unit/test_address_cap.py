"""The confirmation caps' keys: one mailbox however its address is spelled, one domain; keyed hashes only."""

from __future__ import annotations

import pytest
from inquiries.delivery.address_cap import (
    CAPPED_REASON,
    DOMAIN_CAPPED_REASON,
    ConfirmationCap,
    mail_domain,
    mailbox,
)
from inquiries.peppers import Peppers

PEPPERS = Peppers(current=b"p" * 32)


@pytest.mark.parametrize("spelling", [
    "victim@gmail.com", "VICTIM@gmail.com", "v.ictim@gmail.com", "vic.tim+1@gmail.com", "victim+clinic@gmail.com",
    "VICTIM@googlemail.com", "v.i.c.t.i.m+x+y@GoogleMail.com", " victim@gmail.com ",
])
def test_every_spelling_gmail_delivers_to_one_inbox_is_one_mailbox(spelling: str) -> None:
    assert mailbox(spelling) == "victim@gmail.com"


@pytest.mark.parametrize("spelling", ["victim@example.org", "Victim@Example.org", "victim+1@example.org",
                                      "VICTIM+tag+more@example.org"])
def test_a_plus_tag_and_case_are_dropped_at_any_domain(spelling: str) -> None:
    assert mailbox(spelling) == "victim@example.org"


def test_dots_are_only_dropped_where_the_provider_ignores_them() -> None:
    assert mailbox("v.ictim@example.org") == "v.ictim@example.org"
    assert mailbox("v.ictim@example.org") != mailbox("victim@example.org")


def test_googlemail_is_gmail_for_the_domain_cap_too() -> None:
    assert mail_domain("someone@GoogleMail.com") == mail_domain("other@gmail.com") == "gmail.com"
    assert mail_domain("someone@Example.ORG") == "example.org"


class RecordingCounters:
    """RateLimitCounters.count_once_within in memory: keeps what it is given, per key."""

    def __init__(self) -> None:
        self.members: dict[tuple[str, str, int], set[str]] = {}

    def count_once_within(self, scope: str, hashed_key: str, member: str, *, limit: int, window_start: int,
                          window_end: int) -> bool:
        counted = self.members.setdefault((scope, hashed_key, window_start), set())
        if member in counted or len(counted) < limit:
            counted.add(member)
            return True
        return False


def _cap(counters: RecordingCounters, *, per_address: int = 3, per_domain: int = 100) -> ConfirmationCap:
    return ConfirmationCap(counters, per_address_per_day=per_address,
                           per_domain_per_day=per_domain, peppers=PEPPERS)


def test_spellings_of_one_mailbox_share_its_cap_and_the_keys_are_keyed_hashes() -> None:
    counters = RecordingCounters()
    cap = _cap(counters)
    spellings = ["victim+1@gmail.com", "v.ictim@gmail.com", "VICTIM@googlemail.com", "vic.tim+2@gmail.com"]
    verdicts = [cap.refusal(f"inq-{n}", address, now=1_800_000_000.0) for n, address in enumerate(spellings)]
    assert verdicts == [None, None, None, CAPPED_REASON]
    scopes = {scope for scope, _key, _start in counters.members}
    assert scopes == {"email", "domain"}
    for _scope, key, _start in counters.members:
        assert len(key) == 64 and int(key, 16) >= 0, "a keyed hash (hex), never the address or the domain"
        for plain in ("victim", "gmail", "googlemail"):
            assert plain not in key


def test_a_retried_confirmation_is_counted_once_in_both_caps() -> None:
    counters = RecordingCounters()
    cap = _cap(counters, per_address=1, per_domain=1)
    assert cap.refusal("inq-1", "robin@example.org", now=1_800_000_000.0) is None
    assert cap.refusal("inq-1", "robin@example.org", now=1_800_000_100.0) is None
    assert cap.refusal("inq-2", "other@example.org", now=1_800_000_200.0) == DOMAIN_CAPPED_REASON


def test_the_domain_cap_counts_distinct_mailboxes_and_spares_other_domains() -> None:
    counters = RecordingCounters()
    cap = _cap(counters, per_domain=2)
    now = 1_800_000_000.0
    assert [cap.refusal(f"inq-{n}", f"random{n}@bounce.example", now=now) for n in range(4)] == [
        None, None, DOMAIN_CAPPED_REASON, DOMAIN_CAPPED_REASON]
    assert cap.refusal("inq-9", "someone@other.example", now=now) is None
    assert cap.refusal("inq-10", "random0@bounce.example", now=now + 86400) is None, "a new day, a new count"


def test_a_mailbox_over_its_cap_does_not_use_up_its_domain() -> None:
    """One person flooded must not cost everyone else at their provider a confirmation."""
    counters = RecordingCounters()
    cap = _cap(counters, per_address=1, per_domain=2)
    now = 1_800_000_000.0
    assert cap.refusal("inq-1", "victim@gmail.com", now=now) is None
    for n in range(5):
        assert cap.refusal(f"flood-{n}", f"victim+{n}@gmail.com", now=now) == CAPPED_REASON
    assert cap.refusal("inq-2", "someone.else@gmail.com", now=now) is None
