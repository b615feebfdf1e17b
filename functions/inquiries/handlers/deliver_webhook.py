"""DeliverWebhookFunction: WebhookDeliveryQueue -> one signed POST per (event, destination), retried on the
Standard Webhooks schedule; metrics per destination id (never its URL)."""

from __future__ import annotations

from aws_lambda_powertools.utilities.batch import EventType
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from botocore.exceptions import BotoCoreError, ClientError

from inquiries import aws
from inquiries.data.webhooks import Destinations
from inquiries.handlers import init_done
from inquiries.handlers.partial_batch import partial_batch_handler
from inquiries.handoff.delivery import MAX_ATTEMPTS, Deliverer, Outcome, delay_after
from inquiries.handoff.publish import DeliveryMessage
from inquiries.handoff.secrets import SecretReader
from inquiries.observability import count, count_by_dimension, logger
from inquiries.settings import DeliverWebhookSettings

settings = DeliverWebhookSettings.from_environ()
_secrets = SecretReader(aws.secretsmanager())

# Per destination (dimension ``destination``, the id ops chose): what each destination's alarm watches.
METRIC_BY_OUTCOME = {Outcome.DELIVERED: "WebhookDelivered", Outcome.FAILED: "WebhookFailed",
                     Outcome.GONE: "WebhookDestinationGone", Outcome.SKIPPED: "WebhookSkipped"}


class DeliveryRetry(Exception):
    """The attempt failed; the message comes back after the schedule's next delay (a fixed code)."""


def _deliverer() -> Deliverer:
    return Deliverer(destinations=Destinations(aws.dynamodb(), settings.webhook_destinations_table),
                     secrets=_secrets, deadline_seconds=settings.webhook_timeout_seconds,
                     allow_loopback_http=settings.webhook_allow_loopback_http == "1")


def record_handler(record: SQSRecord) -> None:
    """One attempt; a failure sets the message's next visibility from its receive count and fails the item."""
    try:
        message = DeliveryMessage.from_json(record.body)
    except (ValueError, KeyError, TypeError):
        count("WebhookMessageMalformed")
        logger.error("malformed delivery message dropped", extra={"message_id": record.message_id})
        return
    attempt_number = int(record.attributes.approximate_receive_count or "1")
    result = _deliverer().attempt(message)
    count_by_dimension(METRIC_BY_OUTCOME[result.outcome], "destination", message.destination_id)
    extra = {"destination": message.destination_id, "attempt": attempt_number, "outcome": result.outcome.value,
             "status": result.status, "reason": result.reason, "message_id": record.message_id}
    if result.outcome is not Outcome.FAILED:
        logger.info("webhook attempt", extra=extra)
        return
    wait = delay_after(attempt_number)
    if attempt_number >= MAX_ATTEMPTS:
        count_by_dimension("WebhookExhausted", "destination", message.destination_id)
        logger.error("webhook attempts exhausted: the message goes to the DLQ", extra=extra)
    else:
        logger.warning("webhook attempt failed", extra={**extra, "next_attempt_in_seconds": wait})
    try:
        aws.sqs().change_message_visibility(QueueUrl=settings.webhook_delivery_queue_url,
                                           ReceiptHandle=record.receipt_handle, VisibilityTimeout=wait)
    except (BotoCoreError, ClientError) as exc:  # the queue's own visibility timeout applies instead
        logger.warning("visibility not changed", extra={"error_type": type(exc).__name__})
    raise DeliveryRetry(result.reason)


# SQS batch in, partial batch response out (inquiries.handlers.partial_batch).
handler = partial_batch_handler(EventType.SQS, record_handler)

init_done()  # the last line: see inquiries.handlers
