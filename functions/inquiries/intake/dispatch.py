"""How an inquiry travels: claim-check messages (identifiers only) to the two work queues."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Protocol

from botocore.exceptions import BotoCoreError, ClientError

from inquiries import aws
from inquiries.data.errors import DataUnavailable
from inquiries.observability import logger
from inquiries.settings import DispatchSettings


class DispatchFailed(Exception):
    """A queue message could not be sent; the inquiry stays marked dispatch-pending."""


def claim_check(inquiry_id: str) -> str:
    """The body of every work message: the inquiry's id and nothing else (consumers read the record)."""
    return json.dumps({"inquiry_id": inquiry_id}, separators=(",", ":"))


@dataclass(frozen=True)
class Dispatcher:
    """Sends one inquiry to ConfirmationQueue and CareTeamQueue."""

    settings: DispatchSettings

    def send(self, inquiry_id: str) -> None:
        """Send both messages. Raises ``DispatchFailed`` if either could not be sent.

        Sending twice is harmless: each consumer records its delivery on the inquiry and skips repeats.
        """
        body = claim_check(inquiry_id)
        for queue_url in (self.settings.care_team_queue_url, self.settings.confirmation_queue_url):
            try:
                aws.sqs().send_message(QueueUrl=queue_url, MessageBody=body)
            except (ClientError, BotoCoreError) as exc:
                raise DispatchFailed(type(exc).__name__) from exc


class SendsClaimChecks(Protocol):
    """``Dispatcher``, or a fake."""

    def send(self, inquiry_id: str) -> None: ...


class ClearsDispatchMarker(Protocol):
    """The dispatch-pending marker (``data.inquiries.InquiryRepository``, or a fake)."""

    def clear_dispatch_pending(self, inquiry_id: str, pending_since: str) -> bool: ...


def dispatch_and_clear(dispatcher: SendsClaimChecks, marker: ClearsDispatchMarker, inquiry_id: str,
                       pending_since: str) -> bool:
    """Send both claim checks, then clear the dispatch-pending marker set at ``pending_since``.

    False when a send failed: the marker stays and redispatch retries (callers count it). When both went
    out but the marker cannot be cleared, True all the same: a later redispatch re-sends and the consumers
    skip the repeat. Intake, redispatch and the care team's spam release all go through here.
    """
    try:
        dispatcher.send(inquiry_id)
    except DispatchFailed as exc:
        logger.warning("dispatch deferred; redispatch will retry", extra={"inquiry_id": inquiry_id,
                                                                           "error_type": str(exc)})
        return False
    try:
        marker.clear_dispatch_pending(inquiry_id, pending_since)
    except DataUnavailable as exc:
        logger.warning("could not clear the dispatch marker", extra={"inquiry_id": inquiry_id,
                                                                      "error_type": exc.cause})
    return True
