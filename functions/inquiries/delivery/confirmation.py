"""Send the person their confirmation email (SES v2), once per inquiry.

Exactly once, and its trade-off
-------------------------------
Before sending, the consumer *claims* the send with a conditional update on the inquiry: it
succeeds only while ``confirmation_sent_at`` and ``confirmation_failed_at`` are absent, the
inquiry is not spam, and no other consumer holds a live lease (``delivery_lease_seconds``,
longer than the function timeout, shorter than the queue's visibility timeout). After SES
accepts the email it records ``confirmation_sent_at`` and drops the lease. So redelivery of a
message, a redispatched second message, or two copies processed at once send one email.

The one gap no conditional write can close: if the function dies *after* SES accepted the email
and *before* ``confirmation_sent_at`` is written, the lease runs out and the redelivered message
sends the email again: at most one extra email per such crash. We prefer that to the opposite
order (mark first, then send), where the same crash would mean the person never hears from us.
If only the write fails (DynamoDB throttling), the message is still treated as done
(``record_sent``): retrying it would send the email again.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import formataddr

from botocore.exceptions import ClientError

from inquiries import aws
from inquiries.data.delivery import ClaimOutcome
from inquiries.data.items import DeliveryStep
from inquiries.data.rate_limits import RateLimitCounters
from inquiries.delivery.address_cap import ConfirmationCap
from inquiries.delivery.common import (
    SES_PERMANENT_CODES,
    TRANSIENT_NETWORK_ERRORS,
    claim_or_retry,
    leases_for,
    phi_safe_failures,
    read_inquiry,
    reason_code,
    record_sent,
    release_and_retry,
)
from inquiries.observability import count, count_by_reason, logger
from inquiries.peppers import peppers
from inquiries.record import InquiryStatus
from inquiries.rendering import ConfirmationEmail, render_confirmation_email
from inquiries.settings import ConfirmationSettings

STEP = DeliveryStep.CONFIRMATION
SKIPPED_METRIC = "ConfirmationSkipped"
FAILED_METRIC = "ConfirmationFailed"
RETRIED_METRIC = "ConfirmationRetried"


def _utcnow() -> datetime:
    return datetime.now(UTC)


def send_confirmation(inquiry_id: str, settings: ConfirmationSettings, now: Callable[[], datetime] = _utcnow) -> str:
    """Email the person who sent inquiry ``inquiry_id`` unless that was done (or refused) before.

    Returns a fixed outcome code: ``sent``, ``already_sent``, ``already_failed``, ``spam``,
    ``unknown_inquiry``, ``address_daily_cap`` (the mailbox had its confirmations for today),
    ``domain_daily_cap`` (so had its domain) or a
    permanent failure reason such as ``ses_address_rejected``.
    Raises ``RetryableDeliveryError`` for failures worth retrying (throttling, 5xx, timeouts).
    """
    with phi_safe_failures(inquiry_id, RETRIED_METRIC):
        return _send_confirmation(inquiry_id, settings, now)


def _send_confirmation(inquiry_id: str, settings: ConfirmationSettings, now: Callable[[], datetime]) -> str:
    inquiry = read_inquiry(inquiry_id, settings)
    if inquiry is None:
        return _not_sent(inquiry_id, ClaimOutcome.UNKNOWN_INQUIRY)
    if inquiry.spam or inquiry.status is InquiryStatus.SPAM:
        return _not_sent(inquiry_id, ClaimOutcome.SPAM)
    if inquiry.confirmation_sent_at is not None:
        return _not_sent(inquiry_id, ClaimOutcome.ALREADY_SENT)

    email = render_confirmation_email(inquiry, settings)  # before the claim: a template bug holds no lease
    leases = leases_for(settings)
    claim, token = claim_or_retry(leases, inquiry_id, STEP, now())
    if claim is not ClaimOutcome.CLAIMED:
        return _not_sent(inquiry_id, claim)
    # Counted once the send is ours, and once per inquiry: a copy of the message or a retry after a
    # throttle does not use up the mailbox's (or the domain's) day.
    capped = _cap(settings).refusal(inquiry_id, inquiry.email, now().timestamp())
    if capped is not None:
        # Recorded like a permanent failure (never retried), counted as a skip by reason (never the address
        # or the domain): ops need not act on one, but a run of domain_daily_cap is a flood worth a look.
        leases.mark_failed(inquiry_id, STEP, capped, now())
        logger.info("confirmation not sent", extra={"inquiry_id": inquiry_id, "reason": capped})
        count_by_reason(SKIPPED_METRIC, capped)
        return capped

    try:
        message_id = _send_email(inquiry.email, email, settings)
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "")
        if code in SES_PERMANENT_CODES:
            reason = SES_PERMANENT_CODES[code]
            leases.mark_failed(inquiry_id, STEP, reason, now())
            logger.warning("confirmation not sent: permanent failure",
                           extra={"inquiry_id": inquiry_id, "reason": reason})
            count_by_reason(FAILED_METRIC, reason)
            return reason
        raise release_and_retry(leases, inquiry_id, STEP, token, "ses_" + reason_code(code)) from None
    except TRANSIENT_NETWORK_ERRORS as exc:
        raise release_and_retry(leases, inquiry_id, STEP, token, reason_code(type(exc).__name__)) from None

    record_sent(leases, inquiry_id, STEP, now(), notes={"confirmation_message_id": message_id})
    logger.info("confirmation sent", extra={"inquiry_id": inquiry_id})
    count("ConfirmationSent")
    return "sent"


def _cap(settings: ConfirmationSettings) -> ConfirmationCap:
    return ConfirmationCap(RateLimitCounters(settings.rate_limit_table),
                           per_address_per_day=settings.confirmations_per_email_per_day,
                           per_domain_per_day=settings.confirmations_per_domain_per_day,
                           peppers=peppers(settings.pepper_secret))


def _send_email(to: str, email: ConfirmationEmail, settings: ConfirmationSettings) -> str:
    kwargs: dict[str, object] = {}
    if settings.ses_configuration_set:
        kwargs["ConfigurationSetName"] = settings.ses_configuration_set
    if settings.care_team_reply_to:
        kwargs["ReplyToAddresses"] = [settings.care_team_reply_to]
    resp = aws.sesv2().send_email(
        FromEmailAddress=_from_address(settings),
        Destination={"ToAddresses": [to]},
        Content={
            "Simple": {
                "Subject": {"Data": email.subject, "Charset": "UTF-8"},
                "Body": {
                    "Text": {"Data": email.text, "Charset": "UTF-8"},
                    "Html": {"Data": email.html, "Charset": "UTF-8"},
                },
            }
        },
        **kwargs,  # type: ignore[arg-type]
    )
    return resp["MessageId"]


def _from_address(settings: ConfirmationSettings) -> str:
    # The brand as display name; formataddr quotes (or RFC 2047-encodes) it so it cannot break the header.
    return formataddr((settings.clinic_name, settings.sender_email)) if settings.clinic_name else settings.sender_email


def _not_sent(inquiry_id: str, outcome: ClaimOutcome) -> str:
    logger.info("confirmation not sent", extra={"inquiry_id": inquiry_id, "reason": outcome.value})
    count_by_reason(SKIPPED_METRIC, outcome.value)
    return outcome.value
