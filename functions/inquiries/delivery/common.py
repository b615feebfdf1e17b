"""What the two consumers share: reading a claim-check message and sorting failures.

A failure is either *retryable* (raise: the batch reports the item failed, SQS redelivers it and,
after ``maxReceiveCount`` receives, moves it to the DLQ) or *permanent* (record a fixed reason
code on the inquiry, log ids and the code, count it, and return normally so it is not retried).

No exception raised from here carries PHI in its text: SES error messages can quote the recipient's
address, and an exception's text must never reach a log line.
"""

from __future__ import annotations

import json
import re
import secrets
import socket
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from botocore.exceptions import (
    ConnectionClosedError,
    ConnectTimeoutError,
    EndpointConnectionError,
    ReadTimeoutError,
)

from inquiries.data.delivery import ClaimOutcome, DeliveryLeases
from inquiries.data.errors import DataUnavailable
from inquiries.data.inquiries import InquiryRepository
from inquiries.data.items import DeliveryStep
from inquiries.delivery.sqs_batch import QueueMessage
from inquiries.observability import count_by_reason, logger
from inquiries.record import StoredInquiry, UnreadableRecord
from inquiries.settings import DeliverySettings

S = TypeVar("S", bound=DeliverySettings)
_ULID = re.compile(r"^[0-9A-HJKMNP-TV-Z]{26}$")


class MalformedMessage(Exception):
    """The queue message is not ``{"inquiry_id": "<ULID>"}``. Permanent: retrying cannot fix it."""

    def __init__(self) -> None:
        super().__init__("malformed_message")


class RetryableDeliveryError(Exception):
    """A send failed for a reason that may pass (throttling, 5xx, timeout, a live lease elsewhere).

    Its text is a fixed reason code, never PHI.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class InquiryMessage:
    """A claim-check message: the id of the inquiry to act on."""

    inquiry_id: str

    @classmethod
    def parse(cls, body: str | None) -> InquiryMessage:
        """Read a message body; raise ``MalformedMessage`` unless it names one inquiry id.

        Keys other than ``inquiry_id`` are ignored, so the producer can add non-PHI fields later.
        """
        try:
            data = json.loads(body or "")
        except ValueError:
            raise MalformedMessage() from None
        inquiry_id = data.get("inquiry_id") if isinstance(data, dict) else None
        if not isinstance(inquiry_id, str) or not _ULID.match(inquiry_id):
            raise MalformedMessage()
        return cls(inquiry_id=inquiry_id)


def new_claim_token() -> str:
    """A random token naming one consumer's lease on one send."""
    return secrets.token_hex(16)


# Network failures that say nothing about the request itself: always worth another try.
TRANSIENT_NETWORK_ERRORS: tuple[type[Exception], ...] = (
    EndpointConnectionError,
    ConnectTimeoutError,
    ReadTimeoutError,
    ConnectionClosedError,
    socket.timeout,
)

# SES v2 error codes that are about this one recipient: retrying cannot help. SES v2 refuses an
# address it cannot use ("Illegal address") with BadRequestException.
# Account-wide problems are deliberately *not* here: they are ops' to fix, so those messages are
# retried and end in the DLQ (alarmed), ready to be moved back once fixed, instead of being marked
# failed for every person who wrote in meanwhile. That includes MessageRejected, which is what SES
# answers for an unverified sender identity or, in the SES sandbox, an unverified recipient; and
# AccountSuspendedException, SendingPausedException, MailFromDomainNotVerifiedException and a
# missing configuration set.
SES_PERMANENT_CODES: dict[str, str] = {
    "BadRequestException": "ses_address_rejected",
}


def reason_code(error_code: str) -> str:
    """A metric- and log-safe reason code from an AWS error code (letters, digits, underscores)."""
    return re.sub(r"[^a-z0-9_]", "_", error_code.lower())[:64] or "unknown"


def claim_or_retry(leases: DeliveryLeases, inquiry_id: str, step: DeliveryStep,
                   when: datetime) -> tuple[ClaimOutcome, str]:
    """Try to take ``step`` for ``inquiry_id`` with a fresh lease token; return the outcome and the token.

    When another consumer holds a live lease its outcome is not known yet, so this raises
    ``RetryableDeliveryError``: the message comes back after the visibility timeout.
    """
    token = new_claim_token()
    outcome = leases.claim(inquiry_id, step, token, when)
    if outcome is ClaimOutcome.HELD:
        raise RetryableDeliveryError(f"{step.value}_claim_held")
    return outcome, token


def release_and_retry(leases: DeliveryLeases, inquiry_id: str, step: DeliveryStep, token: str,
                      reason: str) -> RetryableDeliveryError:
    """Give up a lease after a transient failure and build the error to raise (the item is retried)."""
    try:
        leases.release(inquiry_id, step, token)
    except Exception:  # the lease expires by itself; the retry matters more
        logger.warning("lease not released", extra={"inquiry_id": inquiry_id, "step": step.value})
    return RetryableDeliveryError(reason)


def record_sent(leases: DeliveryLeases, inquiry_id: str, step: DeliveryStep, now: datetime,
                notes: dict[str, str] | None = None) -> None:
    """Record a step done *after* it was sent. A failure here is logged and counted, never retried.

    Retrying would send the email or notification again. The lease stays in place until it expires,
    so copies of the message arriving meanwhile are held back rather than sent.
    """
    try:
        leases.mark_sent(inquiry_id, step, now, notes=notes)
    except DataUnavailable as exc:
        logger.error("sent, but the delivery could not be recorded",
                     extra={"inquiry_id": inquiry_id, "step": step.value, "error_type": exc.cause})
        count_by_reason("DeliverySentUnrecorded", step.value)


def leases_for(settings: DeliverySettings) -> DeliveryLeases:
    """The leases on the sends of the inquiries ``settings`` name."""
    return DeliveryLeases(settings.inquiries_table, settings.delivery_lease_seconds)


def read_inquiry(inquiry_id: str, settings: DeliverySettings) -> StoredInquiry | None:
    """The inquiry for a consumer, or None. An unreadable record is retried (and ends in the DLQ)."""
    try:
        return InquiryRepository(settings.inquiries_table).get(inquiry_id)
    except UnreadableRecord:
        # Its text names a field, never a value; the reason code names neither.
        raise RetryableDeliveryError("unreadable_record") from None


@contextmanager
def phi_safe_failures(inquiry_id: str, metric: str) -> Iterator[None]:
    """Log, count and re-raise failures as ``RetryableDeliveryError`` with a fixed reason code.

    Anything unexpected is retried too (then DLQ'd): its own text, which might quote a value, is
    dropped and only its type name is kept.
    """
    try:
        yield
    except RetryableDeliveryError as exc:
        logger.warning("send will be retried", extra={"inquiry_id": inquiry_id, "reason": exc.reason})
        count_by_reason(metric, exc.reason)
        raise
    except DataUnavailable as exc:
        reason = "dynamodb_" + reason_code(exc.cause)
        logger.warning("send will be retried", extra={"inquiry_id": inquiry_id, "reason": reason})
        count_by_reason(metric, reason)
        raise RetryableDeliveryError(reason) from None
    except Exception as exc:  # sorted into a retryable failure with a safe reason
        reason = "unexpected_" + reason_code(type(exc).__name__)
        logger.error("send failed unexpectedly; will be retried", extra={"inquiry_id": inquiry_id, "reason": reason})
        count_by_reason(metric, reason)
        raise RetryableDeliveryError(reason) from None


def inquiry_id_from_message(body: str | None, message_id: str, metric: str) -> str | None:
    """The inquiry id a queue message names, or None (logged and counted) when it is malformed."""
    try:
        return InquiryMessage.parse(body).inquiry_id
    except MalformedMessage:
        logger.warning("malformed message dropped", extra={"message_id": message_id, "reason": "malformed_message"})
        count_by_reason(metric, "malformed_message")
        return None


def claim_check_record_handler(
    deliver: Callable[[str, S], str], settings: S, failure_metric: str
) -> Callable[[QueueMessage], str]:
    """The handler of one claim-check queue message: read the id, then ``deliver`` it.

    Malformed messages are dropped (logged and counted under ``failure_metric``): retrying cannot fix them.
    """

    def record_handler(record: QueueMessage) -> str:
        inquiry_id = inquiry_id_from_message(record.body, record.message_id, failure_metric)
        if inquiry_id is None:
            return "malformed_message"
        return deliver(inquiry_id, settings)

    return record_handler
