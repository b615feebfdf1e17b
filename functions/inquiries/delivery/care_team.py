"""Tell the care team a new inquiry arrived (SNS, and optionally a chat webhook), once per inquiry.

The notification holds no PHI (see ``rendering.render_care_team_notification``).

Exactly once: the same claim / send / mark pattern as the confirmation email (see
``inquiries.delivery.confirmation``), guarded by ``care_team_notified_at``; a crash between publishing and
recording can repeat the notification at most once, after the lease runs out.

Chat, retried on its own: the chat post is a second step with its own marker,
``care_team_chat_sent_at``, taken only after ``care_team_notified_at`` is recorded. If the webhook
fails, the message is reported failed and redelivered; on redelivery the SNS step finds its marker
and publishes nothing, so only the chat post is tried again. A webhook that stays broken ends in
the DLQ (alarmed) after ``maxReceiveCount`` receives; moving it back once fixed posts only the chat.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from botocore.exceptions import ClientError

from inquiries import aws
from inquiries.data.delivery import ClaimOutcome, DeliveryLeases
from inquiries.data.items import DeliveryStep
from inquiries.delivery import chat
from inquiries.delivery.common import (
    TRANSIENT_NETWORK_ERRORS,
    claim_or_retry,
    leases_for,
    phi_safe_failures,
    read_inquiry,
    reason_code,
    record_sent,
    release_and_retry,
)
from inquiries.delivery.urgent_texts import Text, TextClaim, UrgentTexts
from inquiries.observability import count, count_by_reason, logger
from inquiries.record import InquiryStatus
from inquiries.rendering import CareTeamNotification, render_care_team_notification
from inquiries.settings import CareTeamSettings

SKIPPED_METRIC = "CareTeamNotificationSkipped"
FAILED_METRIC = "CareTeamNotificationFailed"  # malformed messages: dropped, not retried
RETRIED_METRIC = "CareTeamNotificationRetried"


def _utcnow() -> datetime:
    return datetime.now(UTC)


def notify_care_team(inquiry_id: str, settings: CareTeamSettings, now: Callable[[], datetime] = _utcnow) -> str:
    """Publish the care-team notification for ``inquiry_id`` (and post it to chat, when enabled).

    Returns a fixed outcome code for the SNS step: ``sent``, ``already_sent``, ``spam`` or
    ``unknown_inquiry``. Raises ``RetryableDeliveryError`` when SNS or the chat post should be
    tried again.
    """
    with phi_safe_failures(inquiry_id, RETRIED_METRIC):
        return _notify_care_team(inquiry_id, settings, now)


def _notify_care_team(inquiry_id: str, settings: CareTeamSettings, now: Callable[[], datetime]) -> str:
    inquiry = read_inquiry(inquiry_id, settings)
    if inquiry is None:
        return _not_sent(inquiry_id, DeliveryStep.CARE_TEAM, ClaimOutcome.UNKNOWN_INQUIRY)
    if inquiry.spam or inquiry.status is InquiryStatus.SPAM:
        return _not_sent(inquiry_id, DeliveryStep.CARE_TEAM, ClaimOutcome.SPAM)

    notification = render_care_team_notification(inquiry, settings, now())
    leases = leases_for(settings)
    if inquiry.care_team_notified_at is None:
        outcome = _publish_once(inquiry_id, notification, settings, leases, now)
    else:
        outcome = _not_sent(inquiry_id, DeliveryStep.CARE_TEAM, ClaimOutcome.ALREADY_SENT)
    if settings.chat_webhook_parameter and outcome in ("sent", ClaimOutcome.ALREADY_SENT.value):
        _post_to_chat_once(inquiry_id, notification, settings, leases, now)
    return outcome


def _publish_once(inquiry_id: str, notification: CareTeamNotification, settings: CareTeamSettings,
                  leases: DeliveryLeases, now: Callable[[], datetime]) -> str:
    step = DeliveryStep.CARE_TEAM
    claim, token = claim_or_retry(leases, inquiry_id, step, now())
    if claim is not ClaimOutcome.CLAIMED:
        return _not_sent(inquiry_id, step, claim)
    # Taken while the lease is held; a retry finds the same place (the member is the inquiry id), so a
    # failed publish keeps its place for the retry instead of giving it back.
    texts = UrgentTexts.for_settings(settings, settings.inquiries_table)
    text = (texts.claim(inquiry_id, now()) if notification.attributes.get("priority") == "urgent"
            else TextClaim(Text.NONE, inquiry_id))
    message, attributes = texts.apply(text, notification.message, notification.attributes)
    try:
        resp = aws.sns().publish(
            TopicArn=settings.care_team_topic_arn,
            Subject=notification.subject,
            Message=message,
            MessageAttributes={
                name: {"DataType": "String", "StringValue": value}
                for name, value in attributes.items()
            },
        )
    except ClientError as exc:
        # Every SNS error is retried: either it passes (throttling, 5xx) or it is ops' to fix
        # (missing topic, KMS, permissions) and the DLQ keeps the message until then.
        code = exc.response.get("Error", {}).get("Code", "")
        raise release_and_retry(leases, inquiry_id, step, token, "sns_" + reason_code(code)) from None
    except TRANSIENT_NETWORK_ERRORS as exc:
        raise release_and_retry(leases, inquiry_id, step, token, reason_code(type(exc).__name__)) from None
    record_sent(leases, inquiry_id, step, now(), notes={"care_team_message_id": resp["MessageId"]})
    logger.info("care team notified", extra={"inquiry_id": inquiry_id})
    count("CareTeamNotified")
    return "sent"


def _post_to_chat_once(inquiry_id: str, notification: CareTeamNotification, settings: CareTeamSettings,
                       leases: DeliveryLeases, now: Callable[[], datetime]) -> None:
    step = DeliveryStep.CARE_TEAM_CHAT
    claim, token = claim_or_retry(leases, inquiry_id, step, now())
    if claim is not ClaimOutcome.CLAIMED:
        _not_sent(inquiry_id, step, claim)
        return
    try:
        url = chat.webhook_url(settings.chat_webhook_parameter)
        chat.post_to_chat(url, notification.chat_text, settings.chat_timeout_seconds)
    except chat.ChatPostFailed as exc:
        raise release_and_retry(leases, inquiry_id, step, token, exc.reason) from None
    except ClientError as exc:  # reading the SSM parameter
        code = exc.response.get("Error", {}).get("Code", "")
        raise release_and_retry(leases, inquiry_id, step, token, "ssm_" + reason_code(code)) from None
    except TRANSIENT_NETWORK_ERRORS as exc:
        raise release_and_retry(leases, inquiry_id, step, token, reason_code(type(exc).__name__)) from None
    record_sent(leases, inquiry_id, step, now())
    logger.info("care team chat posted", extra={"inquiry_id": inquiry_id})
    count("CareTeamChatPosted")


def _not_sent(inquiry_id: str, step: DeliveryStep, outcome: ClaimOutcome) -> str:
    logger.info("care team step skipped", extra={"inquiry_id": inquiry_id, "step": step.value,
                                                 "reason": outcome.value})
    count_by_reason(SKIPPED_METRIC, outcome.value)
    return outcome.value
