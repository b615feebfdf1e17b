"""DeliverWebhookFunction's work for one delivery message: sign, send, and decide what the answer means.

The retry schedule is Standard Webhooks': the first attempt at once, then after 5 s, 5 min, 30 min, 2 h,
5 h, 10 h and 10 h (eight attempts over about 28 hours). SQS counts the attempts (the message's receive
count); after a failed attempt the consumer sets the message's visibility to the next delay
(ChangeMessageVisibility), and after the eighth the queue's redrive policy (maxReceiveCount 8) moves it
to the DLQ. An answer means:

- 2xx: delivered;
- 410 Gone: the receiver says the endpoint is gone: the destination is disabled (reason ``gone``) and
  nothing more is sent to it until ops enable it again (and replay what it missed);
- anything else (3xx: redirects are never followed; 4xx; 5xx; no answer within the deadline; an address
  the SSRF guard refuses): failed, retried on the schedule.

A message for a destination that is disabled or gone is dropped (counted): a replay re-sends from the
event log once it is enabled.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from inquiries.data.webhooks import GONE, Destination, Destinations
from inquiries.handoff import signing
from inquiries.handoff.events import InquiryEvent
from inquiries.handoff.publish import DeliveryMessage
from inquiries.handoff.sender import DeliveryFailed, DeliveryRefused, post

# Seconds to wait before each attempt (attempt n waits SCHEDULE[n - 1]); its length is maxReceiveCount.
SCHEDULE = (0, 5, 5 * 60, 30 * 60, 2 * 3600, 5 * 3600, 10 * 3600, 10 * 3600)
MAX_ATTEMPTS = len(SCHEDULE)


def delay_after(attempt: int) -> int:
    """How long a message waits after its ``attempt``-th failed attempt (0 after the last: on to the DLQ)."""
    return SCHEDULE[attempt] if 1 <= attempt < MAX_ATTEMPTS else 0


class Outcome(StrEnum):
    """What became of one attempt."""

    DELIVERED = "delivered"
    GONE = "gone"
    SKIPPED = "skipped"
    FAILED = "failed"


@dataclass(frozen=True)
class Attempt:
    """One attempt's outcome, the answer's status (when there was one) and a fixed reason code."""

    outcome: Outcome
    status: int | None = None
    reason: str = ""


class SecretSource(Protocol):
    """Reads a destination's secrets (current, and the previous one during a rotation)."""

    def secrets_for(self, destination: Destination, now: float) -> list[str]:
        """The secrets to sign with, the current one first."""


Sender = Callable[..., int]


@dataclass
class Deliverer:
    """Sends delivery messages."""

    destinations: Destinations
    secrets: SecretSource
    deadline_seconds: float
    allow_loopback_http: bool = False
    send: Sender = post
    clock: Callable[[], float] = time.time

    def attempt(self, message: DeliveryMessage) -> Attempt:
        """One attempt at one message."""
        destination = self.destinations.get(message.destination_id)
        if destination is None or not destination.enabled:
            return Attempt(Outcome.SKIPPED, reason="destination_disabled")
        event = InquiryEvent.from_body(message.body)
        now = self.clock()
        timestamp = int(now)
        headers: Mapping[str, str] = signing.headers(self.secrets.secrets_for(destination, now), event.event_id,
                                                     timestamp, message.body)
        try:
            status = self.send(destination.url, message.body.encode("utf-8"), headers,
                               deadline=self.deadline_seconds, allow_loopback_http=self.allow_loopback_http)
        except (DeliveryRefused, DeliveryFailed) as exc:
            return Attempt(Outcome.FAILED, reason=exc.reason)
        if 200 <= status < 300:
            return Attempt(Outcome.DELIVERED, status)
        if status == 410:
            self.destinations.set_enabled(destination.destination_id, False, GONE)
            return Attempt(Outcome.GONE, status, "gone")
        if 300 <= status < 400:
            return Attempt(Outcome.FAILED, status, "redirect")
        return Attempt(Outcome.FAILED, status, f"http_{status // 100}xx")
