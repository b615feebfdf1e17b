"""How an inquiry travels: claim-check messages (identifiers only) to the two work queues."""

from __future__ import annotations

import json
from dataclasses import dataclass

from botocore.exceptions import BotoCoreError, ClientError

from inquiries import aws
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
